TF_NEEDS_LAB=1
# TLS on an existing plain cluster without downtime, as HCL: a node that
# cannot read its key is rolled back and runs again (steps/restart.tf,
# `rolling`); fixed, the rolling restart enables TLS in two passes while a
# write loop through HAProxy loses nothing; certificates rotated with
# `terraform apply -replace` and `reload` (steps/rotate.tf) without a
# restart; `reload` refusing a moved file; destroy. Every step that applies
# is followed by an empty `terraform plan -detailed-exitcode`.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

uptimes() {
  for ip in "${NODE_IPS[@]}"; do node_sql "$ip" "SHOW GLOBAL STATUS LIKE 'Uptime'" | cut -f2; done
}
# expect_not_restarted <what> <uptimes before>
expect_not_restarted() {
  local now
  now=$(uptimes)
  expect_eq "$1: no node restarted (uptime $(tr '\n' ' ' <<<"$2")-> $(tr '\n' ' ' <<<"$now"))" \
    "$(paste <(echo "$2") <(echo "$now") | awk '{ print ($2 >= $1) ? "kept" : "RESTARTED" }' | sort -u)" kept
}
# Fingerprints of the certificates served on <port> (4567 Galera, 3306
# MySQL), one line per node.
served() {
  local ip
  for ip in "${NODE_IPS[@]}"; do
    if [[ $1 == 3306 ]]; then
      (sleep 1) | timeout 10 openssl s_client -starttls mysql -connect "$ip:3306" -CAfile "$TF_WORK/ca.pem" 2>/dev/null
    else
      (sleep 1) | timeout 10 openssl s_client -connect "$ip:4567" -CAfile "$TF_WORK/ca.pem" \
        -cert "$TF_WORK/client.pem" -key "$TF_WORK/client-key.pem" 2>/dev/null
    fi | openssl x509 -noout -fingerprint -sha256
  done
}

step "prepare"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
lab_prepare
echo 'pxc1_owner = "root"' >"$TF_CFG/owner.auto.tfvars"
tf_init

step "deploy; pxc1's files owned by root, so its mysqld cannot read its key"
tf_apply "files and my.cnf on 3 nodes, no restart yet" >/dev/null
expect_eq "pxc1's key is root's" "$(node_ssh 10.77.0.11 stat -c %U /etc/mysql/certs/pxc1-key.pem)" root
tf_plan_empty

step "restart.tf: the rolling restart fails on pxc1, which gets its configuration back"
cp "$TF_SCENARIO_DIR/steps/restart.tf" "$TF_CFG/"
tf apply -auto-approve -no-color -input=false
tf_summary
expect_eq "terraform apply exits 1" "$TF_RC" 1
expect_in "Terraform shows the provider's diagnostic for the restart" "$TF_OUT" "Configuration Rolled Back" \
  "with pxc_cluster_restart.tls," "on restart.tf line" "error log tail:"
out=$(for ip in "${NODE_IPS[@]}"; do node_ssh "$ip" cat /etc/mysql/my.cnf | cmp -s - "$TF_WORK/orig-$ip.cnf" && echo "rolled-back-$ip"; done)
expect_in "my.cnf is the original again on every node" "$out" rolled-back-10.77.0.11 rolled-back-10.77.0.12 rolled-back-10.77.0.13
out=$(for ip in "${NODE_IPS[@]}"; do node_sql "$ip" "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_local_state_comment')"; done)
expect_in "the cluster kept 3 Synced nodes" "$out" $'wsrep_cluster_size\t3' $'wsrep_local_state_comment\tSynced'
expect_not_in "no node left out" "$out" $'wsrep_cluster_size\t2' $'wsrep_cluster_size\t1'
tf_plan_changes "the rolled-back configuration shows as drift, the restart is still to be created" \
  '# pxc_node_tls_config.node["pxc1"] will be updated in-place' '# pxc_cluster_restart.tls will be created'

step "pxc1's owner fixed: the rolling restart enables TLS in two passes under a write loop"
(cd "$TF_WORK" && "$PXC_SOURCE_DIR/tests/e2e/writeloop.py" start writeloop) | sed 's/^/    /'
rm "$TF_CFG/owner.auto.tfvars"
# The provider's progress (its info log: each node drained, stopped,
# started, Synced) with Terraform's timestamps, to set beside a failed write.
export TF_LOG_PROVIDER=INFO TF_LOG_PATH=$TF_WORK/rolling-provider.log
# And HAProxy's view of each backend (status, including DRAIN from the
# agent, and the last health check's result) every 0.2 s, changes only.
# Stopped by a file (also on a bail-out), and ends with the test's shell.
scenario_on_bail() { touch "$TF_WORK/haproxy-watch.stop"; }
(
  while [[ ! -e $TF_WORK/haproxy-watch.stop ]] && kill -0 $$ 2>/dev/null; do
    echo "show stat" | timeout 2 socat - "UNIX-CONNECT:$PXC_LAB_DIR/pxc0/run/haproxy.sock" 2>/dev/null |
      awk -F, -v t="$(date -u +%H:%M:%S.%3NZ)" '$1 == "galera" && $2 ~ /^pxc/ { c = $37; sub(/^\* /, "", c); printf "%s %s %s (check %s)\n", t, $2, $18, c }'
    sleep 0.2
  done | awk '{ k = $2; v = $0; sub(/^[^ ]+ /, "", v); if (last[k] != v) { print; last[k] = v } }' >"$TF_WORK/haproxy-states.log"
) 9<&- &
haproxy_watch=$!
tf_apply "configurations deployed again, rolling restart" >/dev/null
touch "$TF_WORK/haproxy-watch.stop"
wait "$haproxy_watch"
unset TF_LOG_PROVIDER TF_LOG_PATH
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 1 added, 3 changed, 0 destroyed."
sleep 2
out=$(cd "$TF_WORK" && "$PXC_SOURCE_DIR/tests/e2e/writeloop.py" stop writeloop 2>&1)
echo "    $out" | head -6
expect_in "the write loop through HAProxy: no failed and no lost write" "$out" "failed=0 lost=0"
if [[ $out != *"failed=0 lost=0"* ]]; then
  echo "    the restart's progress and HAProxy's view of the backends (UTC):"
  {
    grep -o '^[0-9T:.-]*Z.*pxc_cluster_restart: [^:]*: [^:]*' "$TF_WORK/rolling-provider.log" |
      sed -E 's/^[0-9-]+T([0-9:.]+Z) .*(pxc_cluster_restart: )/\1 restart: /'
    sed 's/ / haproxy: /' "$TF_WORK/haproxy-states.log"
  } | sort | sed 's/^/    | /'
