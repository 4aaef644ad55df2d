#!/usr/bin/env bash
# PostgreSQL for integration tests: an own throwaway cluster (initdb in a temp dir), bound to
# 127.0.0.1 on a free port, with password authentication so that wrong credentials fail as they would
# in production. Usage: scripts/services/postgres.sh start|stop
# Exports ALOFT_TEST_PG_URL (a superuser URL; tests create one database each).
set -euo pipefail

NAME=postgres
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR="$ROOT/.aloft/run"
PID_FILE="$RUN_DIR/$NAME.pid"
ENV_FILE="$RUN_DIR/$NAME.env"
DIR_FILE="$RUN_DIR/$NAME.datadir"

die() { echo "postgres.sh: $*" >&2; exit 1; }

alive() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

# Runs a command as the postgres system user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
  return 1
}

install_if_missing() {
  find_bin >/dev/null && return 0
  echo "postgres.sh: PostgreSQL not found, installing it with apt-get" >&2
  [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and this is not root: apt-get install -y postgresql"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q postgresql >/dev/null
  find_bin >/dev/null || die "apt-get installed postgresql but no initdb was found"
}

free_port() { node "$ROOT/scripts/services/free-port.cjs"; }

start() {
  if alive; then echo "postgres.sh: already running (pid $(cat "$PID_FILE"))"; return 0; fi
  install_if_missing
  local bin port password data
  bin=$(find_bin)
  mkdir -p "$RUN_DIR"
  data=$(mktemp -d /tmp/aloft-postgres.XXXXXX)
  echo "$data" > "$DIR_FILE"
  password=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
  printf '%s\n' "$password" > "$data/pwfile"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run the server as"
    chown -R postgres: "$data"
  fi
  chmod 700 "$data"
  as_pg "$bin/initdb" -D "$data/pgdata" -U postgres --pwfile="$data/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; die "initdb failed"; }
  rm -f "$data/pwfile"
  port=$(free_port)
  # fsync off and friends: a test server holds nothing worth keeping.
  as_pg "$bin/pg_ctl" -D "$data/pgdata" -l "$data/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    >/dev/null || { cat "$data/server.log" >&2; die "the server did not start within 60 s"; }
  head -1 "$data/pgdata/postmaster.pid" > "$PID_FILE"
  echo "ALOFT_TEST_PG_URL=postgresql://postgres:$password@127.0.0.1:$port/postgres" > "$ENV_FILE"
  echo "postgres.sh: PostgreSQL on 127.0.0.1:$port (pid $(cat "$PID_FILE"), data $data)"
}

stop() {
  if alive; then
    local pid i
    pid=$(cat "$PID_FILE")
    kill -INT "$pid" 2>/dev/null || true # fast shutdown: disconnects clients, no waiting for them
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  fi
  if [[ -f "$DIR_FILE" ]]; then
    local data
    data=$(cat "$DIR_FILE")
    [[ "$data" == /tmp/aloft-postgres.* ]] && rm -rf "$data"
  fi
  rm -f "$PID_FILE" "$ENV_FILE" "$DIR_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
