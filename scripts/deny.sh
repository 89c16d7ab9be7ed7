#!/usr/bin/env bash
# cargo-deny over every crate Loket builds (see deny.toml): licences, bans
# and sources always; advisories too when the RustSec database can be
# fetched from github.com (or LOKET_DENY_ADVISORIES=1 insists). Installs
# cargo-deny (pinned) when it is missing, as a debug build: it compiles in a
# fraction of the release build's time, and its checks still take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$DENY_VERSION"; then
  echo "installing cargo-deny $DENY_VERSION (once)"
  CARGO_TARGET_DIR="${TMPDIR:-/tmp}/cargo-deny-build" \
    cargo install --locked --quiet --debug cargo-deny --version "$DENY_VERSION"
  rm -rf "${TMPDIR:-/tmp}/cargo-deny-build"
fi
cargo deny --log-level error check licenses bans sources
if [ "${LOKET_DENY_ADVISORIES:-}" = 1 ] || timeout 20 git ls-remote https://github.com/RustSec/advisory-db HEAD >/dev/null 2>&1; then
  cargo deny --log-level error check advisories
else
  echo "cargo deny: the advisory database (github.com/RustSec/advisory-db) cannot be reached from here; advisories not checked"
fi
