TF_NEEDS_LAB=1
# examples/tutorial-no-secrets as a user runs it (Terraform >= 1.11): every
# node's key made on the node (pxc_node_key), the CA key in a 0600 file
# outside state (pxc_ca.private_key_file, read by the ephemeral pxc_ca_key),
# the certificates signed from the nodes' requests, TLS deployed next to the keys with no key attribute
# (key_on_node), a full restart, ssluser with password_wo from an ephemeral
# variable, and the final check through HAProxy with an ephemeral client
# certificate. Checks: the cluster Synced over TLS (4567 mutual TLS with a
# node's own key, 3306), ssluser refused without TLS, the final check's
# wsrep_local_state_uuid and cipher; each node key 0600 mysql:mysql on its
# own node only; an empty re-plan (saved, shown with show -json); drift of a
# key's mode seen from the node and repaired; `terraform apply -replace` of
# the node certificates (same keys) from a fresh working directory (the
# configuration and the state only), signed with the CA key from its file
# and reloaded without a restart (steps/rotate.tf); a fourth node (the
# lab's spare pxc4, no grastate.dat, never started) added to the node map
# from another fresh working directory: its key made on it, its certificate
# signed with the CA key from its file, TLS deployed, joined by the full
# restart by state transfer, checked Synced in a cluster of 4 with verified
# TLS on 3306 and 4567; the secrets scan
# (tests/security/secrets_scan.py) over the state, the saved plan and its
# show -json rendering, Terraform's trace log, every command's output and
# the command line and environment of every process of the machine during
# the first apply, the rotation and the fourth node's apply (tests/security/proc_sampler.py: the
# plugin, and on the nodes pxc_node_key's openssl and the restart's mysql
# client; the test's own TF_VAR_* passwords, inherited unchanged, left out),
# for the CA key, the node keys (copied off the nodes by the test itself, as
# root over SSH, only to search for them), the passwords and the lab's SSH
# key, with its self-check (ssluser's password in the environment of a
# process run during sampling is found), plus
# the SHA-256 of each node key's PEM file; destroy leaves my.cnf
# byte-identical and removes the keys.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
secrets=$TF_WORK/secrets

step "prepare: examples/tutorial-no-secrets/main.tf unchanged; the passwords only as TF_VAR_*, the CA key file in a directory of the test's"
cp "$PXC_SOURCE_DIR/examples/tutorial-no-secrets/main.tf" "$TF_CFG/main.tf"
lab_prepare
(umask 077 && mkdir "$secrets" && printf %s "$(openssl rand -hex 12)-ssl" >"$secrets/ssluser" &&
  printf %s "$PXC_LAB_MYSQL_PASSWORD" >"$secrets/admin")
export TF_VAR_ssluser_password TF_VAR_ca_key_file=$secrets/ca-key.pem
TF_VAR_ssluser_password=$(cat "$secrets/ssluser")
export TF_LOG=trace TF_LOG_PATH=$TF_WORK/terraform.log
tf_init

step "terraform apply: keys on the nodes, certificates from their requests, TLS next to the keys, full restart, ssluser, the final check"
proc_sample_start apply
tf_apply "3 node keys made on the nodes, CA and 3 certificates, TLS on 3 nodes, full restart, ssluser" >/dev/null
proc_sample_stop
proc_sample_expect "the plugin" terraform-provi
proc_sample_expect "pxc_node_key's openssl on the nodes (genpkey, pkey, req on a file in cert_dir: several chances per node)" openssl /etc/mysql/certs/
proc_sample_expect "the full restart's client on the nodes" mysql wsrep_cluster_size
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 12 added, 0 changed, 0 destroyed." \
  'pxc_node_key.node["pxc1"]: Creation complete' "pxc_cluster_restart.tls: Creation complete" '"size" = 3' \
  '"status" = "Primary"'
tf output -json cluster
cluster_json=$TF_OUT
uuid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["state_uuid"])' "$cluster_json")
echo "    final check: $(tr -d '\n' <<<"$cluster_json")"
expect_in "the final check through HAProxy prints wsrep_local_state_uuid and the cipher" "$cluster_json" \
  '"size":3' '"status":"Primary"' '"ssl_cipher":"TLS'
