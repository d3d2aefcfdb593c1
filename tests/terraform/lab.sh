# Test bed helpers for the real-CLI scenarios that run against the lab
# (sourced by their test.sh; they run in the lab's client namespace pxc0).

NODE_IPS=(10.77.0.11 10.77.0.12 10.77.0.13)
# Debian's interpreter, which has python3-mysqldb (another python3 may come
# first on PATH).
MYSQLDB_PYTHON=/usr/bin/python3

# node_ssh <ip> <command>: a command on a node, as root.
node_ssh() {
  local ip=$1
  shift
  # shellcheck disable=SC2086
  ssh $PXC_LAB_SSH_OPTS "root@$ip" "$@"
}

# node_sql <ip> <sql>: SQL on a node over its socket (batch, no headers).
node_sql() {
  echo "$2" | node_ssh "$1" mysql -N -B
}

# admin_sql <sql>: SQL through HAProxy as the lab's administrator, with TLS
# when the cluster has it.
admin_sql() {
  mariadb --defaults-file="$TF_WORK/admin.cnf" "${ADMIN_SSL[@]}" -N -B -e "$1"
}
ADMIN_SSL=()

# Writes the lab's credentials where the configurations read them
# (terraform.tfvars: the SSH key and known_hosts files; the admin password in
# TF_VAR_mysql_admin_password), the admin client's option file, flags the lab
# as modified (LAB_WAS_MODIFIED says whether it was already) and records
# every node's my.cnf as orig-<ip>.cnf (lab_record_orig).
lab_prepare() {
  local lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
  cat >"$TF_CFG/terraform.tfvars" <<EOF
ssh_private_key_file = "$lab_dir/ssh/id_ed25519"
ssh_known_hosts_file = "$lab_dir/ssh/known_hosts"
EOF
  export TF_VAR_mysql_admin_password=$PXC_LAB_MYSQL_PASSWORD
  (umask 077 && printf '[client]\nhost=10.77.0.10\nport=3306\nuser=%s\npassword=%s\n' \
    "$PXC_LAB_MYSQL_USER" "$PXC_LAB_MYSQL_PASSWORD" >"$TF_WORK/admin.cnf")
  # A scenario that enables TLS leaves the servers running with it (destroy
  # restores my.cnf, not the running servers): the next `lab up` rebuilds the
  # lab. One that puts everything back calls lab_unmark at its end.
  LAB_WAS_MODIFIED=
  [[ -e $lab_dir/modified ]] && LAB_WAS_MODIFIED=1
  "$PXC_SOURCE_DIR/tests/testbed/lab" mark-modified "tests/terraform: $(basename "$TF_SCENARIO_DIR") running" >/dev/null
  lab_record_orig
}

# lab_record_orig: every node's my.cnf as it is now, as orig-<ip>.cnf (what
# destroy must restore byte for byte).
lab_record_orig() {
  local ip
  for ip in "${NODE_IPS[@]}"; do
    node_ssh "$ip" cat /etc/mysql/my.cnf >"$TF_WORK/orig-$ip.cnf" || {
      echo "Bail out! cannot read my.cnf on $ip"
      exit 1
    }
  done
}

# lab_unmark: for a scenario that left the nodes as it found them (files,
# my.cnf, running servers): the lab counts as unmodified again, unless it was
# flagged before lab_prepare.
lab_unmark() {
  local lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
  [[ -n $LAB_WAS_MODIFIED ]] || rm -f "$lab_dir/modified"
}

# snapshot <tag>: every node's my.cnf and the listing (names, modes, owners,
# sizes, checksums) of its certificate directory, into <tag>-<ip>.txt.
snapshot() {
  local ip
  for ip in "${NODE_IPS[@]}"; do
    node_ssh "$ip" 'cat /etc/mysql/my.cnf; echo "--- certs"; cd /etc/mysql/certs 2>/dev/null && for f in *; do [ -e "$f" ] && stat -c "%n %a %U:%G %s" "$f" && sha256sum "$f"; done; echo "--- etc"; ls /etc/mysql' \
      >"$TF_WORK/$1-$ip.txt" 2>&1
  done
}

# expect_nodes_unchanged <what> <tag>: every node's my.cnf and certificate
# directory are as in snapshot <tag>.
expect_nodes_unchanged() {
  local what=$1 tag=$2 ip changed=()
  for ip in "${NODE_IPS[@]}"; do
    node_ssh "$ip" 'cat /etc/mysql/my.cnf; echo "--- certs"; cd /etc/mysql/certs 2>/dev/null && for f in *; do [ -e "$f" ] && stat -c "%n %a %U:%G %s" "$f" && sha256sum "$f"; done; echo "--- etc"; ls /etc/mysql' \
      >"$TF_WORK/now-$ip.txt" 2>&1
    cmp -s "$TF_WORK/now-$ip.txt" "$TF_WORK/$tag-$ip.txt" || changed+=("$ip")
  done
  if ((${#changed[@]} == 0)); then
    ok "$what: my.cnf and cert_dir unchanged on the ${#NODE_IPS[@]} nodes"
  else
    not_ok "$what: my.cnf and cert_dir unchanged on the ${#NODE_IPS[@]} nodes" "changed on ${changed[*]}: $(diff "$TF_WORK/$tag-${changed[0]}.txt" "$TF_WORK/now-${changed[0]}.txt" | head -8 | tr '\n' ' ')"
  fi
}

# After destroy: my.cnf byte-identical to the original, no pxc file left.
expect_destroyed_clean() {
  local ip changed=() left
  for ip in "${NODE_IPS[@]}"; do
    node_ssh "$ip" cat /etc/mysql/my.cnf | cmp -s - "$TF_WORK/orig-$ip.cnf" || changed+=("$ip")
  done
  if ((${#changed[@]} == 0)); then
    ok "my.cnf byte-identical to the original on the ${#NODE_IPS[@]} nodes"
  else
    not_ok "my.cnf byte-identical to the original on the ${#NODE_IPS[@]} nodes" "differs on ${changed[*]}"
  fi
  left=$(for ip in "${NODE_IPS[@]}"; do node_ssh "$ip" 'ls /etc/mysql/certs 2>/dev/null; ls -d /etc/mysql/my.cnf.pxc* 2>/dev/null'; done)
  expect_eq "no certificate, backup or rollback file left on the nodes" "$left" ""
}

# On a failure that stops the scenario: the scenario's own clean-up
# (scenario_on_bail, if defined: e.g. stopping background processes), then
# try to destroy what Terraform made (the lab is flagged as modified since
# lab_prepare).
tf_on_bail() {
  if declare -F scenario_on_bail >/dev/null; then scenario_on_bail || true; fi
  echo "# bailing out: terraform destroy"
  (cd "$TF_CFG" && timeout 600 "$TERRAFORM" destroy -auto-approve -no-color -input=false) >"$TF_LOGS/bail-destroy.log" 2>&1 || true
}

# tls_check_4567 <ip>: mutual TLS on Galera's port, verified with the CA
# and the client certificate in the work directory.
tls_check_4567() {
  (sleep 1) | timeout 10 openssl s_client -connect "$1:4567" -CAfile "$TF_WORK/ca.pem" \
    -cert "$TF_WORK/client.pem" -key "$TF_WORK/client-key.pem" -verify_return_error 2>&1 | tr '\0' '.'
}
