#!/usr/bin/env bash
# The main job (README): on a fresh Debian machine, as root, installs what it
# needs, builds the provider and the protocol driver, starts the local 3-node
# lab cluster (MariaDB Galera + HAProxy + sshd in network namespaces, plain,
# as the tutorial starts), applies the tutorial end to end through the real
# plugin protocol, and prints the result: the cluster seen through HAProxy
# over TLS with the client certificate pxc made.
#
# The lab stays up and TLS-secured afterwards; running the demo again plans
# in the same directory and shows no changes; `tests/testbed/lab down`
# removes the lab and leaves nothing running. The demo's files (CA, client certificate, state) are in
# $PXC_DEMO_DIR (default /var/lib/pxc-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo_dir=${PXC_DEMO_DIR:-/var/lib/pxc-demo}

bash scripts/install-deps.sh all
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target terraform-provider-pxc pxc-tfdriver

# Run again on a lab this demo secured: plan in the same directory (state
# kept), which must show no changes. Otherwise start from a fresh, plain lab:
# the state the tutorial starts from.
demo_lab_up() {
  local st
  st=$(tests/testbed/lab status 2>/dev/null || true)
  grep -q 'modified by a test (scripts/demo.sh enabled TLS)' <<<"$st" &&
    [[ $(grep -c 'Synced, wsrep_cluster_size=3' <<<"$st") == 3 ]]
}
if [[ -f "$demo_dir/terraform.tfstate" ]] && demo_lab_up; then
  # shellcheck disable=SC1091
  source "${PXC_LAB_DIR:-/var/lib/pxc-lab}/env"
  export PXC_LAB_DIR PXC_LAB_SSH_OPTS PXC_LAB_MYSQL_USER PXC_LAB_MYSQL_PASSWORD
  echo "demo: already applied here; planning again in $demo_dir (expect no changes)"
  ip netns exec "$PXC_LAB_CLIENT_NETNS" build/tests/driver/pxc-tfdriver --keep-state \
    --provider "$root/build/provider/terraform-provider-pxc" \
    --scenario "$root/examples/tutorial/tutorial-replan.json" --workdir "$demo_dir"
else
  tests/testbed/lab down >/dev/null 2>&1 || true
  tests/testbed/lab up
  # shellcheck disable=SC1091
  source "${PXC_LAB_DIR:-/var/lib/pxc-lab}/env"
  export PXC_LAB_DIR PXC_LAB_SSH_OPTS PXC_LAB_MYSQL_USER PXC_LAB_MYSQL_PASSWORD
  rm -rf "$demo_dir"
  echo "demo: applying examples/tutorial (see examples/tutorial/main.tf) through the plugin protocol"
  ip netns exec "$PXC_LAB_CLIENT_NETNS" build/tests/driver/pxc-tfdriver \
    --provider "$root/build/provider/terraform-provider-pxc" \
    --scenario "$root/examples/tutorial/tutorial.json" --workdir "$demo_dir"
fi

echo
echo "demo: data.pxc_cluster_status (through HAProxy as ssluser with the client certificate, require_tls), from the state:"
python3 - "$demo_dir/terraform.tfstate" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["resources"]:
    if r["address"] == "data.pxc_cluster_status.through_haproxy":
        a = r["attributes"]
        print("  wsrep_local_state_uuid=%s wsrep_cluster_size=%s wsrep_cluster_status=%s ssl_cipher=%s"
              % (a["wsrep_local_state_uuid"], a["wsrep_cluster_size"], a["wsrep_cluster_status"], a["ssl_cipher"]))
PY
echo
echo "demo: bootstrapped from $(cat "$demo_dir/bootstrap_node.txt"); the cluster through HAProxy ($PXC_LAB_HAPROXY_HOST:3306) over TLS:"
ip netns exec "$PXC_LAB_CLIENT_NETNS" mariadb -h "$PXC_LAB_HAPROXY_HOST" -P 3306 \
  -u "$PXC_LAB_MYSQL_USER" -p"$PXC_LAB_MYSQL_PASSWORD" \
  --ssl --ssl-ca "$demo_dir/ca.pem" --ssl-cert "$demo_dir/client.pem" --ssl-key "$demo_dir/client-key.pem" \
  -e "SHOW STATUS LIKE 'Ssl_cipher'; SHOW STATUS WHERE Variable_name IN ('wsrep_local_state_uuid','wsrep_cluster_size','wsrep_cluster_status','wsrep_local_state_comment','wsrep_connected','wsrep_ready'); SHOW VARIABLES LIKE 'wsrep_provider_options'" \
  | sed 's/^/  /' | cut -c1-200
echo
echo "demo: Galera replication on 4567 is TLS (handshake with the client certificate):"
(sleep 1) | ip netns exec "$PXC_LAB_CLIENT_NETNS" timeout 10 openssl s_client -connect "$PXC_LAB_IP_PXC1:4567" \
  -CAfile "$demo_dir/ca.pem" -cert "$demo_dir/client.pem" -key "$demo_dir/client-key.pem" 2>&1 \
  | tr '\0' '.' | grep -E '^(New, TLS|Verify return code|subject=)' | sed 's/^/  /'

# The lab is TLS-secured now: make the next `lab up` (e.g. the tests) rebuild
# it plain.
tests/testbed/lab mark-modified "scripts/demo.sh enabled TLS" >/dev/null 2>&1 || true
echo
echo "demo: done. The lab stays up; remove it with: tests/testbed/lab down"