check "wsrep_local_state_uuid is a UUID" grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' <<<"$uuid"
tf_state_json
tf_state_to_file pxc_ca.cluster cert_pem ca.pem
expect_eq "the CA key file is 0600" "$(stat -c %a "$TF_VAR_ca_key_file")" 600
expect_eq "the CA key file holds the CA's key (public key fingerprint)" \
  "$(openssl pkey -in "$TF_VAR_ca_key_file" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)" \
  "$(tf_state_attr pxc_ca.cluster public_key_fingerprint_sha256)"
expect_eq "state: pxc_ca.private_key_pem is null" "$(tf_state_attr pxc_ca.cluster private_key_pem)" "null"
for n in 1 2 3; do
  out=$(node_sql "10.77.0.1$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'; SHOW STATUS LIKE 'wsrep_local_state_uuid'; SHOW VARIABLES LIKE 'have_ssl'; SHOW VARIABLES LIKE 'ssl_key'")
  expect_in "pxc$n: Synced in the cluster of the final check, TLS on 3306 with the key made there" "$out" \
    $'wsrep_local_state_comment\tSynced' $'wsrep_local_state_uuid\t'"$uuid" $'have_ssl\tYES' \
    $'ssl_key\t/etc/mysql/certs/pxc'"$n"'-key.pem'
done
# galera_tls_from_pxc1 <ip>: openssl s_client's output (stderr included) for
# <ip>:4567, verified against the CA, with pxc1's certificate and its own key
# (which stay on pxc1).
galera_tls_from_pxc1() {
  node_ssh 10.77.0.11 "(sleep 1) | timeout 10 openssl s_client -connect $1:4567 -CAfile /etc/mysql/certs/ca-cert.pem -cert /etc/mysql/certs/pxc1-cert.pem -key /etc/mysql/certs/pxc1-key.pem -verify_return_error 2>&1" | tr '\0' '.'
}
# Galera's 4567: mutual TLS, tried from pxc1 with pxc1's own key (it stays
# on pxc1) against pxc2 and pxc3.
for ip in 10.77.0.12 10.77.0.13; do
  out=$(galera_tls_from_pxc1 "$ip")
  expect_in "$ip:4567 is TLS verified against the CA, with pxc1's key made on pxc1" "$out" 'Verify return code: 0 (ok)' 'New, TLSv1.'
done
out=$( (sleep 1) | timeout 10 openssl s_client -connect 10.77.0.12:4567 -CAfile "$TF_WORK/ca.pem" 2>&1 | tr '\0' '.')
check "4567 refuses a client without a certificate" grep -qiE 'certificate required|handshake failure|peer did not return a certificate' <<<"$out"
out=$(mariadb -h 10.77.0.10 -P 3306 -u ssluser -p"$TF_VAR_ssluser_password" --ssl --ssl-verify-server-cert \
  --ssl-ca "$TF_WORK/ca.pem" -N -e "SHOW SESSION STATUS LIKE 'Ssl_cipher'" 2>&1)
expect_in "ssluser logs in with the write-only password through HAProxy over verified TLS" "$out" $'Ssl_cipher\tTLS'
out=$(mariadb -h 10.77.0.10 -P 3306 -u ssluser -p"$TF_VAR_ssluser_password" --skip-ssl -e 'SELECT 1' 2>&1)
expect_in "ssluser without TLS is refused" "$out" "1045"

