#!/usr/bin/env bash
# The Firestore emulator from the Google Cloud SDK, on 127.0.0.1 and a free port.
#   start: exports FIRESTORE_EMULATOR_HOST (and ALOFT_FIRESTORE_FUNCTIONS_PORT) to .aloft/run/firestore-emulator.env
#   stop:  kills the JVM by its PID (process group), waits, idempotent.
# The jar is started directly, not through gcloud: gcloud's wrapper hides --functions_emulator, which
# makes the emulator push document.v1.written CloudEvents. Set ALOFT_FIRESTORE_FUNCTIONS_PORT to a port
# (or to "auto" for a free one) to enable it.
set -euo pipefail
SERVICE=firestore-emulator
source "$(dirname "${BASH_SOURCE[0]}")/gcp-emulators.lib.sh"

start() {
  if is_running; then echo "$SERVICE: already running (pid $(cat "$(pid_file)"))"; cat "$(env_file)"; return 0; fi
  require_java
  local jar port fn_port="${ALOFT_FIRESTORE_FUNCTIONS_PORT:-}" args=()
  jar="$(sdk_dir)/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
  [ -f "$jar" ] || die "$jar not found; install it with: gcloud components install cloud-firestore-emulator (or apt-get install google-cloud-cli-firestore-emulator)"
  port="${FIRESTORE_EMULATOR_PORT:-$(free_port)}"
  args=(--host=127.0.0.1 "--port=$port")
  if [ "$fn_port" = "auto" ]; then fn_port="$(free_port)"; fi
  if [ -n "$fn_port" ]; then args+=("--functions_emulator=127.0.0.1:$fn_port"); fi
  spawn_detached java "${EMULATOR_JVM_FLAGS[@]}" -Duser.language=en -cp "$jar" com.google.cloud.datastore.emulator.firestore.CloudFirestore start "${args[@]}"
  wait_ready 60 curl -sf "http://127.0.0.1:$port/"
  {
    echo "FIRESTORE_EMULATOR_HOST=127.0.0.1:$port"
    if [ -n "$fn_port" ]; then echo "ALOFT_FIRESTORE_FUNCTIONS_PORT=$fn_port"; fi
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
