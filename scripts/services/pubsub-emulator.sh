#!/usr/bin/env bash
# The Pub/Sub emulator from the Google Cloud SDK, on 127.0.0.1 and a free port.
#   start: exports PUBSUB_EMULATOR_HOST to .aloft/run/pubsub-emulator.env
#   stop:  kills gcloud and the emulator JVM it spawned (one process group), waits, idempotent.
set -euo pipefail
SERVICE=pubsub-emulator
source "$(dirname "${BASH_SOURCE[0]}")/gcp-emulators.lib.sh"

start() {
  if is_running; then echo "$SERVICE: already running (pid $(cat "$(pid_file)"))"; cat "$(env_file)"; return 0; fi
  require_java
  command -v gcloud >/dev/null 2>&1 || die "gcloud not found; install the Google Cloud SDK"
  [ -d "$(sdk_dir)/platform/pubsub-emulator" ] || die "the Pub/Sub emulator is not installed: gcloud components install pubsub-emulator (or apt-get install google-cloud-cli-pubsub-emulator)"
  local port data_dir
  port="${PUBSUB_EMULATOR_PORT:-$(free_port)}"
  data_dir="$RUN_DIR/$SERVICE-data"
  rm -rf "$data_dir"; mkdir -p "$data_dir"
  # CLOUDSDK_CORE_DISABLE_PROMPTS keeps gcloud from waiting on a question; no network is used.
  # The SDK's start script passes CLOUD_PUBSUB_EMULATOR_OPTS to the JVM.
  CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUD_PUBSUB_EMULATOR_OPTS="${EMULATOR_JVM_FLAGS[*]}" spawn_detached gcloud beta emulators pubsub start \
    "--host-port=127.0.0.1:$port" "--project=${ALOFT_EMULATOR_PROJECT:-aloft-local}" "--data-dir=$data_dir" --quiet
  wait_ready 90 curl -sf "http://127.0.0.1:$port/v1/projects/aloft-local/topics"
  {
    echo "PUBSUB_EMULATOR_HOST=127.0.0.1:$port"
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