step "the node keys: 0600 mysql:mysql, each on its own node only, none in the state"
(umask 077 && for n in 1 2 3; do node_ssh "10.77.0.1$n" cat "/etc/mysql/certs/pxc$n-key.pem" >"$secrets/pxc$n.key"; done)
for n in 1 2 3; do
  out=$(node_ssh "10.77.0.1$n" "stat -c '%a %U:%G' /etc/mysql/certs/pxc$n-key.pem; ls -A /etc/mysql/certs")
  expect_eq "pxc$n: its key is 0600 mysql:mysql; no other node's key, no temporary file there" "$(tr '\n' ' ' <<<"$out")" \
    "600 mysql:mysql ca-cert.pem pxc$n-cert.pem pxc$n-key.pem "
  pub=$(openssl pkey -in "$secrets/pxc$n.key" -pubout 2>/dev/null)
  expect_eq "pxc$n: the key on the node is the one pxc_node_key reports" "$pub" \
    "$(tf_state_attr "pxc_node_key.node[\"pxc$n\"]" public_key_pem | sed '/^$/d')"
  expect_eq "pxc$n: pxc_node_key.key_status" "$(tf_state_attr "pxc_node_key.node[\"pxc$n\"]" key_status)" "0600 mysql:mysql"
done
check "the state holds no private key and no password" python3 - "$TF_CFG/terraform.tfstate" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
assert "PRIVATE KEY" not in text
st = json.loads(text)
for r in st["resources"]:
    for i in r["instances"]:
        for k, v in i["attributes"].items():
            if k in ("password", "password_wo", "key_pem", "key_pem_wo", "ca_private_key_pem_wo",
                     "private_key_pem", "ca_private_key_pem"):
                assert v in (None, ""), (r["type"], k)
PY

step "the next plan is empty; saved as a plan file and shown with show -json"
tf_plan_saved
if [[ $TF_RC == 0 ]] && grep -q '^No changes\.' "$TF_LAST_LOG"; then
  ok "terraform plan -detailed-exitcode -out: exit 0, No changes."
else
  not_ok "terraform plan -detailed-exitcode -out: exit 0, No changes." "exit $TF_RC"
  tf_dump
fi

step "pxc2's key loosened on the node (0644 root): seen from the node, repaired in place"
node_ssh 10.77.0.12 "chown root:root /etc/mysql/certs/pxc2-key.pem && chmod 644 /etc/mysql/certs/pxc2-key.pem"
tf_plan_changes "pxc2's key and its TLS configuration" '# pxc_node_key.node["pxc2"] will be updated in-place' \
  '# pxc_node_tls_config.node["pxc2"] will be updated in-place' 'Plan: 0 to add, 2 to change, 0 to destroy.'
expect_in "the plan shows what the node has" "$(tf_flat)" '~ key_status = "0644 root:root" -> "0600 mysql:mysql"'
tf_apply "the key's owner and mode repaired, the same key" >/dev/null
expect_eq "pxc2's key is 0600 mysql:mysql again" "$(node_ssh 10.77.0.12 "stat -c '%a %U:%G' /etc/mysql/certs/pxc2-key.pem")" "600 mysql:mysql"
expect_eq "pxc2's key is the same key" "$(node_ssh 10.77.0.12 cat /etc/mysql/certs/pxc2-key.pem | sha256sum)" \
  "$(sha256sum <"$secrets/pxc2.key")"
tf_plan_empty

