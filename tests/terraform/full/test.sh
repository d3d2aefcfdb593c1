TF_NEEDS_LAB=1
# TLS on an existing plain cluster with a `full` restart, as HCL
# (main.tf, then steps/restart.tf): bad input first (bad/*.tf, one at a time
# beside the deployed configuration, each refused with Terraform's diagnostic
# naming the file, line and attribute, nothing changed on any node), drift on
# the nodes repaired, bootstrap safety (the most advanced node is
# bootstrapped, not the first), destroy restoring my.cnf byte for byte. Every
# step is followed by an empty `terraform plan -detailed-exitcode`.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

step "prepare"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
lab_prepare
node_ssh 10.77.0.11 'printf "[client]\nport=3306\n" > /etc/mysql/client-only.cnf'
(cd "$TF_CFG" && ssh-keygen -q -t ed25519 -N '' -f fakehost && echo "10.77.0.11 $(cat fakehost.pub)" >wrong_known_hosts)
tf_init

step "deploy the CA, certificates and TLS configuration to the three nodes"
tf_apply "files and my.cnf on 3 nodes, no restart yet" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 8 added, 0 changed, 0 destroyed."
out=$(node_ssh 10.77.0.12 "stat -c '%a %U:%G %n' /etc/mysql/certs/pxc2-key.pem /etc/mysql/certs/pxc2-cert.pem /etc/mysql/certs/ca-cert.pem")
expect_in "pxc2: key 0600, certificates 0644, owned by mysql" "$out" "600 mysql:mysql /etc/mysql/certs/pxc2-key.pem" \
  "644 mysql:mysql /etc/mysql/certs/pxc2-cert.pem"
out=$(node_ssh 10.77.0.11 grep wsrep_provider_options /etc/mysql/my.cnf)
expect_in "pxc1: socket.ssl_* merged into the existing wsrep_provider_options" "$out" "gcache.size=32M" \
  "socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem" "socket.ssl_key=/etc/mysql/certs/pxc1-key.pem" \
  "socket.ssl_ca=/etc/mysql/certs/ca-cert.pem"
out=$(node_ssh 10.77.0.13 cat /etc/mysql/my.cnf | awk '/^\[/{s=$0} /^ssl-ca/{print s" "$0}')
expect_in "pxc3: ssl-ca under [mysqld]" "$out" "[mysqld] ssl-ca"
check "pxc1: the original my.cnf kept as my.cnf.pxc.bak" cmp <(node_ssh 10.77.0.11 cat /etc/mysql/my.cnf.pxc.bak) "$TF_WORK/orig-10.77.0.11.cnf"
tf_plan_empty
snapshot deployed

# Each bad input beside the deployed configuration: refused with the
# provider's diagnostic as Terraform renders it, nothing changed on any node,
# and once the file is removed the plan is empty again (nothing got into the
# state).
bad_input() {
  local file=$1 cmd=$2 summary=$3 attr=$4 detail=${5:-}
  step "bad input: ${file%.tf}"
  cp "$TF_SCENARIO_DIR/bad/$file" "$TF_CFG/$file"
  tf_expect_error "$cmd" "$summary" "$file" "$attr" "$detail"
  expect_nodes_unchanged "$file refused" deployed
  rm "$TF_CFG/$file"
  tf_plan_empty
}
bad_input unreachable_host.tf apply "Cannot Connect" host "10.77.0.99"
bad_input wrong_host_key.tf apply "Cannot Connect" host "SHA256:"
bad_input unwritable_cert_dir.tf apply "Cannot Create" cert_dir
bad_input no_mysqld_section.tf apply "No [mysqld] Section" config_file
out=$(node_ssh 10.77.0.11 cat /etc/mysql/client-only.cnf)
expect_eq "the option file without [mysqld] is untouched" "$out" $'[client]\nport=3306'
bad_input bad_strategy.tf plan "Invalid Attribute Value" strategy '"fast"'
bad_input bad_ip_address.tf plan "Invalid IP Address" ip_addresses "10.77.0.300"
bad_input user_subject_without_specified.tf plan "Conflicting Attributes" require_subject 'require = "specified"'

step "restart.tf: the full restart enables TLS"
cp "$TF_SCENARIO_DIR/steps/restart.tf" "$TF_CFG/"
tf_apply "full restart" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "pxc_cluster_restart.tls: Creation complete" \
  "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
