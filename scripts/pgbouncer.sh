#!/usr/bin/env bash
# Prints the path of a PgBouncer that can pool per transaction for Loket:
# version 1.21 or later, which keeps sqlx's named prepared statements
# (`max_prepared_statements`). Debian 12 ships 1.18, so on a machine without
# a new enough one this builds the PgBouncer of Debian's current stable
# release from its source package and keeps it in a cache directory. The
# chain is checked: InRelease's signature (Debian's archive keyring), the
# Sources index's SHA-256 in it, the tarball's SHA-256 in the index.
set -euo pipefail

min_ok() { # "1.24.1" -> true when >= 1.21
  local v="$1" major minor
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 21 ]; }
}
version_of() { "$1" --version 2>/dev/null | sed -n 's/^PgBouncer \([0-9][0-9.]*\).*/\1/p' | head -1; }

for candidate in "${LOKET_PGBOUNCER:-}" /usr/sbin/pgbouncer "$(command -v pgbouncer 2>/dev/null || true)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  v="$(version_of "$candidate")"
  if [ -n "$v" ] && min_ok "$v"; then
    echo "$candidate"
    exit 0
  fi
done

cache="${XDG_CACHE_HOME:-$HOME/.cache}/loket"
for built in "$cache"/pgbouncer-*/bin/pgbouncer; do
  [ -x "$built" ] || continue
  v="$(version_of "$built")"
  if [ -n "$v" ] && min_ok "$v"; then
    echo "$built"
    exit 0
  fi
done

# Build it. What the build needs (a C compiler comes with Rust's toolchain
# setup on Debian: build-essential).
need=()
for pkg in libevent-dev libssl-dev pkg-config make gcc; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "pgbouncer.sh: installing ${need[*]}" >&2
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

mirror="${LOKET_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "pgbouncer.sh: building PgBouncer from Debian stable's source package" >&2
# The release file, signed by Debian's archive key (debian-archive-keyring,
# on every Debian machine), names the SHA-256 of the Sources index.
curl -fsS --retry 3 -o "$work/InRelease" "$mirror/dists/stable/InRelease"
gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg "$work/InRelease" 2>"$work/gpgv.log" \
  || { cat "$work/gpgv.log" >&2; echo "pgbouncer.sh: Debian's InRelease is not validly signed" >&2; exit 1; }
sources_sum="$(awk '$3 == "main/source/Sources.xz" && length($1) == 64 { print $1; exit }' "$work/InRelease")"
[ -n "$sources_sum" ] || { echo "pgbouncer.sh: InRelease names no main/source/Sources.xz" >&2; exit 1; }
curl -fsS --retry 3 -o "$work/Sources.xz" "$mirror/dists/stable/main/source/Sources.xz"
echo "$sources_sum  $work/Sources.xz" | sha256sum -c --quiet - >&2
# The orig tarball of the pgbouncer source package and its SHA-256.
read -r dir file sum < <(/usr/bin/python3 - "$work/Sources.xz" <<'PY'
import lzma, sys
text = lzma.open(sys.argv[1], "rt", encoding="utf-8").read()
for para in text.split("\n\n"):
    lines = para.splitlines()
    if "Package: pgbouncer" not in lines:
        continue
    directory = next(l.split(": ", 1)[1] for l in lines if l.startswith("Directory: "))
    i = lines.index("Checksums-Sha256:")
    for l in lines[i + 1:]:
        if not l.startswith(" "):
            break
        sha, _size, name = l.split()
        if name.endswith(".orig.tar.gz"):
            print(directory, name, sha)
            sys.exit(0)
sys.exit("no pgbouncer orig tarball in Sources")
PY
)
curl -fsS --retry 3 -o "$work/$file" "$mirror/$dir/$file"
echo "$sum  $work/$file" | sha256sum -c --quiet - >&2
mkdir "$work/src"
tar xzf "$work/$file" -C "$work/src" --strip-components=1
version="$(sed -n 's/^PACKAGE_VERSION=.\([0-9.]*\).*/\1/p' "$work/src/configure" | head -1)"
prefix="$cache/pgbouncer-$version"
(
  cd "$work/src"
  ./configure --prefix="$prefix" --without-cares --without-udns >"$work/configure.log" 2>&1 \
    || { cat "$work/configure.log" >&2; exit 1; }
  make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
  make install >/dev/null 2>&1
)
echo "$prefix/bin/pgbouncer"
