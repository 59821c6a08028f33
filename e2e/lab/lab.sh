#!/usr/bin/env bash
# ClusterDeck lab: 3 Tomcat 10 nodes (DeltaManager, static membership) behind four frontends (A: Apache
# mod_proxy_balancer + balancer-manager, B: Apache mod_jk + jkstatus, C: HAProxy + runtime API, D: nginx
# with an upstream include file), PostgreSQL, memcached and Redis nodes, all on 127.0.0.1. Each Tomcat
# also runs the Manager app at /manager and the demo app again at /msm (MSM stand-in, sessions in
# memcached), /jdbc (PersistentManager + DataSourceStore on PostgreSQL) and /redis (Redis stand-in).
#
#   bash e2e/lab/lab.sh up|down|status|install
#   bash e2e/lab/lab.sh kill-member tomcatN | stop-member tomcatN | start-member tomcatN | restart-frontend a|b|c|d
#   bash e2e/lab/lab.sh kill-store n1…n5|r1|r2|r3 | start-store n1…n5|r1|r2|r3
#
# Everything lives under LAB_DIR (default <repo>/.lab). Ports come from the environment, else from
# $LAB_DIR/lab.env (written by `up`, removed by `down`), else the defaults below. No systemd: every
# process is started here, tracked by a PID file, and stopped by that PID only.
set -euo pipefail
# A caller's lock (`flock /tmp/cdlab.lock bash e2e/lab/lab.sh up`) is an open descriptor that every
# daemon started here would inherit and so hold for its whole life, locking everyone out: close all
# inherited descriptors above stderr (bash keeps the script itself on 255).
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  if ((fd > 2 && fd < 255)); then eval "exec $fd>&-"; fi
done

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
# shellcheck source=render.sh
source "$SCRIPT_DIR/render.sh"
# shellcheck source=postgres.sh
source "$SCRIPT_DIR/postgres.sh"
# shellcheck source=memcached.sh
source "$SCRIPT_DIR/memcached.sh"
# shellcheck source=redis.sh
source "$SCRIPT_DIR/redis.sh"
# shellcheck source=haproxy.sh
source "$SCRIPT_DIR/haproxy.sh"
# shellcheck source=nginx.sh
source "$SCRIPT_DIR/nginx.sh"
# shellcheck source=prometheus.sh
source "$SCRIPT_DIR/prometheus.sh"
# shellcheck source=alertmanager.sh
source "$SCRIPT_DIR/alertmanager.sh"

LAB_DIR=${LAB_DIR:-$REPO_DIR/.lab}
LAB_HOST=127.0.0.1
CATALINA_HOME=/usr/share/tomcat10
APACHE_BIN=/usr/sbin/apache2
APACHE_MODULES=/usr/lib/apache2/modules
MANAGER_DOCBASE=/usr/share/tomcat10-admin/manager

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $LAB_DIR =~ [[:space:]] ]] && die "LAB_DIR must not contain whitespace: '$LAB_DIR'"

# ---------------------------------------------------------------------------------------------
# Settings: environment > $LAB_DIR/lab.env > defaults
LAB_SETTINGS=()
declare -A LAB_DEFAULTS=()
setting() { LAB_SETTINGS+=("$1"); LAB_DEFAULTS[$1]=$2; }
for n in "${LAB_TOMCAT_IDS[@]}"; do
  setting "LAB_TOMCAT${n}_HTTP_PORT" "1808$n"
  setting "LAB_TOMCAT${n}_AJP_PORT" "1809$n"
  setting "LAB_TOMCAT${n}_SHUTDOWN_PORT" "1800$n"
  setting "LAB_TOMCAT${n}_CLUSTER_PORT" "1410$n"
done
setting LAB_FRONTEND_A_PORT 18080
setting LAB_FRONTEND_B_PORT 18090
setting LAB_FRONTEND_C_PORT 18100   # HAProxy (haproxy.sh)
setting LAB_HAPROXY_API_PORT 18101  # its runtime API (stats socket, TCP, level admin)
setting LAB_FRONTEND_D_PORT 18110   # nginx (nginx.sh)
setting LAB_POSTGRES_PORT 15432
setting LAB_MEMCACHED1_PORT 11311
setting LAB_MEMCACHED2_PORT 11312
setting LAB_MEMCACHED3_PORT 11313   # spare n3: not in MSM memcachedNodes nor the inventory
setting LAB_MEMCACHED4_PORT 11314   # n4, n5: the sticky MSM context's own nodes (/sticky, store msm-sticky)
setting LAB_MEMCACHED5_PORT 11315
setting LAB_MEMCACHED_MB 1024      # memcached -m (MB) per node
setting LAB_REDIS1_PORT 16379
setting LAB_REDIS2_PORT 16380
setting LAB_REDIS3_PORT 16381      # spare r3: not in the inventory
setting LAB_MANAGER_USER clusterdeck          # Tomcat Manager app user (manager-script, manager-jmx)
setting LAB_MANAGER_PASSWORD clusterdeck-lab
setting LAB_TOMCAT_HEAP_MIN 64m
setting LAB_TOMCAT_HEAP_MAX 256m
setting LAB_START_TIMEOUT 120      # seconds to wait for one Tomcat to answer HTTP
setting LAB_BALANCER_RETRY 5       # mod_proxy BalancerMember retry= (s) after an error
setting LAB_JK_RECOVER_TIME 10     # mod_jk lb recover_time (s)
setting LAB_PROMETHEUS_PORT 19090    # Prometheus (prometheus.sh)
setting LAB_ALERTMANAGER_PORT 19093  # Alertmanager (alertmanager.sh)

