#!/usr/bin/env bash
# Runs a command with the services it needs: scripts/with-services.sh mariadb postgres -- node bench.js
# Starts each named service through scripts/services/<name>.sh (it binds 127.0.0.1), loads its .env file,
# runs the command, then stops, by PID, the services this call started (one already running is left alone).
set -uo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=.aloft/run

services=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do services+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "usage: scripts/with-services.sh SERVICE... -- COMMAND..." >&2; exit 2; }
shift
[ $# -gt 0 ] || { echo "usage: scripts/with-services.sh SERVICE... -- COMMAND..." >&2; exit 2; }

started=()
cleanup() {
  local i
  for ((i=${#started[@]}-1; i>=0; i--)); do
    bash "scripts/services/${started[$i]}.sh" stop >/dev/null || echo "warning: could not stop ${started[$i]}" >&2
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for name in "${services[@]}"; do
  [ -f "scripts/services/$name.sh" ] || { echo "error: no service scripts/services/$name.sh" >&2; exit 2; }
  running=false
  if [ -f "$RUN_DIR/$name.pid" ] && kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then running=true; fi
  # The service's own progress goes to stderr: a bench's stdout stays its one JSON line.
  if ! bash "scripts/services/$name.sh" start >&2; then echo "error: service $name failed to start (see above)" >&2; exit 1; fi
  $running || started+=("$name")
  set -a; . "$RUN_DIR/$name.env"; set +a
done

"$@"
