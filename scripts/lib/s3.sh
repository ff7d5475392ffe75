# A throwaway S3 endpoint: moto's server (PyPI moto[server], in .build/python, set
# up by scripts/setup) on 127.0.0.1, with one bucket named "backups".
#
#   s3_start DIR PORT   start it (logs and pid in DIR) and create the bucket
#   s3_stop DIR         stop it

source "$(dirname "${BASH_SOURCE[0]}")/process.sh"
s3_python="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/python"

s3_install() {
  "$s3_python/bin/python" -c 'import moto.server' 2>/dev/null && return 0
  [ -x "$s3_python/bin/python" ] || /usr/bin/python3 -m venv "$s3_python"
  "$s3_python/bin/pip" install --quiet 'moto[server]'
}

s3_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  s3_install || return 1
  "$s3_python/bin/moto_server" -H 127.0.0.1 -p "$port" > "$dir/moto.log" 2>&1 &
  echo $! > "$dir/moto.pid"
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/"; then
      curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/backups" && return 0
    fi
    sleep 0.1
  done
  cat "$dir/moto.log" >&2
  return 1
}

s3_stop() {
  stop_pidfile "$1/moto.pid"
}
