#!/usr/bin/env bash
# The first hour of a newcomer, checked: clone this repository (its committed HEAD), `npm ci`, then run
# every command the README shows, each checked for its exit code and a key line of its output. Then
# install the command globally from the clone (`npm install -g .`, into a private prefix) and use it
# from another folder. A README command this script does not know fails it, so the two stay in step.
# Everything lives in one temporary folder, removed at the end; the server it starts is stopped by PID.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/aloft-fresh-clone-XXXXXX")"
SERVER_PID=""
failures=0

cleanup() {
  stop_server
  rm -rf "$WORK"
}
# The server runs in its own process group (setsid): npx and the node it starts stop together.
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill -TERM -- "-$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok    $1"; }
fail() { echo "FAIL  $1" >&2; failures=$((failures + 1)); }
skip() { echo "skip  $1 ($2)"; }

# check NAME EXPECTED_EXIT KEY_REGEX COMMAND...: runs COMMAND in the clone, checks its exit code and that
# its output (stdout and stderr) has a line matching KEY_REGEX (an empty KEY_REGEX checks the exit code only).
check() {
  local name="$1" want="$2" key="$3"; shift 3
  local out="$WORK/out.txt" code
  (cd "$CLONE" && "$@") >"$out" 2>&1
  code=$?
  if [ "$code" != "$want" ]; then fail "$name: exit $code, expected $want"; tail -n 20 "$out" >&2; return; fi
  if [ -n "$key" ] && ! grep -Eq -- "$key" "$out"; then fail "$name: no line matches /$key/"; tail -n 20 "$out" >&2; return; fi
  ok "$name"
}

free_port() { node "$ROOT/scripts/services/free-port.cjs"; }

CLONE="$WORK/aloft"
echo "== cloning $ROOT into $CLONE"
git clone --quiet "$ROOT" "$CLONE" || { echo "error: git clone failed" >&2; exit 1; }
echo "== npm ci"
(cd "$CLONE" && npm ci --no-audit --no-fund --prefer-offline >"$WORK/npm-ci.log" 2>&1) || { tail -n 40 "$WORK/npm-ci.log" >&2; echo "error: npm ci failed" >&2; exit 1; }
ok "npm ci (builds dist/ through prepare)"

PORT="$(free_port)"
# Each README command, as written (8080 becomes a free port: the machine may be shared).
while IFS= read -r line; do
  cmd="${line%%#*}"; cmd="$(echo "$cmd" | sed -e 's/[[:space:]]*$//')"
  [ -z "$cmd" ] && continue
  case "$cmd" in
    'npm ci && npx aloft run examples/hello.yml')
      check "$cmd" 0 '"value": "Hello, world!"' npx aloft run examples/hello.yml ;;
    'npx aloft run examples/hello.yml --input who=Ada')
      check "$cmd" 0 'Hello, Ada!' npx aloft run examples/hello.yml --input who=Ada ;;
    'npx aloft run examples/subflow.yml --flows examples/flows')
      check "$cmd" 0 'execution \S+ SUCCESS' npx aloft run examples/subflow.yml --flows examples/flows ;;
    'npx aloft run examples/inputs-file.yml --input count=3 --file data=examples/files/data.csv')
      check "$cmd" 0 'execution \S+ SUCCESS' npx aloft run examples/inputs-file.yml --input count=3 --file data=examples/files/data.csv ;;
    'npx aloft run examples/each.yml --json')
      check "$cmd" 0 '"current": "SUCCESS"' npx aloft run examples/each.yml --json ;;
    'npx aloft validate examples/*.yml')
      check "$cmd" 0 'examples/hello.yml: flow io.aloft.examples.hello is valid' bash -c 'npx aloft validate examples/*.yml' ;;
    'npx aloft server --flows examples/triggers --port 8080 --token local-secret-1')
      (cd "$CLONE" && exec setsid npx aloft server --flows examples/triggers --port "$PORT" --token local-secret-1) >"$WORK/server.txt" 2>&1 &
      SERVER_PID=$!
      for _ in $(seq 1 300); do grep -q 'listening on' "$WORK/server.txt" && break; sleep 0.1; done
      if grep -q "aloft server listening on http://127.0.0.1:$PORT" "$WORK/server.txt"; then ok "$cmd"; else fail "$cmd: never listened"; cat "$WORK/server.txt" >&2; fi ;;
    'export ALOFT_SERVER=http://127.0.0.1:8080 ALOFT_API_TOKEN=local-secret-1')
      export ALOFT_SERVER="http://127.0.0.1:$PORT" ALOFT_API_TOKEN=local-secret-1; ok "$cmd" ;;
    'npx aloft flow deploy examples/hello.yml')
      check "$cmd" 0 'io.aloft.examples.hello revision 1' npx aloft flow deploy examples/hello.yml ;;
    'npx aloft execution start io.aloft.examples hello --input who=Ada --wait')
      check "$cmd" 0 '^execution \S+ SUCCESS$' npx aloft execution start io.aloft.examples hello --input who=Ada --wait ;;
    'npx aloft execution list')
      check "$cmd" 0 $'\tio.aloft.examples.hello\tSUCCESS\t' npx aloft execution list ;;
    'npx aloft flow list')
      check "$cmd" 0 $'^io.aloft.examples\thello\trevision 1$' npx aloft flow list ;;
    'source <(aloft completion bash)')
      check "$cmd" 0 'complete -o default -F _aloft_completion aloft' npx aloft completion bash ;;
    'source <(aloft completion zsh)')
      check "$cmd" 0 '^#compdef aloft$' npx aloft completion zsh ;;
    'npm ci && npm run build:functions')
      check "$cmd" 0 'worker-core.*MB bundle' npm run build:functions ;;
    'cd infra && cp terraform.tfvars.example terraform.tfvars')
      check "$cmd" 0 '' bash -c 'cd infra && cp terraform.tfvars.example terraform.tfvars && test -s terraform.tfvars' ;;
    'npm run dev')
      skip "$cmd" 'starts the Cloud SDK emulators; test:all runs aloft dev in test/unit/runtime-cloud/dev-command.test.ts and the cloud e2e tests' ;;
    'terraform init && terraform apply')
      skip "$cmd" 'needs the Terraform registry and a Google Cloud project; test:all checks infra/ offline' ;;
    'npm run test:all')
      skip "$cmd" 'this script runs inside it' ;;
    *)
      fail "the README shows a command this script does not check: $cmd" ;;
  esac
done < <(awk '/^```sh/{f=1;next}/^```/{f=0}f' "$CLONE/README.md")

# Installed globally from the clone, as the README says, into a private prefix.
echo "== npm install -g . (prefix $WORK/global)"
if (cd "$CLONE" && npm install -g . --prefix "$WORK/global" --no-audit --no-fund >"$WORK/npm-g.log" 2>&1); then
  VERSION="$(node -p "require('$CLONE/package.json').version")"
  mkdir -p "$WORK/elsewhere"
  cp "$CLONE/examples/hello.yml" "$WORK/elsewhere/"
  CLONE="$WORK/elsewhere" check 'aloft --version (global install)' 0 "^$VERSION\$" "$WORK/global/bin/aloft" --version
  CLONE="$WORK/elsewhere" check 'aloft run hello.yml (global install, another folder)' 0 'Hello, world!' "$WORK/global/bin/aloft" run hello.yml
else
  tail -n 20 "$WORK/npm-g.log" >&2; fail 'npm install -g .'
fi

stop_server
if [ "$failures" -gt 0 ]; then echo "fresh clone: $failures check(s) failed" >&2; exit 1; fi
echo "fresh clone: every README command checked"
