#!/usr/bin/env bash
# The main job (README): on a fresh Debian machine, as root, installs what it
# needs, builds the provider, installs it for Terraform (`cmake --install`
# into a filesystem mirror named by a CLI configuration of the demo's own),
# starts the local 3-node lab cluster (MariaDB Galera + HAProxy + sshd in
# network namespaces, plain, as the tutorial starts), and runs the real
# `terraform init` and `terraform apply` of examples/tutorial against it:
# Terraform's own plan, progress and outputs. Then the tutorial's final check:
# the cluster through HAProxy over TLS with the client certificate Terraform
# made (SHOW STATUS LIKE 'wsrep%'), and Galera's port 4567 speaking TLS.
#
# The lab stays up and TLS-secured afterwards; running the demo again runs
# `terraform plan` in the same directory, which shows "No changes.", and the
# final check again. `tests/testbed/lab down` removes the lab and leaves
# nothing running. The demo's files (the mirror, the CLI configuration, the
# configuration and its state, the certificates for the final check) are in
# $PXC_DEMO_DIR (default /var/lib/pxc-demo). The user's ~/.terraformrc is
# never read or written.
#
# Without a `terraform` on PATH the demo says so and applies the tutorial
# through the project's protocol driver (tests/driver) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo_dir=${PXC_DEMO_DIR:-/var/lib/pxc-demo}
lab_env=${PXC_LAB_DIR:-/var/lib/pxc-lab}/env

bash scripts/install-deps.sh all
# The build type scripts/test.sh uses too (the binary `cmake --install` hands
# to users), so running one after the other does not rebuild everything.
cmake -S . -B build -DCMAKE_BUILD_TYPE="${PXC_BUILD_TYPE:-Release}" >/dev/null
terraform=$(command -v terraform || true)
if [[ -n $terraform ]]; then
  cmake --build build -j"$(nproc)" --target terraform-provider-pxc
else
  echo "demo: no terraform on PATH: applying the tutorial through the project's protocol driver (tests/driver) instead"
  cmake --build build -j"$(nproc)" --target terraform-provider-pxc pxc-tfdriver
fi

# A lab this demo secured, still whole: 3 Synced nodes.
demo_lab_up() {
  local st
  st=$(tests/testbed/lab status 2>/dev/null || true)
  grep -q 'modified by a test (scripts/demo.sh enabled TLS)' <<<"$st" &&
    [[ $(grep -c 'Synced, wsrep_cluster_size=3' <<<"$st") == 3 ]]
}

fresh_lab() {
  tests/testbed/lab down >/dev/null 2>&1 || true
  tests/testbed/lab up
}

load_lab_env() {
  # shellcheck disable=SC1090
  source "$lab_env"
  export PXC_LAB_DIR PXC_LAB_SSH_OPTS PXC_LAB_MYSQL_USER PXC_LAB_MYSQL_PASSWORD
}

if [[ -n $terraform ]]; then
  cfg=$demo_dir/tutorial
  tf() { ip netns exec "$PXC_LAB_CLIENT_NETNS" "$terraform" -chdir="$cfg" "$@"; }

  # The provider, installed as a user installs it, and a CLI configuration
  # that takes pxc/pxc from there and from nowhere else.
  mkdir -p "$demo_dir"
  chmod 700 "$demo_dir"
  install_log=$(cmake --install build --prefix "$demo_dir/mirror")
  cat >"$demo_dir/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$demo_dir/mirror"
    include = ["registry.terraform.io/pxc/pxc"]
  }
  direct {
    exclude = ["registry.terraform.io/pxc/pxc"]
  }
}
EOF
  export TF_CLI_CONFIG_FILE=$demo_dir/terraformrc TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_CLI_ARGS TF_WORKSPACE

  if [[ -f $cfg/terraform.tfstate ]] && demo_lab_up; then
    load_lab_env
    echo "demo: already applied here: terraform plan in $cfg (expect \"No changes.\")"
    cp examples/tutorial/main.tf "$cfg/main.tf"
    if grep -q 'Installing:' <<<"$install_log"; then
      # A rebuilt provider has another checksum than the lock file records.
      echo "demo: the provider was rebuilt since the last run: its lock file entry is renewed"
      rm -f "$cfg/.terraform.lock.hcl"
    fi
    export TF_VAR_mysql_admin_password=$PXC_LAB_MYSQL_PASSWORD
    TF_VAR_ssluser_password=$(cat "$demo_dir/ssluser-password")
    export TF_VAR_ssluser_password
    echo "$ terraform init"
    tf init -input=false | grep -E "^(- |Terraform has been)" || true
    echo '$ terraform plan'
    tf plan -input=false
  else
    fresh_lab
    load_lab_env
    rm -rf "$cfg" "$demo_dir/ssluser-password"
    mkdir -p "$cfg"
    cp examples/tutorial/main.tf "$cfg/main.tf"
    cat >"$cfg/terraform.tfvars" <<EOF
