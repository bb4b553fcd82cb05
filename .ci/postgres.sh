#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 server for tests (Debian packages, see .ci/install-system.sh).
#
#   eval "$(bash .ci/postgres.sh start)"   # or: source .ci/postgres.sh
#   ... tests read DATABASE_URL ...
#   bash .ci/postgres.sh stop               # stops the server and deletes its data
#
# start  initdb into a temp folder, start the server on 127.0.0.1 (a free port, or PGPORT if set),
#        wait until it is ready, create database routekaart with CREATE EXTENSION postgis, and
#        print `export DATABASE_URL=postgresql://routekaart@127.0.0.1:PORT/routekaart` on stdout
#        (all else goes to stderr). If the server is already running, it only prints the line.
# stop   fast shutdown, then remove the folder. Does nothing if no server is there.
# status exit 0 and print the export line if the server is running.
#
# As root (CI), the server runs as the `postgres` user through runuser; otherwise as the caller.
# ROUTEKAART_PG_DIR (default ${TMPDIR:-/tmp}/routekaart-ci-pg) holds data, socket and log.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: run as a child (keeps the caller's shell options untouched) and export its result.
    if [[ "${1:-start}" == start ]]; then
        _routekaart_pg_env=$(bash "${BASH_SOURCE[0]}" start) || return 1
        eval "$_routekaart_pg_env"
        unset _routekaart_pg_env
        return 0
    fi
    bash "${BASH_SOURCE[0]}" "$@"
    return
fi

set -euo pipefail

PG_VERSION=15
PGBIN=${PGBIN:-/usr/lib/postgresql/$PG_VERSION/bin}
DIR=${ROUTEKAART_PG_DIR:-${TMPDIR:-/tmp}/routekaart-ci-pg}
DATA=$DIR/data
DB_USER=routekaart
DB_NAME=routekaart

log() { echo "postgres.sh: $*" >&2; }

as_owner() {
    # Runs a command as the server's owner, from a folder it can read.
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

running() {
    [ -f "$DATA/postmaster.pid" ] && [ -f "$DIR/port" ] &&
        as_owner "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 &&
        "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$DIR/port")" >/dev/null 2>&1
}

print_env() {
    echo "export DATABASE_URL=postgresql://$DB_USER@127.0.0.1:$(cat "$DIR/port")/$DB_NAME"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    if running; then
        log "already running in $DIR"
        print_env
        return 0
    fi
    [ -x "$PGBIN/initdb" ] || { log "no $PGBIN/initdb: run .ci/install-system.sh"; exit 1; }
    [ -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ] ||
        { log "PostGIS is not installed: run .ci/install-system.sh"; exit 1; }

    # A folder left by a run that did not stop: stop what may still run there, then start afresh.
    if [ -d "$DIR" ]; then
        if [ -d "$DATA" ]; then
            as_owner "$PGBIN/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
        fi
        rm -rf "$DIR"
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DIR"; fi

    local port=${PGPORT:-$(free_port)}
    echo "$port" >"$DIR/port"

    log "initdb in $DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" -U "$DB_USER" --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }

    log "starting on 127.0.0.1:$port"
    # Settings for a throwaway server: no durability, socket in our folder, no TCP but loopback.
    if ! as_owner "$PGBIN/pg_ctl" start -D "$DATA" -l "$DIR/server.log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$DIR \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" </dev/null >&2; then
        cat "$DIR/server.log" >&2
        exit 1
    fi
    for _ in $(seq 1 60); do
        "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        sleep 0.5
    done
    "$PGBIN/pg_isready" -h 127.0.0.1 -p "$port" >&2

    as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres \
        -c "CREATE DATABASE $DB_NAME" </dev/null >&2
    as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$DB_USER" -d "$DB_NAME" \
        -c "CREATE EXTENSION postgis" </dev/null >&2
    log "database $DB_NAME with PostGIS $(as_owner "$PGBIN/psql" -X -A -t -h 127.0.0.1 -p "$port" \
        -U "$DB_USER" -d "$DB_NAME" -c 'SELECT postgis_lib_version()' </dev/null) ready"
    print_env
}

stop() {
    if [ ! -d "$DIR" ]; then
        log "no server in $DIR"
        return 0
    fi
    if [ -f "$DATA/postmaster.pid" ]; then
        log "stopping"
        as_owner "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >&2 ||
            as_owner "$PGBIN/pg_ctl" stop -D "$DATA" -m immediate -w >&2 || true
    fi
    rm -rf "$DIR"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) if running; then print_env; else log "not running"; exit 1; fi ;;
    *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
