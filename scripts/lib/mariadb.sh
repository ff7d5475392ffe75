# Throwaway MariaDB servers from Debian's packages, on 127.0.0.1 and a socket in
# their own folder. root has no password on the socket; tests create their own users.
#
#   maria_start DIR PORT   install the data folder (first time) and start
#   maria_stop DIR         stop the server
#   maria_sql DIR SQL      run SQL as root over the socket

source "$(dirname "${BASH_SOURCE[0]}")/process.sh"

maria_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; return 1; }
  fi
  mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --pid-file="$dir/mysqld.pid" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --log-error="$dir/error.log" &
  for _ in $(seq 1 100); do
    mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e "select 1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$dir/error.log" >&2
  return 1
}

maria_sql() {
  mariadb --no-defaults --socket="$1/mysqld.sock" -uroot -e "$2"
}

maria_stop() {
  local dir=$1
  stop_pidfile "$dir/mysqld.pid"
}