tf_state_json
tf_expect_state pxc_cluster_restart.tls cluster_size 3
tf_state_to_file pxc_ca.cluster cert_pem ca.pem
tf_state_to_file pxc_node_cert.client cert_pem client.pem
tf_state_to_file pxc_node_cert.client private_key_pem client-key.pem
out=$(node_sql 10.77.0.11 "SHOW STATUS LIKE 'wsrep_cluster_size'; SHOW VARIABLES LIKE 'have_ssl'; SHOW VARIABLES LIKE 'wsrep_provider_options'")
expect_in "pxc1: 3 nodes, have_ssl, TLS provider options, gcache.size kept" "$out" \
  $'wsrep_cluster_size\t3' $'have_ssl\tYES' 'gcache.size = 32M' 'socket.ssl_cert = /etc/mysql/certs/pxc1-cert.pem'
expect_in "Galera on 4567 is mutual TLS" "$(tls_check_4567 10.77.0.12)" 'Verify return code: 0 (ok)' 'New, TLSv1.'
out=$( (sleep 1) | timeout 10 openssl s_client -connect 10.77.0.12:4567 -CAfile "$TF_WORK/ca.pem" 2>&1 | tr '\0' '.')
check "4567 refuses a client without a certificate" grep -qiE 'certificate required|handshake failure|peer did not return a certificate' <<<"$out"
tf_plan_empty

step "drift on the nodes: key mode changed on pxc2, ssl-ca removed on pxc3"
node_ssh 10.77.0.12 chmod 0644 /etc/mysql/certs/pxc2-key.pem
node_ssh 10.77.0.13 "sed -i '/^ssl-ca/d' /etc/mysql/my.cnf"
tf_plan_changes "the drift shows in the plan" '# pxc_node_tls_config.node["pxc2"] will be updated in-place' \
  '# pxc_node_tls_config.node["pxc3"] will be updated in-place' 'Plan: 0 to add, 2 to change, 0 to destroy.'
expect_not_in "pxc1 and the restart are not touched" "$TF_OUT" 'pxc_node_tls_config.node["pxc1"] will' 'pxc_cluster_restart.tls will'
tf_apply "the drift repaired" >/dev/null
expect_eq "pxc2's key is 0600 again" "$(node_ssh 10.77.0.12 stat -c %a /etc/mysql/certs/pxc2-key.pem)" 600
expect_eq "pxc3 has ssl-ca again" "$(node_ssh 10.77.0.13 grep -c '^ssl-ca' /etc/mysql/my.cnf)" 1
tf_plan_empty

step "bootstrap safety: pxc1 and pxc3 stopped while pxc2 keeps committing, then restart_round = 2"
out=$(node_sql 10.77.0.12 'CREATE DATABASE IF NOT EXISTS safety; CREATE TABLE IF NOT EXISTS safety.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT); INSERT INTO safety.t (v) VALUES (1),(2)' &&
  node_ssh 10.77.0.11 service mysql stop && node_sql 10.77.0.12 'INSERT INTO safety.t (v) VALUES (3),(4)' &&
  node_ssh 10.77.0.13 service mysql stop && node_sql 10.77.0.12 'INSERT INTO safety.t (v) VALUES (5); SELECT COUNT(*) FROM safety.t' 2>&1)
expect_eq "5 rows, the last 3 on pxc2 only" "$(tail -1 <<<"$out")" 5
echo 'restart_round = 2' >"$TF_CFG/round.auto.tfvars"
tf_plan_changes "the restart is replaced" '# pxc_cluster_restart.tls must be replaced' 'Plan: 1 to add, 0 to change, 1 to destroy.'
tf_apply "full restart, round 2" >/dev/null
tf_state_json
tf_expect_state pxc_cluster_restart.tls bootstrap_node pxc2
tf_expect_state pxc_cluster_restart.tls cluster_size 3
out=$(for ip in "${NODE_IPS[@]}"; do node_sql "$ip" 'SELECT COUNT(*) FROM safety.t'; done | tr '\n' ' ')
expect_eq "every row survived on every node" "$out" "5 5 5 "
node_sql 10.77.0.11 'DROP DATABASE safety'
tf_plan_empty

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 9 destroyed."
expect_destroyed_clean
node_ssh 10.77.0.11 rm -f /etc/mysql/client-only.cnf
