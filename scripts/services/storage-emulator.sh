#!/usr/bin/env bash
# The Cloud Storage (GCS JSON API) emulator from firebase-tools, run in-process by Node
# (storage-emulator-server.cjs), on 127.0.0.1 and a free port.
#   start: exports STORAGE_EMULATOR_HOST (http://127.0.0.1:P) to .aloft/run/storage-emulator.env
#   stop:  kills the Node process by its PID (process group), waits, idempotent.
set -euo pipefail
SERVICE=storage-emulator
source "$(dirname "${BASH_SOURCE[0]}")/gcp-emulators.lib.sh"

start() {
  if is_running; then echo "$SERVICE: already running (pid $(cat "$(pid_file)"))"; cat "$(env_file)"; return 0; fi
  [ -d "$ROOT/node_modules/firebase-tools" ] || die "firebase-tools is missing; run: flock /tmp/aloft-npm.lock npm install --save-dev firebase-tools"
  local port data_dir
  port="${STORAGE_EMULATOR_PORT:-$(free_port)}"
  data_dir="$RUN_DIR/$SERVICE-data"
  rm -rf "$data_dir"
  # cwd = ROOT so that require('firebase-tools') resolves from the project.
  (cd "$ROOT" && spawn_detached node "$ROOT/scripts/services/storage-emulator-server.cjs" \
    --host 127.0.0.1 --port "$port" --project "${ALOFT_EMULATOR_PROJECT:-aloft-local}" --data-dir "$data_dir")
  wait_ready 60 curl -sf "http://127.0.0.1:$port/b?project=aloft-local"
  {
    echo "STORAGE_EMULATOR_HOST=http://127.0.0.1:$port"
    offline_env
  } >"$(env_file)"
  echo "$SERVICE: ready on 127.0.0.1:$port (pid $(cat "$(pid_file)"))"
  cat "$(env_file)"
}

case "${1:-}" in
  start) start ;;
  stop) stop_service ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
