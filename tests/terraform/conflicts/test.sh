TF_NEEDS_LAB=1
# Options pxc manages, set elsewhere, as HCL (main.tf, then
# steps/restart.tf): an explicit socket.ssl=no in every node's
# wsrep_provider_options is removed (the plan shows it) and Galera TLS is
# really on at 4567 after the full restart; a file read through !includedir
# that would override the managed wsrep_provider_options is refused with its
# file and line before anything is written, and when one is added later on a
# configured node the plan shows it as drift and apply refuses it, nothing
# changed; destroy restores every my.cnf byte for byte (socket.ssl=no and the
# !includedir line included). Every step that applies is followed by an empty
# `terraform plan -detailed-exitcode`.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

# The seven config entries of pxc_node_tls_config.node["<name>"] that the
# plan (plan) or the state (state) must hold.
expect_tls_config() {
  local where=$1 name=$2 addr="pxc_node_tls_config.node[\"$2\"]" d=/etc/mysql/certs
  tf_expect_map "$where" "$addr" config "[mysqld] ssl-ca" "$d/ca-cert.pem"
  tf_expect_map "$where" "$addr" config "[mysqld] ssl-cert" "$d/$name-cert.pem"
  tf_expect_map "$where" "$addr" config "[mysqld] ssl-key" "$d/$name-key.pem"
  tf_expect_map "$where" "$addr" config "[mysqld] wsrep_provider_options: socket.ssl" "(absent)"
  tf_expect_map "$where" "$addr" config "[mysqld] wsrep_provider_options: socket.ssl_ca" "$d/ca-cert.pem"
  tf_expect_map "$where" "$addr" config "[mysqld] wsrep_provider_options: socket.ssl_cert" "$d/$name-cert.pem"
  tf_expect_map "$where" "$addr" config "[mysqld] wsrep_provider_options: socket.ssl_key" "$d/$name-key.pem"
}

step "prepare: socket.ssl=no on every node; on pxc1 an !includedir whose file sets wsrep_provider_options again"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
lab_prepare
for ip in "${NODE_IPS[@]}"; do
  node_ssh "$ip" "sed -i 's/^\(wsrep_provider_options *= *\)\"gcache.size=32M\"/\1\"gcache.size=32M; socket.ssl=no\"/' /etc/mysql/my.cnf"
done
node_ssh 10.77.0.11 'mkdir -p /etc/mysql/conf.d && printf "[galera]\nwsrep_provider_options = \"gcache.size=32M\"\n" > /etc/mysql/conf.d/90-galera.cnf && printf "!includedir /etc/mysql/conf.d\n" >> /etc/mysql/my.cnf'
lab_record_orig
out=$(cd "$TF_WORK" && grep -c 'gcache.size=32M; socket.ssl=no' orig-10.77.0.1[123].cnf | tr '\n' ' ')
expect_eq "every my.cnf has socket.ssl=no in wsrep_provider_options" "$out" \
  "orig-10.77.0.11.cnf:1 orig-10.77.0.12.cnf:1 orig-10.77.0.13.cnf:1 "
expect_eq "pxc1's my.cnf ends with the !includedir" "$(tail -1 "$TF_WORK/orig-10.77.0.11.cnf")" "!includedir /etc/mysql/conf.d"
expect_eq "pxc1's included file sets wsrep_provider_options" "$(node_ssh 10.77.0.11 cat /etc/mysql/conf.d/90-galera.cnf)" \
  $'[galera]\nwsrep_provider_options = "gcache.size=32M"'
echo 'tls_nodes = ["pxc1"]' >"$TF_CFG/tls.auto.tfvars"
snapshot prepared
tf_init

step "pxc1 only: the !includedir file overriding wsrep_provider_options is refused with its file and line"
tf_expect_error apply "Conflicting Option Overrides" main.tf config_file \
  "/etc/mysql/conf.d/90-galera.cnf line 2 ([galera] wsrep_provider_options)"
expect_in "the diagnostic is pxc1's" "$TF_OUT" 'with pxc_node_tls_config.node["pxc1"],'
expect_nodes_unchanged "refused" prepared
expect_eq "no certificate, backup or rollback file on pxc1" \
  "$(node_ssh 10.77.0.11 'ls -A /etc/mysql/certs 2>/dev/null; ls -d /etc/mysql/my.cnf.pxc* 2>/dev/null')" ""
node_ssh 10.77.0.11 rm /etc/mysql/conf.d/90-galera.cnf
tf_plan_changes "only pxc1's configuration is still to be made (the certificates were created)" \
  '# pxc_node_tls_config.node["pxc1"] will be created' 'Plan: 1 to add, 0 to change, 0 to destroy.'

step "all three nodes and restart.tf: socket.ssl=no removed (the plan shows it), the full restart turns Galera TLS on"
rm "$TF_CFG/tls.auto.tfvars"
cp "$TF_SCENARIO_DIR/steps/restart.tf" "$TF_CFG/"
tf_plan_saved
expect_eq "terraform plan -detailed-exitcode -out: exit 2" "$TF_RC" 2
expect_in "the plan: three node configurations and the restart" "$TF_OUT" \
  '# pxc_node_tls_config.node["pxc1"] will be created' '# pxc_node_tls_config.node["pxc2"] will be created' \
  '# pxc_node_tls_config.node["pxc3"] will be created' '# pxc_cluster_restart.tls will be created' \
  'Plan: 4 to add, 0 to change, 0 to destroy.'