step "rotation from a fresh working directory (configuration and state only): -replace of the node certificates (same keys), signed with the CA key from its file, reloaded without a restart"
uptimes() {
  local ip
  for ip in "${NODE_IPS[@]}"; do node_sql "$ip" "SHOW GLOBAL STATUS LIKE 'Uptime'" | cut -f2; done
}
# Fingerprints of the certificates served on <port> (4567 Galera, 3306
# MySQL), one line per node.
served() {
  local ip
  for ip in "${NODE_IPS[@]}"; do
    if [[ $1 == 3306 ]]; then
      (sleep 1) | timeout 10 openssl s_client -starttls mysql -connect "$ip:3306" -CAfile "$TF_WORK/ca.pem" 2>/dev/null
    else
      # From pxc1, with pxc1's own certificate and key (which stay there).
      node_ssh 10.77.0.11 "(sleep 1) | timeout 10 openssl s_client -connect $ip:4567 -CAfile /etc/mysql/certs/ca-cert.pem -cert /etc/mysql/certs/pxc1-cert.pem -key /etc/mysql/certs/pxc1-key.pem 2>/dev/null"
    fi | openssl x509 -noout -fingerprint -sha256
  done
}
before_4567=$(served 4567)
before_3306=$(served 3306)
before_uptime=$(uptimes)
expect_eq "3 certificates served on 4567 and on 3306" "$(wc -l <<<"$before_4567") $(wc -l <<<"$before_3306")" "3 3"
keys_before=$(for n in 1 2 3; do node_ssh "10.77.0.1$n" sha256sum "/etc/mysql/certs/pxc$n-key.pem"; done)
# The fresh directory: no .terraform, no lock file; the state as a backend
# would hand it over. The steps after this one run there.
mkdir "$TF_WORK/fresh"
cp "$TF_CFG/main.tf" "$TF_CFG/terraform.tfvars" "$TF_CFG/terraform.tfstate" "$TF_WORK/fresh/"
TF_CFG=$TF_WORK/fresh
cp "$TF_SCENARIO_DIR/steps/rotate.tf" "$TF_SCENARIO_DIR/steps/main_override.tf" "$TF_CFG/"
tf_init
proc_sample_start rotate
tf_apply "new node certificates for the same keys, reloaded" \
  -replace='pxc_node_cert.node["pxc1"]' -replace='pxc_node_cert.node["pxc2"]' -replace='pxc_node_cert.node["pxc3"]' >/dev/null
proc_sample_stop
proc_sample_expect "the plugin" terraform-provi
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_cert.node["pxc2"] will be replaced, as requested' \
  '# pxc_node_tls_config.node["pxc2"] will be updated in-place' '# pxc_cluster_restart.rotate will be created' \
  "Apply complete! Resources: 4 added, 3 changed, 3 destroyed."
expect_not_in "neither the keys nor the full restart are touched" "$TF_OUT" "# pxc_cluster_restart.tls" \
  "# pxc_node_key.node"
after_4567=$(served 4567)
after_3306=$(served 3306)
files=$(for n in 1 2 3; do node_ssh "10.77.0.1$n" cat "/etc/mysql/certs/pxc$n-cert.pem" | openssl x509 -noout -fingerprint -sha256; done)
expect_eq "Galera serves the new certificates" "$after_4567" "$files"
expect_eq "mysqld serves the new certificates" "$after_3306" "$files"
check "the served certificates changed" test "$before_4567" != "$after_4567" -a "$before_3306" != "$after_3306"
now=$(uptimes)
expect_eq "no node restarted (uptime $(tr '\n' ' ' <<<"$before_uptime")-> $(tr '\n' ' ' <<<"$now"))" \
  "$(paste <(echo "$before_uptime") <(echo "$now") | awk '{ print ($2 >= $1) ? "kept" : "RESTARTED" }' | sort -u)" kept
expect_eq "the same keys on the nodes" "$(for n in 1 2 3; do node_ssh "10.77.0.1$n" sha256sum "/etc/mysql/certs/pxc$n-key.pem"; done)" "$keys_before"
tf_state_json
tf_state_to_file 'pxc_node_cert.node["pxc3"]' cert_pem pxc3-new.pem
check "pxc3's new certificate verifies against the CA" openssl verify -CAfile "$TF_WORK/ca.pem" "$TF_WORK/pxc3-new.pem"
tf_plan_empty

step "a fourth node from another fresh working directory (configuration and state only): its key made on pxc4, its certificate signed with the CA key from its file, TLS deployed, pxc4 joined by the full restart"
# pxc4 is the lab's spare node: sshd, my.cnf naming the cluster, an empty
# datadir, mariadbd never started (no grastate.dat).
NEW_IP=10.77.0.14
node_ssh "$NEW_IP" cat /etc/mysql/my.cnf >"$TF_WORK/orig-$NEW_IP.cnf"
expect_eq "pxc4 is a spare: mariadbd not running, an empty datadir, no cert_dir" \
  "$(node_ssh "$NEW_IP" 'service mysql status >/dev/null 2>&1 && echo running; ls -A "$(my_print_defaults mysqld | sed -n "s/^--datadir=//p")"; ls -d /etc/mysql/certs 2>/dev/null')" ""
