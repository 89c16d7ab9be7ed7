#!/usr/bin/env bash
# The one test command. Installs what the tests need on a fresh Debian
# machine, runs formatting and lint checks, the whole suite on SQLite, then
# the integration tests again on a throwaway PostgreSQL that this script
# starts (and removes) itself. No test may be skipped: a missing tool is a
# failure (LOKET_TEST_NO_SKIP=1).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

# ---- what the tests need (Debian packages, npm) ----
need=()
[ -x /usr/bin/python3 ] || need+=(python3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
# The calendar tests read .ics files with Debian's python3-icalendar.
/usr/bin/python3 -c "import icalendar" >/dev/null 2>&1 || need+=(python3-icalendar)
# The SMTP outage test runs a real SMTP server: Python's aiosmtpd.
/usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1 || need+=(python3-aiosmtpd)
/usr/bin/python3 -c "import yaml" >/dev/null 2>&1 || need+=(python3-yaml)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
# The systemd unit in deploy/ is checked with systemd-analyze.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  step "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# promtool (Debian's prometheus package) checks and unit-tests the alert
# rules in deploy/. Installed without recommends, and with services kept
# from starting: the test machine runs no Prometheus server.
if ! command -v promtool >/dev/null 2>&1; then
  step "installing: prometheus (for promtool)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  [ -n "$policy_added" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true

# Two slow preparations that need nothing of the build run beside it: the
# build keeps both cores busy only part of the time (its last crates and
# its links run alone), so on a 2-core machine they cost little wall time.
# Each is waited for, and its output shown, before what needs it.
bg_dir="$(mktemp -d)"
( scripts/deny.sh >"$bg_dir/deny.log" 2>&1; echo $? >"$bg_dir/deny.rc" ) &
deny_pid=$!
( scripts/pgbouncer.sh >"$bg_dir/pgbouncer.path" 2>"$bg_dir/pgbouncer.log"; echo $? >"$bg_dir/pgbouncer.rc" ) &
pgbouncer_pid=$!
stop_bg() { kill "$deny_pid" "$pgbouncer_pid" 2>/dev/null || true; rm -rf "$bg_dir"; }
trap stop_bg EXIT
# Waits for background job $1 (named $2) and fails the run if it failed.
wait_bg() {
  wait "$1" || true
  cat "$bg_dir/$2.log"
  [ "$(cat "$bg_dir/$2.rc" 2>/dev/null)" = 0 ] || { echo "$2 failed" >&2; exit 1; }
}
# axe-core (injected into pages by the browser tests) and oidc-provider (the sign-in tests' OpenID provider).
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/oidc-provider/package.json ]; then
  npm ci --no-audit --no-fund
fi

# Every test runs: the browser journeys (headless Chromium), the contact
# centre's IMAP test (its own Dovecot), and nothing is skipped.
export LOKET_TEST_BROWSER=1 LOKET_TEST_IMAP=1 LOKET_TEST_NO_SKIP=1

step "systemd-analyze verify deploy/loket.service"
# The unit names /usr/local/bin/loket, which a test machine lacks: verify a
# copy that runs /bin/true instead (the rest of the unit is checked as is).
unit_dir="$(mktemp -d)"
sed 's#/usr/local/bin/loket#/bin/true#' deploy/loket.service > "$unit_dir/loket.service"
systemd-analyze verify "$unit_dir/loket.service"
rm -rf "$unit_dir"

step "deploy/compose.yaml is valid YAML with the expected services"
/usr/bin/python3 - <<'PY'
import yaml
c = yaml.safe_load(open("deploy/compose.yaml"))
missing = {"db", "loket-1", "loket-2", "proxy"} - set(c["services"])
assert not missing, f"compose.yaml lacks {missing}"
PY

step "promtool: alert rules and the dashboard's queries"
promtool check rules deploy/alerts.yaml
promtool test rules deploy/alerts.test.yaml
# Every query of the Grafana dashboard, checked as PromQL by promtool.
rules_dir="$(mktemp -d)"
python3 - deploy/grafana-dashboard.json > "$rules_dir/dashboard-rules.yaml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("groups:\n  - name: dashboard\n    rules:")
n = 0
for p in d["panels"]:
    for t in p.get("targets", []):
        n += 1
        print(f"      - record: dashboard_query_{n}\n        expr: {json.dumps(t['expr'])}")
PY
promtool check rules "$rules_dir/dashboard-rules.yaml"
rm -rf "$rules_dir"

step "cargo fmt --check"
cargo fmt --all -- --check

