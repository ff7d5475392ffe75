# Throwaway PostgreSQL servers from Debian's packages, for the demo, the tests and
# the benchmark. PostgreSQL refuses to run as root, so the cluster belongs to the
# `postgres` user; it listens on 127.0.0.1 and a socket in its own folder. Socket
# connections are trusted (the admin's way in); TCP connections need a password
# (scram-sha-256), as on a real server.
#
#   pg_start DIR PORT    initdb (first time) and start; sets PGHOST (the socket
#                        folder), PGPORT and PGUSER for the admin
#   pg_stop DIR          stop the server

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1; }
  echo "$bin"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  local dir port=$2 bin
  dir=$(realpath -m "$1")
  bin=$(pg_bin) || return 1
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

pg_stop() {
  local dir=$1 bin
  bin=$(pg_bin) || return 1
  [ -f "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  return 0
}
