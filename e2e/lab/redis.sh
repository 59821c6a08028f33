# shellcheck shell=bash
# Sourced by lab.sh: two Redis 7 servers (r1, r2) for the Redis-based session managers (Redisson,
# tomcat-redis-session-manager, Spring Session). 127.0.0.1 only, no persistence (--save '' and
# --appendonly no), protected-mode off (loopback lab), notify-keyspace-events left at its default.
# Runs in the foreground under setsid (daemonize no); as root it drops to "redis" with setpriv
# (an exec, so $! stays the server's PID).
REDIS_BIN=/usr/bin/redis-server
LAB_REDIS_IDS=(1 2)
# Spare (not in the inventory): the empty target of "replace a store server"; tests flush it after use.
LAB_REDIS_SPARE_IDS=(3)

redis_port() { local v="LAB_REDIS$1_PORT"; printf '%s' "${!v}"; }
redis_root() { echo "$LAB_DIR/redis-r$1"; }
redis_pidfile() { echo "$LAB_DIR/run/redis-r$1.pid"; }
redis_url() { echo "redis://$LAB_HOST:$(redis_port "$1")"; }
# Redis sets its process title to "<argv0> <bind>:<port>" (proc-title-template default).
redis_pid() { pid_if_ours "$(redis_pidfile "$1")" "redis-server $LAB_HOST:$(redis_port "$1")"; }

# RESP PING over bash /dev/tcp (redis-cli is not needed).
redis_ping() { # N -> prints PONG
  local port line
  port=$(redis_port "$1")
  exec 8<>"/dev/tcp/$LAB_HOST/$port" || return 1
  printf '*1\r\n$4\r\nPING\r\n' >&8
  IFS= read -r -t 1 line <&8 || true
  exec 8>&-
  line=${line%$'\r'}
  printf '%s\n' "${line#+}"
}
redis_ready() { [[ $(redis_ping "$1" 2>/dev/null) == PONG ]]; }

start_redis() {
  local n=$1 pid port root
  pid=$(redis_pid "$n")
  if [[ -n $pid ]]; then log "redis-r$n already running (pid $pid)"; return 0; fi
  port=$(redis_port "$n")
  port_busy "$port" && die "redis-r$n: port $port is already in use by another process"
  root=$(redis_root "$n")
  mkdir -p "$root"
  local cmd=("$REDIS_BIN" --port "$port" --bind "$LAB_HOST" --protected-mode no --save '' --appendonly no
    --daemonize no --dir "$root" --logfile "$root/redis.log")
  if [[ $(id -u) == 0 ]] && id redis >/dev/null 2>&1; then
    chown redis: "$root"
    cmd=(setpriv --reuid=redis --regid=redis --init-groups -- "${cmd[@]}")
  fi
  # No config file: everything on the command line. --dir: where a (never written) dump would go.
  # (redis.log is written by the server itself, as its user; stdout.log catches anything before that.)
  setsid "${cmd[@]}" </dev/null >>"$root/stdout.log" 2>&1 &
  echo $! >"$(redis_pidfile "$n")"
  wait_daemon "redis-r$n" "$!" redis_ready "$n" "$root/redis.log" "$root/stdout.log"
  log "redis-r$n up on $LAB_HOST:$port (pid $!)"
}

# SIGTERM: Redis shuts down cleanly (and, with save "", writes no dump).
stop_redis() { stop_daemon "redis-r$1" "$(redis_pid "$1")" "$(redis_pidfile "$1")"; }
