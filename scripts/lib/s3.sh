# A throwaway S3 endpoint: moto's server (PyPI moto[server], in .build/python, set
# up by scripts/setup) on 127.0.0.1, with one bucket named "backups".
#
#   s3_start DIR PORT [iam]   start it (logs and pid in DIR) and create the bucket
#   s3_stop DIR               stop it
#
# With "iam", requests are authenticated as AWS does (signatures checked against
# moto's IAM): a user with an s3:* policy is created, its access key and secret
# are written to DIR/credentials ("ACCESS SECRET"), and the bucket belongs to it.
# Without, any credentials are accepted.

source "$(dirname "${BASH_SOURCE[0]}")/process.sh"
s3_python="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/python"

s3_install() {
  "$s3_python/bin/python" -c 'import moto.server' 2>/dev/null && return 0
  [ -x "$s3_python/bin/pip" ] || { rm -rf "$s3_python" && /usr/bin/python3 -m venv "$s3_python"; }
  "$s3_python/bin/pip" install --quiet 'moto[server]'
}

s3_start() {
  local dir=$1 port=$2 mode=${3:-}
  mkdir -p "$dir"
  s3_install || return 1
  if [ "$mode" = iam ]; then
    # The readiness probe and the three IAM calls below are the only requests let
    # through unauthenticated.
    INITIAL_NO_AUTH_ACTION_COUNT=4 "$s3_python/bin/moto_server" -H 127.0.0.1 -p "$port" > "$dir/moto.log" 2>&1 &
  else
    "$s3_python/bin/moto_server" -H 127.0.0.1 -p "$port" > "$dir/moto.log" 2>&1 &
  fi
  echo $! > "$dir/moto.pid"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      if [ "$mode" = iam ]; then s3_iam_user "$dir" "$port" && return 0; break; fi
      curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/backups" && return 0
    fi
    sleep 0.1
  done
  cat "$dir/moto.log" >&2
  s3_stop "$dir"  # a server that never became ready must not outlive the attempt
  return 1
}

s3_iam_user() {
  local dir=$1 port=$2
  "$s3_python/bin/python" - "http://127.0.0.1:$port" > "$dir/credentials" <<'PY'
import json, sys
import boto3
endpoint = sys.argv[1]
anyone = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **anyone)
iam.create_user(UserName="backup")
key = iam.create_access_key(UserName="backup")["AccessKey"]
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
iam.put_user_policy(UserName="backup", PolicyName="s3", PolicyDocument=json.dumps(policy))
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="backups")
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
}

s3_stop() {
  stop_pidfile "$1/moto.pid"
}