load_settings() {
  local k v f="$LAB_DIR/lab.env"
  if [[ -f $f ]]; then
    while IFS='=' read -r k v; do
      [[ $k =~ ^LAB_[A-Z0-9_]+$ && -n ${LAB_DEFAULTS[$k]+x} ]] || continue
      [[ -n ${!k+x} ]] || printf -v "$k" '%s' "$v"
    done <"$f"
  fi
  for k in "${LAB_SETTINGS[@]}"; do
    [[ -n ${!k+x} && -n ${!k} ]] || printf -v "$k" '%s' "${LAB_DEFAULTS[$k]}"
  done
  local -A seen=()
  for k in "${LAB_SETTINGS[@]}"; do
    [[ $k == *_PORT ]] || continue
    v=${!k}
    [[ $v =~ ^[0-9]+$ ]] && ((v > 0 && v < 65536)) || die "$k='$v' is not a port number"
    [[ -z ${seen[$v]+x} ]] || die "$k and ${seen[$v]} are both $v"
    seen[$v]=$k
  done
  if [[ $(id -u) == 0 ]]; then
    LAB_HTTPD_USER=www-data LAB_HTTPD_GROUP=www-data # httpd refuses to run its children as root
  else
    LAB_HTTPD_USER=$(id -un) LAB_HTTPD_GROUP=$(id -gn)
  fi
}

# ---------------------------------------------------------------------------------------------
# Packages (only when something needed is missing; CI starts from a fresh Debian 12)
servlet_api_jar() {
  local j
  for j in "$CATALINA_HOME/lib/servlet-api.jar" /usr/share/java/tomcat10-servlet-api.jar; do
    [[ -f $j ]] && { echo "$j"; return 0; }
  done
  return 1
}

