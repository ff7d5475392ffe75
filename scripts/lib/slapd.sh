# Throwaway OpenLDAP servers (slapd from Debian's packages) with an mdb database for
# dc=datamancy,dc=test, on 127.0.0.1, configured by a slapd.conf in their folder.
#
#   slapd_start DIR PORT ADMINPW   write the config (first time) and start
#   slapd_stop DIR                 stop it
# The admin is cn=admin,dc=datamancy,dc=test.

source "$(dirname "${BASH_SOURCE[0]}")/process.sh"

slapd_conf() {
  local dir=$1 password=$2 hash
  hash=$(slappasswd -s "$password")
  mkdir -p "$dir/db"
  cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.pid
database mdb
maxsize 104857600
suffix "dc=datamancy,dc=test"
rootdn "cn=admin,dc=datamancy,dc=test"
rootpw $hash
directory $dir/db
CONF
}

slapd_start() {
  local dir=$1 port=$2 password=$3
  [ -f "$dir/slapd.conf" ] || slapd_conf "$dir" "$password"
  /usr/sbin/slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" || return 1
  for _ in $(seq 1 50); do
    ldapsearch -x -H "ldap://127.0.0.1:$port/" -b "" -s base >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

slapd_stop() {
  local dir=$1
  stop_pidfile "$dir/slapd.pid"
}

