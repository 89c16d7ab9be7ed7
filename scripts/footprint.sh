#!/usr/bin/env bash
# Loket's footprint (issue 19, item 6): the binary's size, the cold start
# to /readyz with the demo database already present, and the resident
# memory (RSS) once idle. Usage: scripts/footprint.sh [path/to/loket]
# (default target/release/loket; build it with
# `cargo build --release -p loket --bin loket`). Runs `loket demo` in a
# temporary data directory on 127.0.0.1.
set -euo pipefail
bin=${1:-target/release/loket}
[ -x "$bin" ] || { echo "no executable at $bin: build it first" >&2; exit 1; }
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
export LOKET_DATA_DIR="$dir" LOKET_LOG=warn
ms() { date +%s%3N; }
ready() {
  local t0=$1
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    sleep 0.02
    if [ $(( $(ms) - t0 )) -gt 180000 ]; then echo "not ready in 180 s" >&2; exit 1; fi
  done
  echo $(( $(ms) - t0 ))
}
# First start: makes and seeds the demo database (not measured as cold start).
t0=$(ms); "$bin" demo --addr "127.0.0.1:$port" >"$dir/first.log" 2>&1 & pid=$!
first=$(ready "$t0")
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
# Cold start with the demo database present.
t0=$(ms); "$bin" demo --addr "127.0.0.1:$port" >"$dir/second.log" 2>&1 & pid=$!
cold=$(ready "$t0")
sleep 10
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
db=$(du -sk "$dir" | cut -f1)
size=$(stat -c %s "$bin")
echo "footprint of $bin"
echo "binary size              $((size / 1024 / 1024)) MiB ($size bytes)"
echo "first start (seeds demo) ${first} ms to /readyz"
echo "cold start, demo present ${cold} ms to /readyz"
echo "idle RSS after 10 s      $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB, $threads threads)"
echo "data directory           $((db / 1024)) MiB"
