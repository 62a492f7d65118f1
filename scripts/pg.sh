#!/usr/bin/env bash
# The project-local PostGIS cluster: `scripts/pg.sh start|stop|status|url`.
# Data and socket live under var/ (or, when the postgres user cannot reach the
# checkout, e.g. under /root, under /var/tmp/geo_portal-<hash>). Trust auth on
# 127.0.0.1 only: this cluster is for development, demos and tests, never production.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PGPORT="${PGPORT:-55432}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
DBNAME="${DBNAME:-geo_portal}"
[ -x "$PGBIN/pg_ctl" ] || { echo "error: PostgreSQL server programs not found (is postgresql-15 installed?)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgroot="$root/var/pg"
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$root/var"
  if ! runuser -u postgres -- test -x "$root/var"; then
    pgroot="/var/tmp/geo_portal-$(printf '%s' "$root" | md5sum | cut -c1-10)"
  fi
fi
PGDATA="$pgroot/data"
PGSOCK="$pgroot/run"
LOG="$pgroot/postgres.log"

ensure_cluster() {
  mkdir -p "$PGDATA" "$PGSOCK"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$pgroot"; fi
  chmod 700 "$PGDATA"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    echo "==> creating PostgreSQL cluster in $PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGSOCK'
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
# Speed over durability: this cluster holds demo and test data only.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
}

is_running() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    ensure_cluster
    if ! is_running; then
      as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 start >/dev/null \
        || { echo "error: PostgreSQL did not start; see $LOG" >&2; tail -n 20 "$LOG" >&2; exit 1; }
      echo "==> PostgreSQL running on 127.0.0.1:$PGPORT"
    fi
    if ! psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" postgres | grep -q 1; then
      psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE $DBNAME" postgres
    fi
    psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE EXTENSION IF NOT EXISTS postgis" "$DBNAME" 2>&1 | grep -v NOTICE || true
    ;;
  stop)
    if [ -f "$PGDATA/PG_VERSION" ] && is_running; then
      as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && echo "==> PostgreSQL stopped"
    fi
    ;;
  status)
    if [ -f "$PGDATA/PG_VERSION" ] && is_running; then echo "running on 127.0.0.1:$PGPORT ($PGDATA)"; else echo "stopped"; exit 3; fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
