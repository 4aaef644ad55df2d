#!/usr/bin/env bash
# A Kafka protocol peer for integration tests: librdkafka's mock cluster (3 brokers), started through
# kcat and bound to 127.0.0.1 on ports it picks. kcat runs as a producer whose stdin never ends, which
# keeps the mock cluster alive until it is stopped by PID. Usage: scripts/services/kafka.sh start|stop
# Exports KAFKA_BOOTSTRAP (host:port,host:port,host:port).
set -euo pipefail

NAME=kafka
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUN_DIR="$ROOT/.aloft/run"
PID_FILE="$RUN_DIR/$NAME.pid"
FEED_PID_FILE="$RUN_DIR/$NAME.feed.pid"
ENV_FILE="$RUN_DIR/$NAME.env"
LOG_FILE="$RUN_DIR/$NAME.log"
FIFO="$RUN_DIR/$NAME.stdin"

die() { echo "kafka.sh: $*" >&2; exit 1; }

alive() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

install_if_missing() {
  command -v kcat >/dev/null 2>&1 && return 0
  echo "kafka.sh: kcat not found, installing it with apt-get" >&2
  [[ $EUID -eq 0 ]] || die "kcat is not installed and this is not root: apt-get install -y kcat"
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kcat >/dev/null
  command -v kcat >/dev/null 2>&1 || die "apt-get installed kcat but no kcat command was found"
}

stop_pid_file() {
  local file=$1 pid i
  [[ -f "$file" ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

start() {
  if alive; then echo "kafka.sh: already running (pid $(cat "$PID_FILE"))"; return 0; fi
  install_if_missing
  mkdir -p "$RUN_DIR"
  rm -f "$FIFO" "$LOG_FILE"
  mkfifo "$FIFO"
  # The mock cluster binds its brokers to 127.0.0.1 (librdkafka's mock listens on loopback only);
  # bootstrap.servers is ignored once test.mock.num.brokers is set.
  kcat -P -t aloft-keepalive -X test.mock.num.brokers=3 -b 127.0.0.1:1 <"$FIFO" >/dev/null 2>"$LOG_FILE" &
  echo $! > "$PID_FILE"
  # Holds the FIFO's write end open without ever writing, so kcat waits on stdin forever.
  sleep infinity >"$FIFO" 2>/dev/null </dev/null &
  echo $! > "$FEED_PID_FILE"
  local i bootstrap=""
  for i in $(seq 1 100); do
    bootstrap=$(sed -n 's/.*replaced with \([0-9.:,]*\).*/\1/p' "$LOG_FILE" | head -1)
    [[ -n "$bootstrap" ]] && break
    alive || break
    sleep 0.1
  done
  if [[ -z "$bootstrap" ]]; then
    cat "$LOG_FILE" >&2 || true
    stop
    die "the mock cluster did not print its bootstrap address within 10 s"
  fi
  [[ "$bootstrap" =~ ^(127\.0\.0\.1:[0-9]+,?)+$ ]] || { stop; die "the mock cluster is not on 127.0.0.1: $bootstrap"; }
  echo "KAFKA_BOOTSTRAP=$bootstrap" > "$ENV_FILE"
  echo "kafka.sh: Kafka mock cluster on $bootstrap (pid $(cat "$PID_FILE"))"
}

stop() {
  stop_pid_file "$PID_FILE"
  stop_pid_file "$FEED_PID_FILE"
  rm -f "$ENV_FILE" "$FIFO" "$LOG_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
