#!/usr/bin/env bash
# The full test run: starts every service the tests need (scripts/services/*.sh), runs lint,
# type checks and every jest project, then stops what it started, by PID, even on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .aloft/run
export METADATA_SERVER_DETECTION=none

started=()
cleanup() {
  local i
  for ((i=${#started[@]}-1; i>=0; i--)); do
    bash "scripts/services/${started[$i]}.sh" stop || echo "warning: could not stop ${started[$i]}" >&2
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The Kafka client's native module: npm ci builds it (scripts/kafka-client.mjs), and only warns when the
# machine lacks a compiler or OpenSSL's headers. Here those are installed first, so the Kafka suites run.
if ! node -e "require('@confluentinc/kafka-javascript')" >/dev/null 2>&1; then
  echo "== the Kafka client is not built: installing its build packages and building it"
  if [[ $EUID -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q build-essential python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev >/dev/null
  fi
  node scripts/kafka-client.mjs
  node -e "require('@confluentinc/kafka-javascript')" >/dev/null 2>&1 || { echo "error: the Kafka client could not be built (see above)" >&2; exit 1; }
fi

for script in scripts/services/*.sh; do
  [ -e "$script" ] || continue
  name=$(basename "$script" .sh)
  case "$name" in *.lib) continue ;; esac # shared shell functions, not a service
  echo "== starting $name"
  if ! bash "$script" start; then
    echo "error: service $name failed to start (see above); stopping" >&2
    exit 1
  fi
  started+=("$name")
done

set -a
for f in .aloft/run/*.env; do [ -e "$f" ] && . "$f"; done
set +a

status=0
npm run build || status=1
npm run lint || status=1
npm run typecheck || status=1
npx jest --ci --maxWorkers=2 --selectProjects unit contract integration e2e || status=1
# Each emulated-cloud test file starts a whole cloud (its own emulators and functions): one at a time.
npx jest --ci --maxWorkers=1 --selectProjects e2e-cloud || status=1
exit $status
