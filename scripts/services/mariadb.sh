#!/usr/bin/env bash
# MariaDB for integration tests: an own datadir in a temp dir (mariadb-install-db), mariadbd bound to
# 127.0.0.1 on a free port, root with a random password (tests create one database each).
# Usage: scripts/services/mariadb.sh start|stop
# Exports ALOFT_TEST_MYSQL_URL (mysql://root:<password>@127.0.0.1:<port>/).
set -euo pipefail

NAME=mariadb
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR="$ROOT/.aloft/run"
PID_FILE="$RUN_DIR/$NAME.pid"
ENV_FILE="$RUN_DIR/$NAME.env"
DIR_FILE="$RUN_DIR/$NAME.datadir"

die() { echo "mariadb.sh: $*" >&2; exit 1; }

alive() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

install_if_missing() {
  command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] && return 0
  echo "mariadb.sh: mariadbd not found, installing mariadb-server with apt-get" >&2
  [[ $EUID -eq 0 ]] || die "mariadb-server is not installed and this is not root: apt-get install -y mariadb-server"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q mariadb-server >/dev/null
  [[ -x /usr/sbin/mariadbd ]] || command -v mariadbd >/dev/null 2>&1 || die "apt-get installed mariadb-server but no mariadbd was found"
}

free_port() { node "$ROOT/scripts/services/free-port.cjs"; }

start() {
  if alive; then echo "mariadb.sh: already running (pid $(cat "$PID_FILE"))"; return 0; fi
  install_if_missing
  local mariadbd data port password user_opt=() i
  mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
  mkdir -p "$RUN_DIR"
  data=$(mktemp -d /tmp/aloft-mariadb.XXXXXX)
  echo "$data" > "$DIR_FILE"
  if [[ $EUID -eq 0 ]]; then
    id mysql >/dev/null 2>&1 || die "no 'mysql' system user to run the server as"
    chown mysql: "$data"
    user_opt=(--user=mysql)
  fi
  chmod 755 "$data"
  mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$data/db" --auth-root-authentication-method=normal \
    --skip-test-db >"$data/install.log" 2>&1 || { cat "$data/install.log" >&2; die "mariadb-install-db failed"; }
  port=$(free_port)
  # Durability settings are relaxed: a test server holds nothing worth keeping.
  nohup "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$data/db" --socket="$data/mariadb.sock" \
    --pid-file="$data/mariadb.pid" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$data/error.log" --max-connections=500 --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 </dev/null &
  echo $! > "$PID_FILE"
  for i in $(seq 1 600); do
    mariadb-admin --no-defaults --socket="$data/mariadb.sock" -uroot ping >/dev/null 2>&1 && break
    alive || { cat "$data/error.log" >&2; die "mariadbd exited while starting"; }
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$data/mariadb.sock" -uroot ping >/dev/null 2>&1 \
    || { cat "$data/error.log" >&2; stop; die "mariadbd did not answer within 60 s"; }
  password=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
  mariadb --no-defaults --socket="$data/mariadb.sock" -uroot -e "
    CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    FLUSH PRIVILEGES;" || { stop; die "could not set the root password"; }
  echo "ALOFT_TEST_MYSQL_URL=mysql://root:$password@127.0.0.1:$port/" > "$ENV_FILE"
  echo "mariadb.sh: MariaDB on 127.0.0.1:$port (pid $(cat "$PID_FILE"), data $data)"
}

stop() {
  if alive; then
    local pid i
    pid=$(cat "$PID_FILE")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  fi
  if [[ -f "$DIR_FILE" ]]; then
    local data
    data=$(cat "$DIR_FILE")
    [[ "$data" == /tmp/aloft-mariadb.* ]] && rm -rf "$data"
  fi
  rm -f "$PID_FILE" "$ENV_FILE" "$DIR_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
