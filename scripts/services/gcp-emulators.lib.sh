# Shared by the GCP emulator scripts (pubsub-, firestore-, storage-emulator.sh). Sourced, not run.
# Each emulator runs in its own session (setsid), so `stop` can kill the whole process tree by the
# recorded PID's process group: the JVM that gcloud spawns dies with its wrapper.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# ALOFT_RUN_DIR lets a test run a second instance without touching the shared one.
RUN_DIR="${ALOFT_RUN_DIR:-$ROOT/.aloft/run}"
GCLOUD_SDK_DIR="${GCLOUD_SDK_DIR:-}"
mkdir -p "$RUN_DIR"

die() { echo "$SERVICE: $*" >&2; exit 1; }

sdk_dir() {
  if [ -n "$GCLOUD_SDK_DIR" ]; then echo "$GCLOUD_SDK_DIR"; return; fi
  local g
  g="$(command -v gcloud)" || die "gcloud not found; install the Google Cloud SDK (with the emulators) first"
  (cd "$(dirname "$(readlink -f "$g")")/.." && pwd)
}

free_port() { node "$ROOT/scripts/services/free-port.cjs"; }

pid_file() { echo "$RUN_DIR/$SERVICE.pid"; }
env_file() { echo "$RUN_DIR/$SERVICE.env"; }
log_file() { echo "$RUN_DIR/$SERVICE.log"; }

is_running() {
  local pid
  [ -f "$(pid_file)" ] || return 1
  pid="$(cat "$(pid_file)")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Starts "$@" detached in a new session; the PID written is the session (= process group) leader.
spawn_detached() {
  setsid "$@" >"$(log_file)" 2>&1 </dev/null &
  echo $! >"$(pid_file)"
}

# wait_ready <seconds> <command...>: polls the command until it succeeds, the process dies, or time runs out.
wait_ready() {
  local limit="$1"; shift
  local i=0 pid
  pid="$(cat "$(pid_file)")"
  while [ "$i" -lt "$((limit * 4))" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$SERVICE: the emulator exited during startup; last lines of $(log_file):" >&2
      tail -n 30 "$(log_file)" >&2
      rm -f "$(pid_file)"
      exit 1
    fi
    sleep 0.25
    i=$((i + 1))
  done
  echo "$SERVICE: not ready after ${limit}s; last lines of $(log_file):" >&2
  tail -n 30 "$(log_file)" >&2
  stop_service
  exit 1
}

group_alive() { pgrep -g "$1" >/dev/null 2>&1; }

stop_service() {
  local pid i
  if [ ! -f "$(pid_file)" ]; then echo "$SERVICE: not running"; rm -f "$(env_file)"; return 0; fi
  pid="$(cat "$(pid_file)")"
  if [ -n "$pid" ] && group_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    i=0
    while group_alive "$pid" && [ "$i" -lt 60 ]; do sleep 0.25; i=$((i + 1)); done
    if group_alive "$pid"; then
      kill -KILL -- "-$pid" 2>/dev/null || true
      i=0
      while group_alive "$pid" && [ "$i" -lt 40 ]; do sleep 0.25; i=$((i + 1)); done
    fi
    group_alive "$pid" && die "process group $pid would not stop"
  fi
  rm -f "$(pid_file)" "$(env_file)"
  echo "$SERVICE: stopped"
}

# The emulators' JVM flags, as lib/dev/emulators.ts EMULATOR_JVM_FLAGS says why (a test keeps them equal).
EMULATOR_JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseParallelGC)

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found; the emulator needs Java 11+ (apt-get install -y openjdk-17-jre-headless)"
}

# Lines every offline Google client needs, appended to the env file.
offline_env() {
  echo "METADATA_SERVER_DETECTION=none"
  echo "GOOGLE_CLOUD_PROJECT=${ALOFT_EMULATOR_PROJECT:-aloft-local}"
}
