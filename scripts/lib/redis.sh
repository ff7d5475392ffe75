# Throwaway Redis servers from Debian's packages, on 127.0.0.1.
#
#   redis_start DIR PORT [PASSWORD]   start (daemonized), data and RDB in DIR
#   redis_stop DIR                    stop it

source "$(dirname "${BASH_SOURCE[0]}")/process.sh"

redis_start() {
  local dir=$1 port=$2 password=${3:-}
  mkdir -p "$dir"
  {
    echo "port $port"
    echo "bind 127.0.0.1"
    echo "dir $dir"
    echo "daemonize yes"
    echo "pidfile $dir/redis.pid"
    echo "logfile $dir/redis.log"
    echo "save ''"
    [ -n "$password" ] && echo "requirepass $password"
  } > "$dir/redis.conf"
  redis-server "$dir/redis.conf" || return 1
  for _ in $(seq 1 50); do
    REDISCLI_AUTH=$password redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  cat "$dir/redis.log" >&2
  return 1
}

redis_stop() {
  local dir=$1
  stop_pidfile "$dir/redis.pid"
}

