#!/bin/bash
# The official postgres image's contract on Debian's postgresql-15: an empty $PGDATA is initialised with the superuser
# POSTGRES_USER (default postgres) and its POSTGRES_PASSWORD (required), and POSTGRES_DB (default the user's name) is
# created; TCP connections need the password (scram-sha-256). Then the server runs in the foreground as postgres.
set -euo pipefail

if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set for a new database}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  echo "docker-entrypoint: initialising $PGDATA (superuser $user, database $db)"
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # A server on its socket only, for the one statement.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" <<<'CREATE DATABASE :"db";' >/dev/null
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "docker-entrypoint: ready"
fi

exec "$@"
