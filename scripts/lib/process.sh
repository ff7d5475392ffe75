# Stopping daemons by their pid file.
#
#   stop_pidfile FILE   SIGTERM, wait up to 10 s, then SIGKILL; no file, nothing to do

stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
