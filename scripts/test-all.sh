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