ca_key_sum=$(sha256sum <"$TF_VAR_ca_key_file")
mkdir "$TF_WORK/fresh4"
# The rotation's files (rotate.tf, main_override.tf) are left out: the
# tutorial's own configuration, with pxc4 added to its node map.
cp "$TF_CFG/main.tf" "$TF_CFG/terraform.tfvars" "$TF_CFG/terraform.tfstate" "$TF_WORK/fresh4/"
TF_CFG=$TF_WORK/fresh4
printf 'nodes = {\n  pxc1 = "10.77.0.11"\n  pxc2 = "10.77.0.12"\n  pxc3 = "10.77.0.13"\n  pxc4 = "%s"\n}\n' "$NEW_IP" >>"$TF_CFG/terraform.tfvars"
tf_init
proc_sample_start node4
tf_apply "pxc4's key, certificate and TLS configuration; the full restart with pxc4" >/dev/null
proc_sample_stop
proc_sample_expect "the plugin" terraform-provi
proc_sample_expect "pxc_node_key's openssl on pxc4 (genpkey, pkey, req on a file in cert_dir)" openssl /etc/mysql/certs/
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_key.node["pxc4"] will be created' \
  '# pxc_node_cert.node["pxc4"] will be created' '# pxc_node_tls_config.node["pxc4"] will be created' \
  '# pxc_cluster_restart.tls must be replaced' '# pxc_cluster_restart.rotate will be destroyed' \
  'New Node' '"size" = 4' "Apply complete! Resources: 4 added, 0 changed, 2 destroyed."
expect_not_in "the other nodes' keys and certificates and the CA are kept" "$TF_OUT" '# pxc_node_key.node["pxc1"]' \
  '# pxc_node_cert.node["pxc1"]' '# pxc_node_cert.node["pxc3"]' '# pxc_ca.cluster'
expect_eq "the CA key file is unchanged" "$(sha256sum <"$TF_VAR_ca_key_file")" "$ca_key_sum"
tf_state_json
tf_state_to_file 'pxc_node_cert.node["pxc4"]' cert_pem pxc4.pem
check "pxc4's certificate verifies against the CA" openssl verify -CAfile "$TF_WORK/ca.pem" "$TF_WORK/pxc4.pem"
pub4=$(tf_state_attr 'pxc_node_key.node["pxc4"]' public_key_pem | sed '/^$/d')
expect_eq "pxc4's certificate is for the key pxc_node_key made on pxc4" \
  "$(openssl x509 -in "$TF_WORK/pxc4.pem" -noout -pubkey)" "$pub4"
(umask 077 && node_ssh "$NEW_IP" cat /etc/mysql/certs/pxc4-key.pem >"$secrets/pxc4.key")
expect_eq "pxc4's key on the node is the one pxc_node_key reports" \
  "$(openssl pkey -in "$secrets/pxc4.key" -pubout 2>/dev/null)" "$pub4"
out=$(node_ssh "$NEW_IP" "stat -c '%a %U:%G' /etc/mysql/certs/pxc4-key.pem; ls -A /etc/mysql/certs")
expect_eq "pxc4: its key is 0600 mysql:mysql; only its own files there" "$(tr '\n' ' ' <<<"$out")" \
  "600 mysql:mysql ca-cert.pem pxc4-cert.pem pxc4-key.pem "
out=$(node_sql "$NEW_IP" "SHOW STATUS LIKE 'wsrep_local_state_comment'; SHOW STATUS LIKE 'wsrep_cluster_size'; SHOW VARIABLES LIKE 'have_ssl'; SHOW VARIABLES LIKE 'ssl_key'")
expect_in "pxc4: Synced in a cluster of 4, TLS on 3306 with the key made there" "$out" \
  $'wsrep_local_state_comment\tSynced' $'wsrep_cluster_size\t4' $'have_ssl\tYES' \
  $'ssl_key\t/etc/mysql/certs/pxc4-key.pem'
