# shellcheck shell=bash
# Sourced by lab.sh: a PostgreSQL 15 server for the console's multi-instance mode (DATABASE_URL=postgresql://…)
# and, later, Tomcat's DataSourceStore. Its own data folder under LAB_DIR, 127.0.0.1 only, trust auth on
# loopback (a lab, not production). PostgreSQL refuses to run as root, so as root it runs as "postgres".
PG_BIN=/usr/lib/postgresql/15/bin

pg_root() { echo "$LAB_DIR/postgres"; }
pg_pid() { # postmaster.pid has the PID on its first line (and more numbers below)
  local f pid
  f="$(pg_root)/data/postmaster.pid"
  [[ -f $f ]] || return 0
  pid=$(head -n 1 "$f" | tr -dc '0-9')
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && [[ $(cmdline_of "$pid") == *"$PG_BIN/postgres"* ]] && echo "$pid"
  return 0
}
pg_url() { echo "postgresql://postgres@$LAB_HOST:$LAB_POSTGRES_PORT/postgres"; }

as_pg_user() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [[ -n $(pg_pid) ]]; then log "postgres already running (pid $(pg_pid))"; return 0; fi
  local root
  root=$(pg_root)
  mkdir -p "$root"
  [[ $(id -u) == 0 ]] && chown postgres: "$root"
  if [[ ! -f $root/data/PG_VERSION ]]; then
    as_pg_user "$PG_BIN/initdb" -D "$root/data" -A trust -U postgres --no-sync >"$root/initdb.log" 2>&1 ||
      die "postgres initdb failed: $(tail -5 "$root/initdb.log")"
  fi
  # -k: the socket goes in our folder, not /var/run/postgresql (which may not exist without the service).
  as_pg_user "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/postgres.log" -w -t 60 \
    -o "-h $LAB_HOST -p $LAB_POSTGRES_PORT -k $root -c fsync=off -c max_connections=100" start >/dev/null ||
    die "postgres did not start: $(tail -5 "$root/postgres.log")"
  log "postgres up on $LAB_HOST:$LAB_POSTGRES_PORT"
}

stop_postgres() {
  [[ -n $(pg_pid) ]] || return 0
  as_pg_user "$PG_BIN/pg_ctl" -D "$(pg_root)/data" -m fast -w -t 60 stop >/dev/null || log "postgres did not stop cleanly"
}

postgres_ready() { as_pg_user "$PG_BIN/pg_isready" -q -h "$LAB_HOST" -p "$LAB_POSTGRES_PORT"; }

# /jdbc's sessions (Tomcat's DataSourceStore, see render_jdbc_context_xml): their own database and the
# table of Tomcat's documented example DDL (config/manager.html), in PostgreSQL types. Idempotent.
PG_JDBC_JAR=/usr/share/java/postgresql.jar # Debian libpostgresql-jdbc-java
LAB_JDBC_DATABASE=lab_sessions
LAB_JDBC_TABLE=tomcat_sessions

ensure_session_table() {
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$LAB_HOST" -p "$LAB_POSTGRES_PORT" -U postgres)
  if [[ $("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$LAB_JDBC_DATABASE'") != 1 ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $LAB_JDBC_DATABASE" || die "postgres: cannot create database $LAB_JDBC_DATABASE"
  fi
  "${psql[@]}" -d "$LAB_JDBC_DATABASE" <<SQL || die "postgres: cannot create table $LAB_JDBC_TABLE"
CREATE TABLE IF NOT EXISTS $LAB_JDBC_TABLE (
  session_id    varchar(100) NOT NULL PRIMARY KEY,
  valid_session char(1) NOT NULL,
  max_inactive  integer NOT NULL,
  last_access   bigint NOT NULL,
  app_name      varchar(255),
  session_data  bytea
);
CREATE INDEX IF NOT EXISTS ${LAB_JDBC_TABLE}_app_name ON $LAB_JDBC_TABLE (app_name);
SQL
}