missing_packages() {
  local m
  [[ -x $APACHE_BIN ]] || echo apache2
  for m in mpm_event authz_core authz_host mime slotmem_shm proxy proxy_http proxy_balancer lbmethod_byrequests; do
    [[ -f $APACHE_MODULES/mod_$m.so ]] || { echo apache2-bin; break; }
  done
  [[ -f $APACHE_MODULES/mod_jk.so ]] || echo libapache2-mod-jk
  [[ -f $CATALINA_HOME/bin/bootstrap.jar && -f $CATALINA_HOME/etc/web.xml && -f $CATALINA_HOME/etc/catalina.properties ]] || echo tomcat10
  [[ -d $MANAGER_DOCBASE ]] || echo tomcat10-admin
  [[ -e $CATALINA_HOME/lib/catalina-ha.jar && -e $CATALINA_HOME/lib/catalina-tribes.jar ]] && servlet_api_jar >/dev/null || echo libtomcat10-java
  [[ -x /usr/bin/chromium ]] || echo chromium
  command -v java >/dev/null && command -v javac >/dev/null || echo openjdk-17-jdk-headless
  command -v curl >/dev/null || echo curl
  [[ -f /etc/mime.types ]] || echo media-types
  [[ -x $PG_BIN/postgres && -x $PG_BIN/initdb ]] || echo postgresql-15
  [[ -x $MEMCACHED_BIN ]] || echo memcached
  [[ -x $REDIS_BIN ]] || echo redis-server
  [[ -x $HAPROXY_BIN ]] || echo haproxy
  [[ -x $NGINX_BIN ]] || echo nginx
  [[ -x $PROMETHEUS_BIN && -x $PROMTOOL_BIN ]] || echo prometheus
  [[ -x $ALERTMANAGER_BIN ]] || echo prometheus-alertmanager
  [[ -f $PG_JDBC_JAR ]] || echo libpostgresql-jdbc-java # /jdbc: Tomcat's DataSourceStore on the lab PostgreSQL
}

ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages | sort -u)
  ((${#missing[@]} == 0)) && return 0
  log "installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  # Keep the packages' maintainer scripts from starting Debian's own apache2/tomcat10 services.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    created_policy=1
  fi
  local rc=0
  "${sudo[@]}" apt-get update || rc=$?
  ((rc == 0)) && { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?; }
  ((created_policy)) && "${sudo[@]}" rm -f "$policy"
  ((rc == 0)) || die "apt-get failed (exit $rc)"
  mapfile -t missing < <(missing_packages | sort -u)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# Process helpers: a PID counts only if it is alive AND its command line is ours (no PID reuse).
cmdline_of() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

pid_if_ours() { # pidfile pattern
  local pid
  [[ -f $1 ]] || return 0
  pid=$(tr -dc '0-9' <"$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ $(cmdline_of "$pid") == *"$2"* ]] && echo "$pid"
  return 0
}

tomcat_base() { echo "$LAB_DIR/tomcat$1"; }
tomcat_pidfile() { echo "$LAB_DIR/run/tomcat$1.pid"; }
tomcat_pid() { pid_if_ours "$(tomcat_pidfile "$1")" "-Dcatalina.base=$(tomcat_base "$1") "; }
frontend_root() { echo "$LAB_DIR/frontend-$1"; }
frontend_pid() { pid_if_ours "$(frontend_root "$1")/run/httpd.pid" "$(frontend_root "$1")/conf/httpd.conf"; }
frontend_port() { if [[ $1 == a ]]; then echo "$LAB_FRONTEND_A_PORT"; else echo "$LAB_FRONTEND_B_PORT"; fi; }
frontend_probe_url() {
  # No query string: balancer-manager logs an AH10187 error for parameters sent without a Referer.
  if [[ $1 == a ]]; then echo "http://$LAB_HOST:$LAB_FRONTEND_A_PORT/balancer-manager"
  else echo "http://$LAB_HOST:$LAB_FRONTEND_B_PORT/jkstatus?cmd=version&mime=txt"; fi
}

port_busy() { (exec 3<>"/dev/tcp/$LAB_HOST/$1") 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

# A zombie (state Z, dead but not yet reaped by its new parent) counts as gone, but only once its
# last thread has exited too: a multi-threaded daemon's leader turns Z first while another thread
# still frees the memory and then closes the sockets (a killed memcached holding 1 GiB kept its port
# for a moment, and the restart right after found it busy).
alive() {
  local state tasks
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] && return 0
  tasks=$(find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  ((tasks > 1))
}

# A daemon just started in the background: wait up to 10 s until `ready_fn arg` succeeds; if the process
# dies first or time runs out, show the tail of its logs and stop the lab's start-up with an error.
wait_daemon() { # name pid ready_fn ready_arg logfile...
  local name=$1 pid=$2 ready=$3 arg=$4 start=$SECONDS
  shift 4
  while ((SECONDS - start < 10)); do
    "$ready" "$arg" && return 0
    alive "$pid" || break
    sleep 0.1
  done
  tail -n 20 "$@" >&2 || true
  die "$name did not start (log: $1)"
}

# SIGTERM, then SIGKILL after 10 s; the pid file goes either way.
stop_daemon() { # name pid pidfile
  local name=$1 pid=$2
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 10; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "$name (pid $pid) does not die"
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$3"
}

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    alive "$1" || return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Webapp: compiled once per source change into $LAB_DIR/build/app, copied into stopped nodes.
build_webapp() {
  local src="$SCRIPT_DIR/webapp" out="$LAB_DIR/build/app" sum api
  sum=$(cat "$src"/src/lab/*.java "$src/WEB-INF/web.xml" | sha256sum | cut -c1-64)
  [[ -d $out && -f $LAB_DIR/build/app.sha256 && $(<"$LAB_DIR/build/app.sha256") == "$sum" ]] && return 0
  api=$(servlet_api_jar) || die "servlet API jar not found (libtomcat10-java)"
  log "compiling the demo webapp against $api"
  local tmp="$LAB_DIR/build/app.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp/WEB-INF/classes"
  javac --release 17 -encoding UTF-8 -nowarn -cp "$api" -d "$tmp/WEB-INF/classes" "$src"/src/lab/*.java ||
    die "javac failed"
  cp "$src/WEB-INF/web.xml" "$tmp/WEB-INF/web.xml"
  rm -rf "$out" && mv "$tmp" "$out"
  echo "$sum" >"$LAB_DIR/build/app.sha256"
}

# Lab-only MSM stand-in (NOT memcached-session-manager; see msm-standin/src/lab/msm/StandinMsmManager.java):
# the manager + valve jar (copied into each CATALINA_BASE/lib) and the /msm webapp, which is the demo
# app's compiled classes with a web.xml that is not distributable. Call after build_webapp.
build_msm_standin() {
  local src="$SCRIPT_DIR/msm-standin" out="$LAB_DIR/build/msm" sum api cp
  sum=$( (cat "$src"/src/lab/msm/*.java; cat "$LAB_DIR/build/app.sha256") | sha256sum | cut -c1-64)
  [[ -d $out && -f $LAB_DIR/build/msm-standin.jar && -f $LAB_DIR/build/msm.sha256 &&
    $(<"$LAB_DIR/build/msm.sha256") == "$sum" ]] && return 0
  api=$(servlet_api_jar) || die "servlet API jar not found (libtomcat10-java)"
  cp="$api:$CATALINA_HOME/lib/catalina.jar:$CATALINA_HOME/lib/tomcat-util.jar:$CATALINA_HOME/lib/tomcat-api.jar:$CATALINA_HOME/bin/tomcat-juli.jar"
  log "compiling the lab MSM stand-in (lab.msm.StandinMsmManager)"
  local tmp="$LAB_DIR/build/msm-standin.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp/classes"
  javac --release 17 -encoding UTF-8 -nowarn -cp "$cp" -d "$tmp/classes" "$src"/src/lab/msm/*.java 2>&1 |
    grep -v 'aQute.bnd.annotation\|^1 warning$' >&2 || true
  [[ -f $tmp/classes/lab/msm/StandinMsmManager.class ]] || die "javac failed (msm-standin)"
  jar --create --file "$tmp/msm-standin.jar" -C "$tmp/classes" . || die "jar failed (msm-standin)"
  rm -rf "$tmp/msm" && cp -r "$LAB_DIR/build/app" "$tmp/msm"
  sed -i -e '/Sessions are replicated by the Cluster/d' -e '/<distributable\/>/d' "$tmp/msm/WEB-INF/web.xml"
  grep -q distributable "$tmp/msm/WEB-INF/web.xml" && die "msm web.xml is still distributable"
  mv "$tmp/msm-standin.jar" "$LAB_DIR/build/msm-standin.jar"
  rm -rf "$out" && mv "$tmp/msm" "$out"
  rm -rf "$tmp"
  echo "$sum" >"$LAB_DIR/build/msm.sha256"
}

# Lab-only stand-in for jcoleman tomcat-redis-session-manager (NOT that project; see
# redis-standin/src/lab/redis/StandinJcolemanStore.java): a Store for Tomcat's PersistentManager that
# writes the manager's Redis layout; one jar copied into each CATALINA_BASE/lib. Call after build_webapp.
build_redis_standin() {
  local src="$SCRIPT_DIR/redis-standin/src" jar="$LAB_DIR/build/redis-standin.jar" sum api files
  mapfile -t files < <(find "$src" -name '*.java' | sort)
  sum=$(cat "${files[@]}" | sha256sum | cut -c1-64)
  [[ -f $jar && -f $jar.sha256 && $(<"$jar.sha256") == "$sum" ]] && return 0
  api=$(servlet_api_jar) || die "servlet API jar not found (libtomcat10-java)"
  log "compiling the lab Redis stand-in (lab.redis.StandinJcolemanStore)"
  local tmp="$LAB_DIR/build/redis-standin.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  javac --release 17 -encoding UTF-8 -nowarn -d "$tmp" "${files[@]}" \
    -cp "$api:$CATALINA_HOME/lib/catalina.jar:$CATALINA_HOME/lib/tomcat-util.jar:$CATALINA_HOME/lib/tomcat-api.jar:$CATALINA_HOME/bin/tomcat-juli.jar" 2>&1 |
    grep -v 'aQute.bnd.annotation\|^1 warning$' >&2 || true
  [[ -f $tmp/lab/redis/StandinJcolemanStore.class ]] || die "javac failed (redis-standin)"
  jar --create --file "$jar" -C "$tmp" . || die "jar failed (redis-standin)"
  rm -rf "$tmp"
  echo "$sum" >"$jar.sha256"
}

# ---------------------------------------------------------------------------------------------
# Tomcat
prepare_tomcat() {
  local n=$1 base etc
  base=$(tomcat_base "$n")
  etc=$CATALINA_HOME/etc
  mkdir -p "$base"/{conf/Catalina/localhost,logs,webapps,work,temp}
  render_tomcat_server_xml "$n" >"$base/conf/server.xml"
  render_tomcat_users_xml >"$base/conf/tomcat-users.xml"
  chmod 600 "$base/conf/tomcat-users.xml"
  render_manager_context_xml >"$base/conf/Catalina/localhost/manager.xml"
  render_tomcat_context_xml >"$base/conf/context.xml"
  render_tomcat_logging >"$base/conf/logging.properties"
  cp "$etc/catalina.properties" "$etc/web.xml" "$base/conf/"
  [[ -f $base/app-version.txt ]] || echo 1 >"$base/app-version.txt"
  rm -rf "$base/work/"* "$base/temp/"* "$base/webapps/app" "$base/webapps/msm"
  cp -r "$LAB_DIR/build/app" "$base/webapps/app"
  # /msm: the same app with the lab MSM stand-in as its Manager (sessions in memcached, non-sticky).
  mkdir -p "$base/lib"
  cp "$LAB_DIR/build/msm-standin.jar" "$base/lib/msm-standin.jar"
  cp -r "$LAB_DIR/build/msm" "$base/webapps/msm"
  render_msm_context_xml >"$base/conf/Catalina/localhost/msm.xml"
  # /sticky: the same again with the stand-in in sticky mode, on memcached n4/n5.
  rm -rf "$base/webapps/sticky"
  cp -r "$LAB_DIR/build/msm" "$base/webapps/sticky"
  render_sticky_context_xml "$n" >"$base/conf/Catalina/localhost/sticky.xml"
  # /jdbc and /redis: the same non-distributable app with PersistentManager + PersistentValve, sessions
  # in PostgreSQL (DataSourceStore; driver from Debian) and in Redis r2 (lab Redis stand-in Store).
  rm -rf "$base/webapps/jdbc" "$base/webapps/redis"
  cp -r "$LAB_DIR/build/msm" "$base/webapps/jdbc"
  cp -r "$LAB_DIR/build/msm" "$base/webapps/redis"
  cp "$PG_JDBC_JAR" "$base/lib/postgresql.jar"
  cp "$LAB_DIR/build/redis-standin.jar" "$base/lib/redis-standin.jar"
  render_jdbc_context_xml >"$base/conf/Catalina/localhost/jdbc.xml"
  render_redis_context_xml >"$base/conf/Catalina/localhost/redis.xml"
  # /backup (BackupManager) and /rebind (DeltaManager + JvmRouteBinderValve): the distributable app again.
  rm -rf "$base/webapps/backup" "$base/webapps/rebind"
  cp -r "$LAB_DIR/build/app" "$base/webapps/backup"
  cp -r "$LAB_DIR/build/app" "$base/webapps/rebind"
  render_backup_context_xml >"$base/conf/Catalina/localhost/backup.xml"
  render_rebind_context_xml >"$base/conf/Catalina/localhost/rebind.xml"
}

launch_tomcat() { # N [cold]: starts in the background, returns at once
  local n=$1 cold=${2:-} base pid p
  base=$(tomcat_base "$n")
  pid=$(tomcat_pid "$n")
  if [[ -n $pid ]]; then log "tomcat$n already running (pid $pid)"; return 0; fi
  for p in HTTP AJP SHUTDOWN CLUSTER; do
    port_busy "$(tomcat_var "$n" "$p")" && die "tomcat$n: port $(tomcat_var "$n" "$p") ($p) is already in use by another process"
  done
  prepare_tomcat "$n"
  local opts=(
    "-Xms$LAB_TOMCAT_HEAP_MIN" "-Xmx$LAB_TOMCAT_HEAP_MAX" -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -XX:ReservedCodeCacheSize=48m -XX:-UsePerfData -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED
    "-Djava.util.logging.config.file=$base/conf/logging.properties"
    -Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager
    # Cold start of the whole cluster: no peer has sessions; see DeltaManager in server.xml.
    "-Dlab.stateTransferTimeout=$([[ -n $cold ]] && echo 3 || echo 20)"
    # -Dcatalina.base must stay followed by another argument: tomcat_pid matches "...base=<dir> ".
    "-Dlab.node=tomcat$n" "-Dcatalina.home=$CATALINA_HOME" "-Dcatalina.base=$base" "-Djava.io.tmpdir=$base/temp"
  )
  echo "===== $(date -Is) starting tomcat$n =====" >>"$base/logs/catalina.out"
  # setsid: the JVM gets its own session, so the caller's Ctrl-C or process-group kill leaves it alone.
  # (In a non-interactive shell a background child is no group leader, so setsid execs in place and
  # $! is the JVM's PID.)
  setsid java "${opts[@]}" -cp "$CATALINA_HOME/bin/bootstrap.jar:$CATALINA_HOME/bin/tomcat-juli.jar" \
    org.apache.catalina.startup.Bootstrap start >>"$base/logs/catalina.out" 2>&1 </dev/null &
  echo $! >"$(tomcat_pidfile "$n")"
  log "tomcat$n starting (pid $!, http $(tomcat_var "$n" HTTP), ajp $(tomcat_var "$n" AJP), cluster $(tomcat_var "$n" CLUSTER))"
}

wait_tomcat() {
  local n=$1 url pid start=$SECONDS log
  url="http://$LAB_HOST:$(tomcat_var "$n" HTTP)/app/health"
  log="$(tomcat_base "$n")/logs/catalina.out"
  pid=$(tr -dc '0-9' <"$(tomcat_pidfile "$n")" 2>/dev/null || true)
  while ((SECONDS - start < LAB_START_TIMEOUT)); do
    if [[ -z $pid ]] || ! alive "$pid"; then
      tail -n 40 "$log" >&2 || true
      die "tomcat$n exited during start-up (log: $log)"
    fi
    if http_ok "$url"; then
      # /msm is deployed before the connectors start: if it does not answer now, it failed.
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_MSM_PATH/health" ||
        die "tomcat$n: $LAB_MSM_PATH (MSM stand-in) did not deploy (log: $log)"
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_STICKY_PATH/health" ||
        die "tomcat$n: $LAB_STICKY_PATH (MSM stand-in, sticky) did not deploy (log: $log)"
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_JDBC_PATH/health" ||
        die "tomcat$n: $LAB_JDBC_PATH (PersistentManager + DataSourceStore) did not deploy (log: $log)"
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_REDIS_PATH/health" ||
        die "tomcat$n: $LAB_REDIS_PATH (Redis stand-in Store) did not deploy (log: $log)"
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_BACKUP_PATH/health" ||
        die "tomcat$n: $LAB_BACKUP_PATH (BackupManager) did not deploy (log: $log)"
      http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)$LAB_REBIND_PATH/health" ||
        die "tomcat$n: $LAB_REBIND_PATH (JvmRouteBinderValve) did not deploy (log: $log)"
      log "tomcat$n up after $((SECONDS - start)) s (pid $pid)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 40 "$log" >&2 || true
  die "tomcat$n did not answer $url within ${LAB_START_TIMEOUT} s (log: $log)"
}

stop_tomcat() { # N [pid already sent SIGTERM]. SIGTERM = Tomcat's orderly shutdown hook; SIGKILL after 30 s
  local n=$1 pid=${2:-}
  [[ -n $pid ]] || pid=$(tomcat_pid "$n")
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 30; then
      log "tomcat$n (pid $pid) ignored SIGTERM for 30 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "tomcat$n (pid $pid) does not die"
    fi
    log "tomcat$n stopped (pid $pid)"
  fi
  rm -f "$(tomcat_pidfile "$n")"
}

# Static membership needs no discovery, but a node only learns of a peer when one of them sends
# MSG_START or a heartbeat ping reaches it; wait (bounded) until each node logs the two others.
wait_membership() {
  local start=$SECONDS n missing
  while ((SECONDS - start < 30)); do
    missing=()
    for n in "${LAB_TOMCAT_IDS[@]}"; do
      (($(members_seen "$n") >= ${#LAB_TOMCAT_IDS[@]} - 1)) || missing+=("tomcat$n")
    done
    ((${#missing[@]} == 0)) && { log "cluster membership complete"; return 0; }
    sleep 1
  done
  log "WARNING: after 30 s these nodes still do not see all their peers: ${missing[*]} (see their catalina.out)"
}

# Peers currently known to node N: replay "member added"/"member disappeared" log lines since its
# last start (SimpleTcpCluster logs both, with the peer's tcp://host:port).
members_seen() {
  local log
  log="$(tomcat_base "$1")/logs/catalina.out"
  [[ -f $log ]] || { echo 0; return; }
  awk '
    /===== .* starting tomcat/ { delete m }
    /Replication member added/ && match($0, /tcp:\/\/\{[^}]*\}:[0-9]+/) { m[substr($0, RSTART, RLENGTH)] = 1 }
    /Received member disappeared/ && match($0, /tcp:\/\/\{[^}]*\}:[0-9]+/) { delete m[substr($0, RSTART, RLENGTH)] }
    END { c = 0; for (k in m) c++; print c }' "$log"
}

# ---------------------------------------------------------------------------------------------
# Apache frontends
prepare_frontend() {
  local f=$1 root
  root=$(frontend_root "$f")
  mkdir -p "$root"/{conf,logs,run,htdocs}
  if [[ $f == a ]]; then
    render_frontend_a_conf >"$root/conf/httpd.conf"
  else
    render_workers_properties >"$root/conf/workers.properties"
    render_frontend_b_conf >"$root/conf/httpd.conf"
  fi
}

apache_ctl() { # f action
  local root
  root=$(frontend_root "$1")
  "$APACHE_BIN" -d "$root" -f "$root/conf/httpd.conf" -k "$2"
}

start_frontend() {
  local f=$1 pid port
  pid=$(frontend_pid "$f")
  if [[ -n $pid ]]; then log "frontend $f already running (pid $pid)"; return 0; fi
  port=$(frontend_port "$f")
  port_busy "$port" && die "frontend $f: port $port is already in use by another process"
  prepare_frontend "$f"
  rm -f "$(frontend_root "$f")/run/httpd.pid"
  apache_ctl "$f" start || die "frontend $f: apache2 -k start failed (see $(frontend_root "$f")/logs/error.log)"
  wait_frontend "$f"
}

wait_frontend() {
  local f=$1 start=$SECONDS url
  url=$(frontend_probe_url "$f")
  while ((SECONDS - start < 20)); do
    if [[ -n $(frontend_pid "$f") ]] && http_ok "$url"; then
      log "frontend $f up on port $(frontend_port "$f") (pid $(frontend_pid "$f"))"
      return 0
    fi
    sleep 0.3
  done
  tail -n 20 "$(frontend_root "$f")/logs/error.log" >&2 || true
  die "frontend $f did not answer $url within 20 s"
}

stop_frontend() {
  local f=$1 pid children
  pid=$(frontend_pid "$f")
  if [[ -n $pid ]]; then
    children=$(pgrep -P "$pid" || true)
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 15; then
      log "frontend $f (pid $pid) ignored SIGTERM: SIGKILL"
      # shellcheck disable=SC2086
      kill -KILL "$pid" $children 2>/dev/null || true
      wait_gone "$pid" 5 || die "frontend $f (pid $pid) does not die"
    fi
    log "frontend $f stopped (pid $pid)"
  fi
  rm -f "$(frontend_root "$f")/run/httpd.pid"
}

# ---------------------------------------------------------------------------------------------
# Commands
member_id() { # tomcatN -> N (validated)
  [[ ${1:-} =~ ^tomcat([0-9]+)$ ]] && [[ " ${LAB_TOMCAT_IDS[*]} " == *" ${BASH_REMATCH[1]} "* ]] ||
    die "unknown member '${1:-}' (expected one of: $(printf 'tomcat%s ' "${LAB_TOMCAT_IDS[@]}"))"
  echo "${BASH_REMATCH[1]}"
}

frontend_id() {
  [[ ${1:-} =~ ^[abcd]$ ]] || die "unknown frontend '${1:-}' (expected a, b, c or d)"
  echo "$1"
}

cmd_up() {
  ensure_packages
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/build"
  render_lab_env >"$LAB_DIR/lab.env"
  render_inventory >"$LAB_DIR/clusterdeck.yaml"
  build_webapp
  build_msm_standin
  build_redis_standin
  local n started=() cold=cold
  for n in "${LAB_TOMCAT_IDS[@]}"; do [[ -z $(tomcat_pid "$n") ]] || cold=; done
  for n in "${LAB_TOMCAT_IDS[@]}"; do
    [[ -n $(tomcat_pid "$n") ]] && { log "tomcat$n already running (pid $(tomcat_pid "$n"))"; continue; }
    launch_tomcat "$n" "$cold"
    started+=("$n")
  done
  start_frontend a
  start_frontend b
  start_haproxy
  start_nginx
  start_prometheus
  start_alertmanager
  start_postgres
  ensure_session_table
  for n in "${LAB_MEMCACHED_IDS[@]}" "${LAB_MEMCACHED_STICKY_IDS[@]}" "${LAB_MEMCACHED_SPARE_IDS[@]}"; do start_memcached "$n"; done
  for n in "${LAB_REDIS_IDS[@]}" "${LAB_REDIS_SPARE_IDS[@]}"; do start_redis "$n"; done
  for n in "${started[@]}"; do wait_tomcat "$n"; done
  ((${#started[@]} == 0)) || wait_membership
  log "inventory: $LAB_DIR/clusterdeck.yaml, settings: $LAB_DIR/lab.env"
  cmd_status
}

cmd_down() {
  stop_frontend a
  stop_frontend b
  stop_haproxy
  stop_nginx
  stop_prometheus
  stop_alertmanager
  # SIGTERM to all nodes first so they shut down in parallel, then wait for each.
  local n pids=()
  for n in "${LAB_TOMCAT_IDS[@]}"; do
    pids[n]=$(tomcat_pid "$n")
    [[ -z ${pids[n]} ]] || kill -TERM "${pids[n]}" 2>/dev/null || true
  done
  for n in "${LAB_TOMCAT_IDS[@]}"; do stop_tomcat "$n" "${pids[n]}"; done
  stop_postgres
  for n in "${LAB_MEMCACHED_IDS[@]}" "${LAB_MEMCACHED_STICKY_IDS[@]}" "${LAB_MEMCACHED_SPARE_IDS[@]}"; do stop_memcached "$n"; done
  for n in "${LAB_REDIS_IDS[@]}" "${LAB_REDIS_SPARE_IDS[@]}"; do stop_redis "$n"; done
  rm -f "$LAB_DIR/lab.env"
  log "lab is down (logs kept in $LAB_DIR)"
}

cmd_status() {
  local n f pid state all=0 ports
  printf '%-12s %-5s %-7s %s\n' COMPONENT STATE PID PORTS
  for n in "${LAB_TOMCAT_IDS[@]}"; do
    pid=$(tomcat_pid "$n")
    state=down
    if [[ -n $pid ]]; then
      if http_ok "http://$LAB_HOST:$(tomcat_var "$n" HTTP)/app/health"; then state=up; else state=starting; fi
    fi
    [[ $state == up ]] || all=1
    ports="http=$(tomcat_var "$n" HTTP) ajp=$(tomcat_var "$n" AJP) shutdown=$(tomcat_var "$n" SHUTDOWN) cluster=$(tomcat_var "$n" CLUSTER)"
    [[ -n $pid ]] && ports+=" peers=$(members_seen "$n")"
    printf '%-12s %-5s %-7s %s\n' "tomcat$n" "$state" "${pid:--}" "$ports"
  done
  for f in a b; do
    pid=$(frontend_pid "$f")
    state=down
    if [[ -n $pid ]]; then
      if http_ok "$(frontend_probe_url "$f")"; then state=up; else state=error; fi
    fi
    [[ $state == up ]] || all=1
    if [[ $f == a ]]; then ports="http=$LAB_FRONTEND_A_PORT (mod_proxy_balancer, /balancer-manager)"
    else ports="http=$LAB_FRONTEND_B_PORT (mod_jk, /jkstatus /jkstatus-ro)"; fi
    printf '%-12s %-5s %-7s %s\n' "frontend-$f" "$state" "${pid:--}" "$ports"
  done
  haproxy_status_line || all=1
  nginx_status_line || all=1
  prometheus_status_line || all=1
  alertmanager_status_line || all=1
  pid=$(pg_pid)
  state=down
  if [[ -n $pid ]]; then if postgres_ready; then state=up; else state=error; fi; fi
  [[ $state == up ]] || all=1
  printf '%-12s %-5s %-7s %s\n' postgres "$state" "${pid:--}" "port=$LAB_POSTGRES_PORT ($(pg_url))"
  for n in "${LAB_MEMCACHED_IDS[@]}" "${LAB_MEMCACHED_STICKY_IDS[@]}" "${LAB_MEMCACHED_SPARE_IDS[@]}"; do
    pid=$(memcached_pid "$n")
    state=down
    if [[ -n $pid ]]; then if memcached_ready "$n"; then state=up; else state=error; fi; fi
    [[ $state == up ]] || all=1
    printf '%-12s %-5s %-7s %s\n' "memcached-n$n" "$state" "${pid:--}" "port=$(memcached_port "$n") (${LAB_MEMCACHED_MB} MB, tcp only)"
  done
  for n in "${LAB_REDIS_IDS[@]}" "${LAB_REDIS_SPARE_IDS[@]}"; do
    pid=$(redis_pid "$n")
    state=down
    if [[ -n $pid ]]; then if redis_ready "$n"; then state=up; else state=error; fi; fi
    [[ $state == up ]] || all=1
    printf '%-12s %-5s %-7s %s\n' "redis-r$n" "$state" "${pid:--}" "port=$(redis_port "$n") ($(redis_url "$n"))"
  done
  return $all
}

cmd_kill_member() {
  local n pid
  n=$(member_id "${1:-}")
  pid=$(tomcat_pid "$n")
  if [[ -z $pid ]]; then log "tomcat$n is not running"; return 0; fi
  kill -KILL "$pid"
  wait_gone "$pid" 10 || die "tomcat$n (pid $pid) survived SIGKILL"
  rm -f "$(tomcat_pidfile "$n")"
  log "tomcat$n killed with SIGKILL (pid $pid)"
}

cmd_stop_member() { # orderly: the shutdown command on Tomcat's shutdown port, like catalina.sh stop; SIGTERM if it does not answer
  local n pid
  n=$(member_id "${1:-}")
  pid=$(tomcat_pid "$n")
  if [[ -z $pid ]]; then log "tomcat$n is not running"; return 0; fi
  if ! (exec 3<>"/dev/tcp/$LAB_HOST/$(tomcat_var "$n" SHUTDOWN)" && printf 'LAB-SHUTDOWN-tomcat%s' "$n" >&3) 2>/dev/null; then
    log "tomcat$n: shutdown port did not answer: SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  wait_gone "$pid" 30 || { log "tomcat$n (pid $pid) still running after 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 10 || die "tomcat$n (pid $pid) does not die"; }
  rm -f "$(tomcat_pidfile "$n")"
  log "tomcat$n stopped through its shutdown port (pid $pid)"
}

cmd_start_member() {
  local n
  n=$(member_id "${1:-}")
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/build"
  build_webapp
  build_msm_standin
  build_redis_standin
  launch_tomcat "$n"
  wait_tomcat "$n"
}

cmd_restart_frontend() {
  local f
  f=$(frontend_id "${1:-}")
  [[ $f == c ]] && { reload_haproxy; return; }
  [[ $f == d ]] && { reload_nginx; return; }
  if [[ -z $(frontend_pid "$f") ]]; then
    log "frontend $f is not running: starting it"
    start_frontend "$f"
    return
  fi
  apache_ctl "$f" graceful || die "frontend $f: apache2 -k graceful failed"
  sleep 0.5
  wait_frontend "$f"
}

# A session store server by its node id: nN = memcached nN, rN = Redis rN. Sets STORE_KIND and STORE_N.
store_id() {
  local id=${1:-}
  if [[ $id =~ ^n([1-9])$ ]]; then STORE_KIND=memcached
  elif [[ $id =~ ^r([1-9])$ ]]; then STORE_KIND=redis
  else die "store node must be nN (memcached) or rN (Redis), got '$id'"; fi
  STORE_N=${BASH_REMATCH[1]}
  [[ -n $("${STORE_KIND}_port" "$STORE_N") ]] || die "the lab has no $STORE_KIND $id"
}

cmd_kill_store() { # SIGKILL: a crash, every item in memory lost (no persistence in the lab)
  local kind n pid pidfile
  store_id "${1:-}"
  kind=$STORE_KIND n=$STORE_N
  pid=$("${kind}_pid" "$n")
  pidfile=$("${kind}_pidfile" "$n")
  if [[ -z $pid ]]; then log "$kind-$1 is not running"; return 0; fi
  kill -KILL "$pid"
  wait_gone "$pid" 10 || die "$kind $1 (pid $pid) survived SIGKILL"
  rm -f "$pidfile"
  log "$kind $1 killed with SIGKILL (pid $pid)"
}

cmd_start_store() {
  store_id "${1:-}"
  mkdir -p "$LAB_DIR/run"
  "start_${STORE_KIND}" "$STORE_N"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 2
}

load_settings
case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  install) ensure_packages; log "all packages present" ;;
  kill-member) cmd_kill_member "${2:-}" ;;
  stop-member) cmd_stop_member "${2:-}" ;;
  start-member) cmd_start_member "${2:-}" ;;
  restart-frontend) cmd_restart_frontend "${2:-}" ;;
  kill-store) cmd_kill_store "${2:-}" ;;
  start-store) cmd_start_store "${2:-}" ;;
  *) usage ;;
esac