fp4=$(openssl x509 -in "$TF_WORK/pxc4.pem" -noout -fingerprint -sha256)
out=$(galera_tls_from_pxc1 "$NEW_IP")
expect_in "pxc4's 4567 is TLS verified against the CA (mutual, with pxc1's key)" "$out" 'Verify return code: 0 (ok)'
expect_eq "pxc4 serves its certificate on 4567" "$(openssl x509 -noout -fingerprint -sha256 <<<"$out" 2>&1)" "$fp4"
expect_eq "pxc4 serves its certificate on 3306" \
  "$( (sleep 1) | timeout 10 openssl s_client -starttls mysql -connect "$NEW_IP:3306" -CAfile "$TF_WORK/ca.pem" 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>&1)" "$fp4"
NODE_IPS+=("$NEW_IP")
tf_plan_empty

step "secrets scan: no node key, no password in the state, the saved plan, show -json, the trace log, any output"
unset TF_LOG TF_LOG_PATH
wo=()
for f in ca-key.pem pxc1.key pxc2.key pxc3.key pxc4.key ssluser admin; do wo+=(--write-only-secret-file "$secrets/$f"); done
out=$(python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" --state "$TF_CFG/terraform.tfstate" \
  --state "$TF_CFG/terraform.tfstate.backup" --state "$TF_WORK/cfg/terraform.tfstate" \
  --state "$TF_WORK/cfg/terraform.tfstate.backup" --state "$TF_WORK/fresh/terraform.tfstate" \
  --state "$TF_WORK/fresh/terraform.tfstate.backup" "${wo[@]}" --secret-file "$lab_dir/ssh/id_ed25519" \
  --plan "$TF_WORK/tfplan" --plan "$TF_WORK/plan.json" \
  "$TF_WORK/state.json" "$TF_WORK/terraform.log" "$TF_LOGS" "${PROC_SCAN_ARGS[@]}" 2>&1)
rc=$?
sed 's/^/    | /' <<<"$out" | tail -5
expect_eq "secrets_scan.py exits 0 (no hit; processes' command lines and environments included)" "$rc" 0
proc_sample_self_check "$secrets/ssluser" --state "$TF_CFG/terraform.tfstate" "${wo[@]}"
check "the trace log was written and scanned" test -s "$TF_WORK/terraform.log"
sed -n 2p "$secrets/pxc2.key" >"$TF_WORK/bad.txt"
python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" --state "$TF_CFG/terraform.tfstate" \
  --write-only-secret-file "$secrets/pxc2.key" "$TF_WORK/bad.txt" >/dev/null 2>&1
expect_eq "self-check: the scan finds one line of pxc2's key (no PEM header) in a file (exit 1)" "$?" 1
hits=()
for f in ca-key.pem pxc1.key pxc2.key pxc3.key pxc4.key; do
  h=$(sha256sum <"$secrets/$f" | cut -d' ' -f1)
  grep -rqi "$h" "$TF_CFG"/terraform.tfstate* "$TF_WORK"/cfg/terraform.tfstate* "$TF_WORK"/fresh/terraform.tfstate* "$TF_WORK/tfplan" \
    "$TF_WORK/plan.json" "$TF_WORK/state.json" "$TF_WORK/terraform.log" "$TF_LOGS" && hits+=("$f")
done
expect_eq "no SHA-256 of a key's PEM file (CA, nodes) anywhere either" "${hits[*]}" ""

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 15 destroyed."
expect_in "ssluser is gone" "$(mariadb -h 10.77.0.10 -P 3306 -u ssluser -p"$TF_VAR_ssluser_password" --ssl --ssl-ca "$TF_WORK/ca.pem" -e 'SELECT 1' 2>&1)" "Access denied"
expect_destroyed_clean
left=$(for n in 1 2 3 4; do node_ssh "10.77.0.1$n" "test -e /etc/mysql/certs && echo pxc$n: /etc/mysql/certs left"; done)
expect_eq "the keys and the cert_dir pxc_node_key made are gone from every node" "$left" ""