fi
tf_state_json
tf_expect_state pxc_cluster_restart.tls passes 2
tf_expect_state pxc_cluster_restart.tls cluster_size 3
tf_expect_state pxc_cluster_restart.tls bootstrap_node ""
tf_state_to_file pxc_ca.cluster cert_pem ca.pem
tf_state_to_file pxc_node_cert.client cert_pem client.pem
tf_state_to_file pxc_node_cert.client private_key_pem client-key.pem
out=$(for ip in "${NODE_IPS[@]}"; do node_sql "$ip" "SELECT @@wsrep_provider_options" | tr ';' '\n' | grep socket.ssl_cert; done)
expect_in "every node runs with its certificate" "$out" "socket.ssl_cert = /etc/mysql/certs/pxc1-cert.pem" \
  "socket.ssl_cert = /etc/mysql/certs/pxc2-cert.pem" "socket.ssl_cert = /etc/mysql/certs/pxc3-cert.pem"
out=$(for ip in "${NODE_IPS[@]}"; do node_ssh "$ip" 'echo "$(grep -c socket.dynamic /etc/mysql/my.cnf) $(test -e /etc/mysql/my.cnf.pxc.dynamic && echo dynamic-copy) $(test -e /etc/mysql/my.cnf.pxc.good && echo good)"'; done)
expect_eq "no socket.dynamic or its copy left, the last good my.cnf kept for rollback" "$(tr '\n' ' ' <<<"$out")" "0  good 0  good 0  good "
for ip in "${NODE_IPS[@]}"; do
  expect_in "$ip: 4567 is mutual TLS" "$(tls_check_4567 "$ip")" 'Verify return code: 0 (ok)' 'New, TLSv1.'
done
tf_plan_empty

step "rotate.tf and terraform apply -replace of the node certificates: reload, no restart"
before_4567=$(served 4567)
before_3306=$(served 3306)
before_uptime=$(uptimes)
expect_eq "3 certificates served on 4567 and on 3306" "$(wc -l <<<"$before_4567") $(wc -l <<<"$before_3306")" "3 3"
cp "$TF_SCENARIO_DIR/steps/rotate.tf" "$TF_CFG/"
tf_apply "new node certificates at the same paths, reloaded" \
  -replace='pxc_node_cert.node["pxc1"]' -replace='pxc_node_cert.node["pxc2"]' -replace='pxc_node_cert.node["pxc3"]' >/dev/null
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_cert.node["pxc2"] will be replaced, as requested' \
  '# pxc_node_tls_config.node["pxc2"] will be updated in-place' '# pxc_cluster_restart.rotate will be created' \
  "Apply complete! Resources: 4 added, 3 changed, 3 destroyed."
expect_not_in "the rolling restart is not triggered" "$TF_OUT" "pxc_cluster_restart.tls will"
tf_state_json
tf_expect_state pxc_cluster_restart.rotate passes 0
after_4567=$(served 4567)
after_3306=$(served 3306)
files=$(for n in 1 2 3; do node_ssh "10.77.0.1$n" cat "/etc/mysql/certs/pxc$n-cert.pem" | openssl x509 -noout -fingerprint -sha256; done)
expect_eq "Galera serves the new certificates" "$after_4567" "$files"
expect_eq "mysqld serves the new certificates" "$after_3306" "$files"
check "the served certificates changed on 4567" test "$before_4567" != "$after_4567"
check "the served certificates changed on 3306" test "$before_3306" != "$after_3306"
expect_not_restarted "reload" "$before_uptime"
tf_plan_empty

step "reload refuses a moved certificate file (needs a restart), before touching anything"
before_uptime=$(uptimes)
echo 'pxc3_cert_file = "pxc3-new-cert.pem"' >"$TF_CFG/path.auto.tfvars"
tf_expect_error apply "Restart Needed, Not a Reload" rotate.tf strategy "socket.ssl_cert runs"
expect_not_restarted "refused reload" "$before_uptime"
rm "$TF_CFG/path.auto.tfvars"
tf_apply "the file moved back, the reload runs" >/dev/null
expect_not_restarted "reload" "$before_uptime"
tf_plan_empty

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 10 destroyed."
expect_destroyed_clean