expect_in "the plan shows socket.ssl removed" "$(tf_flat)" '"[mysqld] wsrep_provider_options: socket.ssl" = "(absent)"'
expect_tls_config plan pxc1
expect_tls_config plan pxc2
tf_apply "the saved plan: TLS configuration on 3 nodes, full restart" "$TF_WORK/tfplan" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 4 added, 0 changed, 0 destroyed."
tf_state_json
tf_expect_state pxc_cluster_restart.tls cluster_size 3
expect_tls_config state pxc3
tf_state_to_file pxc_ca.cluster cert_pem ca.pem
tf_state_to_file pxc_node_cert.client cert_pem client.pem
tf_state_to_file pxc_node_cert.client private_key_pem client-key.pem
for ip in "${NODE_IPS[@]}"; do
  out=$(node_sql "$ip" "SHOW VARIABLES LIKE 'wsrep_provider_options'" | grep -o 'socket.ssl = [A-Z]*')
  expect_eq "$ip: Galera runs with socket.ssl = YES" "$out" "socket.ssl = YES"
done
out=$(for ip in "${NODE_IPS[@]}"; do node_ssh "$ip" grep -c 'socket.ssl=no' /etc/mysql/my.cnf; done | tr '\n' ' ')
expect_eq "no socket.ssl=no left in any my.cnf" "$out" "0 0 0 "
expect_in "pxc2: socket.ssl=no replaced by the socket.ssl_* options, gcache.size kept" \
  "$(node_ssh 10.77.0.12 grep wsrep_provider_options /etc/mysql/my.cnf)" \
  "gcache.size=32M; socket.ssl_cert=/etc/mysql/certs/pxc2-cert.pem"
for ip in "${NODE_IPS[@]}"; do
  out=$(tls_check_4567 "$ip")
  expect_in "$ip: 4567 is mutual TLS, verified against the CA" "$out" 'Verify return code: 0 (ok)' 'New, TLSv1.'
  expect_not_in "$ip: no verification error" "$out" 'Verify return code: 1' 'Verify return code: 2'
done
out=$( (sleep 1) | timeout 10 openssl s_client -connect 10.77.0.13:4567 -CAfile "$TF_WORK/ca.pem" 2>&1 | tr '\0' '.')
check "pxc3's 4567 refuses a client without a certificate" grep -qiE 'certificate required|handshake failure|peer did not return a certificate' <<<"$out"
tf_plan_empty

step "an override added later on pxc3 through !includedir shows in the plan as drift"
node_ssh 10.77.0.13 cat /etc/mysql/my.cnf >"$TF_WORK/applied-13.cnf"
node_ssh 10.77.0.13 'mkdir -p /etc/mysql/conf.d && printf "# added by hand\n[mysqld]\nwsrep_provider_options=\"gcache.size=32M; socket.ssl=no\"\n" > /etc/mysql/conf.d/50-plain.cnf && printf "!includedir /etc/mysql/conf.d/\n" >> /etc/mysql/my.cnf'
node_ssh 10.77.0.13 cat /etc/mysql/my.cnf >"$TF_WORK/included-13.cnf"
check "pxc3's my.cnf now includes /etc/mysql/conf.d/" grep -qx '!includedir /etc/mysql/conf.d/' "$TF_WORK/included-13.cnf"
snapshot overridden
tf_plan_changes "pxc3's configuration drifted" '# pxc_node_tls_config.node["pxc3"] will be updated in-place' \
  'Plan: 0 to add, 1 to change, 0 to destroy.'
expect_not_in "pxc1, pxc2 and the restart are not touched" "$TF_OUT" 'pxc_node_tls_config.node["pxc1"] will' \
  'pxc_node_tls_config.node["pxc2"] will' 'pxc_cluster_restart.tls will' 'pxc_cluster_restart.tls must'

step "apply refuses the override with its file and line; nothing changed"
tf_expect_error apply "Conflicting Option Overrides" main.tf config_file \
  "/etc/mysql/conf.d/50-plain.cnf line 3 ([mysqld] wsrep_provider_options)"
expect_in "the diagnostic is pxc3's" "$TF_OUT" 'with pxc_node_tls_config.node["pxc3"],'
check "pxc3's my.cnf unchanged" cmp <(node_ssh 10.77.0.13 cat /etc/mysql/my.cnf) "$TF_WORK/included-13.cnf"
expect_nodes_unchanged "refused" overridden
node_ssh 10.77.0.13 'cat > /etc/mysql/my.cnf && rm -r /etc/mysql/conf.d' <"$TF_WORK/applied-13.cnf"
check "pxc3's my.cnf as applied again, its conf.d removed" cmp <(node_ssh 10.77.0.13 'cat /etc/mysql/my.cnf; ls -d /etc/mysql/conf.d 2>/dev/null') "$TF_WORK/applied-13.cnf"

step "without the override the plan is empty again"
tf_plan_empty

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 9 destroyed."
# orig-*.cnf were recorded after the preparation: socket.ssl=no and pxc1's
# !includedir are part of what must come back.
expect_destroyed_clean
