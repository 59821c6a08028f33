# shellcheck shell=bash
# Sourced by lab.sh: two memcached 1.6 nodes (n1, n2) for memcached-session-manager and the console's
# memcached store adapter. 127.0.0.1 only, TCP only (-U 0), lru_crawler on (1.6 default) so that
# `lru_crawler metadump all` lists keys. memcached refuses to run as root: as root it drops to
# "memcache" (created by the Debian package; "nobody" if missing) with -u.
MEMCACHED_BIN=/usr/bin/memcached
LAB_MEMCACHED_IDS=(1 2)
# The sticky MSM context's own nodes (/sticky): another application's memcached, so that neither store
# counts the other's keys (MSM writes bare ids on both without a storageKeyPrefix).
LAB_MEMCACHED_STICKY_IDS=(4 5)
# Spares: started and stopped with the lab but in no MSM memcachedNodes list nor in the inventory's
# stores, so "replace a store server" has a real, empty target (tests flush it when they are done).
LAB_MEMCACHED_SPARE_IDS=(3)

memcached_port() { local v="LAB_MEMCACHED$1_PORT"; printf '%s' "${!v}"; }
memcached_root() { echo "$LAB_DIR/memcached-n$1"; }
memcached_pidfile() { echo "$LAB_DIR/run/memcached-n$1.pid"; }
# The command line starts "<bin> -l <host> -p <port> ": unique per node.
memcached_pid() { pid_if_ours "$(memcached_pidfile "$1")" "$MEMCACHED_BIN -l $LAB_HOST -p $(memcached_port "$1") "; }
memcached_nodes() { # [ids…] MSM memcachedNodes syntax: n1:host:port,n2:host:port (default: /msm's nodes)
  local n out=() ids=("$@")
  ((${#ids[@]})) || ids=("${LAB_MEMCACHED_IDS[@]}")
  for n in "${ids[@]}"; do out+=("n$n:$LAB_HOST:$(memcached_port "$n")"); done
  local IFS=,
  echo "${out[*]}"
}

memcached_user() {
  [[ $(id -u) == 0 ]] || { id -un; return; }
  if id memcache >/dev/null 2>&1; then echo memcache; else echo nobody; fi
}

# One text-protocol command; prints the reply up to END/OK/STORED/... (1 s read timeout).
memcached_cmd() { # N command
  local port line
  port=$(memcached_port "$1")
  exec 7<>"/dev/tcp/$LAB_HOST/$port" || return 1
  printf '%s\r\n' "$2" >&7
  while IFS= read -r -t 1 line <&7; do
    line=${line%$'\r'}
    printf '%s\n' "$line"
    [[ $line =~ ^(END|OK|STORED|NOT_STORED|DELETED|NOT_FOUND|ERROR|CLIENT_ERROR.*|SERVER_ERROR.*|VERSION.*)$ ]] && break
  done
  exec 7>&-
}

memcached_ready() { [[ $(memcached_cmd "$1" version 2>/dev/null) == VERSION* ]]; }

start_memcached() {
  local n=$1 pid port root
  pid=$(memcached_pid "$n")
  if [[ -n $pid ]]; then log "memcached-n$n already running (pid $pid)"; return 0; fi
  port=$(memcached_port "$n")
  port_busy "$port" && die "memcached-n$n: port $port is already in use by another process"
  root=$(memcached_root "$n")
  mkdir -p "$root"
  echo "===== $(date -Is) starting memcached-n$n =====" >>"$root/memcached.log"
  # -v logs errors/warnings to stderr (the log). -c: the benchmark opens many connections.
  setsid "$MEMCACHED_BIN" -l "$LAB_HOST" -p "$port" -U 0 -m "$LAB_MEMCACHED_MB" -c 4096 -t 4 \
    -u "$(memcached_user)" -o lru_crawler -v >>"$root/memcached.log" 2>&1 </dev/null &
  echo $! >"$(memcached_pidfile "$n")"
  wait_daemon "memcached-n$n" "$!" memcached_ready "$n" "$root/memcached.log"
  log "memcached-n$n up on $LAB_HOST:$port (pid $!, ${LAB_MEMCACHED_MB} MB)"
}

stop_memcached() { stop_daemon "memcached-n$1" "$(memcached_pid "$1")" "$(memcached_pidfile "$1")"; }