ssh_private_key_file = "$PXC_LAB_DIR/ssh/id_ed25519"
ssh_known_hosts_file = "$PXC_LAB_DIR/ssh/known_hosts"
EOF
    (umask 077 && openssl rand -hex 12 >"$demo_dir/ssluser-password")
    export TF_VAR_mysql_admin_password=$PXC_LAB_MYSQL_PASSWORD
    TF_VAR_ssluser_password=$(cat "$demo_dir/ssluser-password")
    export TF_VAR_ssluser_password
    echo "demo: examples/tutorial/main.tf in $cfg, against the lab; $("$terraform" version | head -1)"
    echo '$ terraform init'
    tf init -input=false
    echo '$ terraform apply -auto-approve'
    tf apply -auto-approve -input=false
  fi

  # The certificates the final check connects with, from the state.
  tf show -json | python3 -c '
import json, os, sys
want = {("pxc_ca.cluster", "cert_pem"): "ca.pem", ("pxc_node_cert.client", "cert_pem"): "client.pem",
        ("pxc_node_cert.client", "private_key_pem"): "client-key.pem"}
for r in json.load(sys.stdin)["values"]["root_module"]["resources"]:
    for (addr, attr), name in want.items():
        if r["address"] == addr:
            path = os.path.join(sys.argv[1], name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, r["values"][attr].encode())
            os.close(fd)
' "$demo_dir"
  ssluser_password=$TF_VAR_ssluser_password
else
  # The fallback: the same tutorial through pxc-tfdriver, which speaks
  # Terraform's plugin protocol (tests/driver).
  if [[ -f "$demo_dir/terraform.tfstate" ]] && demo_lab_up; then
    load_lab_env
    echo "demo: already applied here; planning again in $demo_dir (expect no changes)"
    ip netns exec "$PXC_LAB_CLIENT_NETNS" build/tests/driver/pxc-tfdriver --keep-state \
      --provider "$root/build/provider/terraform-provider-pxc" \
      --scenario "$root/examples/tutorial/tutorial-replan.json" --workdir "$demo_dir"
  else
    fresh_lab
    load_lab_env
    rm -rf "$demo_dir"
    echo "demo: applying examples/tutorial (see examples/tutorial/main.tf) through the plugin protocol"
    ip netns exec "$PXC_LAB_CLIENT_NETNS" build/tests/driver/pxc-tfdriver \
      --provider "$root/build/provider/terraform-provider-pxc" \
      --scenario "$root/examples/tutorial/tutorial.json" --workdir "$demo_dir"
  fi
  ssluser_password=ssluserpass
fi

echo
echo "demo: the tutorial's final check: its Python snippet through HAProxy ($PXC_LAB_HAPROXY_HOST:3306) as ssluser with the client certificate:"
ip netns exec "$PXC_LAB_CLIENT_NETNS" /usr/bin/python3 - "$demo_dir" "$ssluser_password" <<'PY' | sed 's/^/  /'
import sys
import MySQLdb
d = sys.argv[1]
c = MySQLdb.connect(host="10.77.0.10", port=3306, user="ssluser", passwd=sys.argv[2],
                    ssl={"ca": d + "/ca.pem", "cert": d + "/client.pem", "key": d + "/client-key.pem"})
cur = c.cursor()
cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
print("%-26s %s" % cur.fetchone())
cur.execute("SHOW STATUS LIKE 'wsrep%'")
for name, value in cur.fetchall():
    if name in ("wsrep_local_state_uuid", "wsrep_cluster_size", "wsrep_cluster_status",
                "wsrep_local_state_comment", "wsrep_connected", "wsrep_ready", "wsrep_incoming_addresses"):
        print("%-26s %s" % (name, value))
PY
echo
echo "demo: the same with the mariadb client, verifying the server certificate against the load balancer's address:"
ip netns exec "$PXC_LAB_CLIENT_NETNS" mariadb -h "$PXC_LAB_HAPROXY_HOST" -P 3306 \
  -u ssluser -p"$ssluser_password" --ssl --ssl-verify-server-cert \
  --ssl-ca "$demo_dir/ca.pem" --ssl-cert "$demo_dir/client.pem" --ssl-key "$demo_dir/client-key.pem" \
  -N -e "SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'wsrep_cluster_size'" | sed 's/^/  /'
echo
echo "demo: Galera replication on 4567 is TLS (handshake with the client certificate):"
(sleep 1) | ip netns exec "$PXC_LAB_CLIENT_NETNS" timeout 10 openssl s_client -connect "$PXC_LAB_IP_PXC1:4567" \
  -CAfile "$demo_dir/ca.pem" -cert "$demo_dir/client.pem" -key "$demo_dir/client-key.pem" 2>&1 |
  tr '\0' '.' | grep -E '^(New, TLS|Verify return code|subject=)' | sed 's/^/  /'

# The lab is TLS-secured now: make the next `lab up` (e.g. the tests) rebuild
# it plain.
tests/testbed/lab mark-modified "scripts/demo.sh enabled TLS" >/dev/null 2>&1 || true
echo
echo "demo: done. The lab stays up; run scripts/demo.sh again to plan again (no changes); remove the lab with: tests/testbed/lab down"