# Clippy lints the workspace's crates while the tests build them, instead of
# in a `cargo clippy` run of its own: `cargo clippy` type-checks every
# dependency a second time (metadata only, so nothing of the test build can
# be reused), which cost ten of a clean run's minutes. clippy-driver, as
# cargo's workspace wrapper, is rustc with Clippy's lints added; with
# CLIPPY_ARGS it denies warnings exactly as `cargo clippy -- -D warnings`.
# `cargo test` builds the libraries, the binary (the integration tests run
# it) and every test target, so this lints what `--all-targets` lints (the
# workspace has no benches or examples). Set for every cargo call below, so
# the PostgreSQL run reuses this build.
step "clippy (as the build's workspace wrapper, -D warnings)"
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# Cargo does not count the wrapper in its fingerprints: a workspace crate
# built earlier by plain rustc (a developer's own `cargo test`) would count
# as fresh and go unlinted. Its artifacts go first (on a clean machine there
# are none); dependencies are kept.
members="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(" ".join("-p " + p["name"] for p in json.load(sys.stdin)["packages"]))')"
# shellcheck disable=SC2086
cargo clean $members >/dev/null 2>&1
cargo test --workspace --no-run

step "cargo deny: licences, bans, sources (and advisories when reachable)"
wait_bg "$deny_pid" deny

step "tests on SQLite (with the browser journeys in headless Chromium)"
# Four test threads: the tests wait on browsers, servers and the database
# more than they compute. `--tests` leaves out doc-tests: the workspace has
# none (examples are tests), and collecting them costs every crate a
# rustdoc pass.
cargo test --workspace --tests -- --test-threads=4

# ---- PostgreSQL ----
PG_BIN=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && PG_BIN="$d"
done
if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1; then
  PG_BIN="$(dirname "$(readlink -f "$(command -v initdb)")")"
fi
if [ -z "$PG_BIN" ]; then
  step "installing PostgreSQL (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && PG_BIN="$d"
  done
fi
[ -n "$PG_BIN" ] || { echo "PostgreSQL's initdb not found" >&2; exit 1; }

PG_DIR="$(mktemp -d /tmp/loket-pg.XXXXXX)"
PG_PORT="${LOKET_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
run_pg() {
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$PG_DIR"
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
cleanup() {
  stop_bg
  [ -f "$PG_DIR/pgbouncer.pid" ] && kill "$(cat "$PG_DIR/pgbouncer.pid")" 2>/dev/null || true
  run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/replica' -m immediate -w stop" >/dev/null 2>&1 || true
  run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT

step "starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
chmod 755 "$PG_DIR"
run_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$PG_DIR/initdb.log' 2>&1" \
  || { cat "$PG_DIR/initdb.log"; exit 1; }
run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/pg.log' -w -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$PG_DIR' -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null" \
  || { cat "$PG_DIR/pg.log"; exit 1; }

# A streaming replica of it, for the database_read_url test.
REPLICA_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
step "starting a streaming replica (pg_basebackup) on 127.0.0.1:$REPLICA_PORT"
run_pg "'$PG_BIN/pg_basebackup' -h 127.0.0.1 -p $PG_PORT -U postgres -D '$PG_DIR/replica' -R -X stream >'$PG_DIR/basebackup.log' 2>&1" \
  || { cat "$PG_DIR/basebackup.log"; exit 1; }
run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/replica' -l '$PG_DIR/replica.log' -w -o \"-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -k '$PG_DIR' -c max_connections=300 -c hot_standby=on -c fsync=off\" start >/dev/null" \
  || { cat "$PG_DIR/replica.log"; exit 1; }
export LOKET_TEST_POSTGRES_REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"

# PgBouncer in front of it, pooling per transaction. That needs PgBouncer
# 1.21 or later (max_prepared_statements, for sqlx's named prepared
# statements); scripts/pgbouncer.sh finds one or builds Debian stable's.
BOUNCER_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
step "PgBouncer 1.21 or later (scripts/pgbouncer.sh)"
wait_bg "$pgbouncer_pid" pgbouncer
PGBOUNCER="$(cat "$bg_dir/pgbouncer.path")"
"$PGBOUNCER" --version | head -1
cp "$PGBOUNCER" "$PG_DIR/pgbouncer"
step "starting PgBouncer (transaction pooling) on 127.0.0.1:$BOUNCER_PORT"
cat > "$PG_DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir = $PG_DIR
auth_type = trust
auth_file = $PG_DIR/pgbouncer-users.txt
pool_mode = transaction
max_prepared_statements = 200
admin_users = postgres
max_client_conn = 500
default_pool_size = 40
logfile = $PG_DIR/pgbouncer.log
pidfile = $PG_DIR/pgbouncer.pid
ignore_startup_parameters = extra_float_digits,options
INI
echo '"postgres" ""' > "$PG_DIR/pgbouncer-users.txt"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR/pgbouncer.ini" "$PG_DIR/pgbouncer-users.txt" "$PG_DIR/pgbouncer"
run_pg "'$PG_DIR/pgbouncer' -d '$PG_DIR/pgbouncer.ini'" || { cat "$PG_DIR/pgbouncer.log"; exit 1; }
export LOKET_TEST_PGBOUNCER_URL="postgres://postgres@127.0.0.1:$BOUNCER_PORT/postgres"

export LOKET_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# The PostgreSQL-restart test starts (and stops) a server of its own.
export LOKET_TEST_PG_BIN="$PG_BIN"
step "integration tests (browser journeys included) on PostgreSQL"
cargo test --workspace --tests -- --test-threads=4
step "all tests passed on SQLite and PostgreSQL"
