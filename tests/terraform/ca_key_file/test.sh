# The CA key outside state, no test bed needed: pxc_ca with private_key_file
# writes the key to a file (mode 0600) and keeps only the certificate, the
# public key and its fingerprint in state; node certificates are signed with
# the key read by the ephemeral pxc_ca_key into ca_private_key_pem_wo, also
# from a fresh working directory that has only the configuration, the CSRs
# and a copy of the state. Checks: the key file (mode, key, fingerprint); the
# secrets scan (tests/security/secrets_scan.py) over the state, a saved plan,
# their show -json renderings, Terraform's trace log, every command's output
# and the command line and environment of every process of the machine
# while the first apply and the saved plan ran (tests/security/
# proc_sampler.py: the plugin among them), with its self-check (the CA key in
# the environment of a process run during sampling is found); a key file
# replaced by another key, made group-readable and missing (the diagnostics
# at private_key_file, never a new CA); a replacement of the CA refused while its key file exists; destroy leaving the key file; a CA
# moved from state to a key file (docs/guides/secrets-out-of-state.md).
secrets=$TF_WORK/secrets
key=$secrets/ca-key.pem

step "prepare: node keys and CSRs made with openssl; a directory of our own for the CA key"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
(
  umask 077
  mkdir "$secrets"
  for n in pxc1 pxc2; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$secrets/$n.key" 2>/dev/null
    openssl req -new -key "$secrets/$n.key" -subj "/CN=$n" -out "$TF_CFG/$n.csr" 2>/dev/null
  done
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$secrets/other.key" 2>/dev/null
)
check "two CSRs and another key" test -s "$TF_CFG/pxc2.csr" -a -s "$secrets/other.key"
export TF_VAR_key_file=$key TF_VAR_nodes='["pxc1"]'
# Terraform's trace log of the apply and the saved plan, scanned below.
export TF_LOG=trace TF_LOG_PATH=$TF_WORK/terraform.log
tf_init

step "apply: the CA with its key written to private_key_file, pxc1 signed through pxc_ca_key"
proc_sample_start apply
tf_apply "CA and pxc1"
proc_sample_stop
proc_sample_expect "terraform ran the plugin" terraform-provi
check "the key file exists" test -f "$key"
expect_eq "the key file's mode is 0600" "$(stat -c %a "$key")" 600
check "the key file holds a private key" openssl pkey -in "$key" -noout
tf_state_json
expect_eq "state: private_key_pem is null" "$(tf_state_attr pxc_ca.ca private_key_pem)" "null"
fp=$(openssl pkey -in "$key" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
expect_eq "state: public_key_fingerprint_sha256 is the key file's public key's" \
  "$(tf_state_attr pxc_ca.ca public_key_fingerprint_sha256)" "$fp"
tf_state_to_file pxc_ca.ca cert_pem ca.pem
tf_state_to_file 'pxc_node_cert.node["pxc1"]' cert_pem pxc1.pem
check "pxc1's certificate verifies against the CA" openssl verify -CAfile "$TF_WORK/ca.pem" "$TF_WORK/pxc1.pem"
expect_eq "the CA certificate is the key file's" \
  "$(openssl x509 -in "$TF_WORK/ca.pem" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)" "$fp"
tf_plan_empty

step "secrets scan: no trace of the CA key in the state, a saved plan, show -json, the trace log or any output"
proc_sample_start plan
TF_VAR_nodes='["pxc1","pxc2"]' tf_plan_saved
proc_sample_stop
expect_eq "a plan adding pxc2 (exit 2)" "$TF_RC" 2
proc_sample_expect "the plan ran the plugin, which read the key file" terraform-provi
unset TF_LOG TF_LOG_PATH
scan_args=(--min-secrets 1 --state "$TF_CFG/terraform.tfstate" --write-only-secret-file "$key")
out=$(python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" "${scan_args[@]}" \
  --plan "$TF_WORK/tfplan" --plan "$TF_WORK/plan.json" "$TF_WORK/state.json" \
  "$TF_WORK/terraform.log" "$TF_LOGS" "${PROC_SCAN_ARGS[@]}" 2>&1)
rc=$?
sed 's/^/    | /' <<<"$out" | tail -3
expect_eq "secrets_scan.py exits 0 (no hit; processes' command lines and environments included)" "$rc" 0
proc_sample_self_check "$key" "${scan_args[@]}"
check "the trace log was written (and scanned)" grep -q pxc_ca_key "$TF_WORK/terraform.log"
expect_not_in "no PEM private key block in the state or show -json" \
  "$(cat "$TF_CFG/terraform.tfstate" "$TF_WORK/state.json" "$TF_WORK/plan.json")" "PRIVATE KEY-----"
# The scan's own self-check: the key file's body in a copy of the state is found.
cp "$TF_CFG/terraform.tfstate" "$TF_WORK/leak.json"
python3 - "$TF_WORK/leak.json" "$key" <<'PY'
import sys
p, k = sys.argv[1], open(sys.argv[2]).read()
s = open(p).read()
open(p, "w").write(s.replace('"private_key_pem": null', '"private_key_pem": %r' % k.replace("\n", "\\n"), 1).replace("'", '"'))
PY
python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" --min-secrets 1 --state "$TF_CFG/terraform.tfstate" \
  --write-only-secret-file "$key" "$TF_WORK/leak.json" >/dev/null 2>&1
expect_eq "self-check: the scan finds the CA key put into a copy of the state (exit 1)" "$?" 1

step "a fresh working directory (configuration, CSRs and the state only) signs pxc2"
fresh=$TF_WORK/fresh
mkdir "$fresh"
cp "$TF_CFG/main.tf" "$TF_CFG"/*.csr "$TF_CFG/terraform.tfstate" "$fresh/"
TF_CFG_FIRST=$TF_CFG
TF_CFG=$fresh
check "no .terraform in it" test ! -e "$fresh/.terraform"
tf_init
export TF_VAR_nodes='["pxc1","pxc2"]'
tf_apply "pxc2 signed"
expect_in "one certificate added" "$TF_OUT" "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
tf_state_json
tf_state_to_file 'pxc_node_cert.node["pxc2"]' cert_pem pxc2.pem
check "pxc2's certificate verifies against the CA" openssl verify -CAfile "$TF_WORK/ca.pem" "$TF_WORK/pxc2.pem"
expect_not_in "no PEM private key block in the new state" "$(cat "$fresh/terraform.tfstate")" "PRIVATE KEY-----"
tf_plan_empty

step "another configuration signs with the CA from a certificate file and the key file"
signer=$TF_WORK/signer
mkdir "$signer"
cp "$TF_SCENARIO_DIR/signer/main.tf" "$TF_CFG/pxc1.csr" "$TF_WORK/ca.pem" "$signer/"
TF_CFG=$signer
tf_init
tf_apply "pxc1 signed again, by a configuration that does not manage the CA"
tf_state_json
tf_state_to_file pxc_node_cert.signed cert_pem signed.pem
check "its certificate verifies against the CA" openssl verify -CAfile "$TF_WORK/ca.pem" "$TF_WORK/signed.pem"

step "the key file replaced by another key: refused at private_key_file"
mv "$key" "$secrets/ca-key.saved"
(umask 077 && cp "$secrets/other.key" "$key")
tf_expect_error plan "CA Key File Does Not Match the CA" main.tf private_key_file \
  "is not the key of the CA certificate in ca_cert_pem (CN=KeyFile-CA"
expect_in "from pxc_ca_key" "$(tf_flat)" "with ephemeral.pxc_ca_key.ca"
TF_CFG=$fresh
tf_expect_error plan "CA Key File Does Not Match the CA" main.tf private_key_file \
  "the CA key was replaced or overwritten"
expect_in "from pxc_ca" "$(tf_flat)" "with pxc_ca.ca"
expect_not_in "never a new CA" "$(tf_flat)" "must be replaced" "will be created"

step "the right key, readable by group: refused"
cp "$secrets/ca-key.saved" "$key" && chmod 640 "$key"
tf_expect_error plan "Unusable CA Key File" main.tf private_key_file "has mode 0640"
chmod 600 "$key"

step "the key file missing: a warning from pxc_ca, pxc_ca_key cannot open"
rm -f "$key"
tf plan -no-color -input=false
tf_summary
expect_eq "terraform plan fails (exit 1)" "$TF_RC" 1
tf_expect_warning "CA Key File Missing" main.tf private_key_file "nothing can be signed with it"
expect_in "pxc_ca_key: Error: Cannot Read the CA Key File" "$(tf_flat)" \
  "Error: Cannot Read the CA Key File" "there is no key file at"
expect_not_in "never a new CA" "$(tf_flat)" "must be replaced" "will be created"
tf plan -destroy -refresh=false -no-color -input=false
expect_in "without the key file, plan -destroy -refresh=false still works (the guide's way out)" \
  "$TF_OUT" "Plan: 0 to add, 0 to change, 3 to destroy."

step "the key restored from the backup: nothing to do"
(umask 077 && cp "$secrets/ca-key.saved" "$key")
tf_plan_empty

step "replacing the CA while its key file exists: refused, the file kept"
tf plan -no-color -input=false -replace=pxc_ca.ca
tf_summary
expect_eq "terraform plan -replace fails (exit 1)" "$TF_RC" 1
expect_in "Error: CA Key File Exists" "$(tf_flat)" "Error: CA Key File Exists" "never overwrites a key file"
check "the key file is unchanged" cmp "$key" "$secrets/ca-key.saved"

step "destroy: the key file stays, with a warning"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 3 destroyed."
expect_in "Warning: CA Key File Left in Place" "$(tf_flat)" "Warning: CA Key File Left in Place" \
  "pxc never deletes a CA key"
check "the key file is still there, unchanged" cmp "$key" "$secrets/ca-key.saved"
step "migrating a CA from state to a key file: the key written out, the CA adopted, nothing re-signed"
mig=$TF_WORK/migrate
mkdir "$mig"
cp "$TF_SCENARIO_DIR/migrate/in_state/main.tf" "$TF_CFG_FIRST/pxc1.csr" "$mig/"
TF_CFG=$mig
tf_init
tf_apply "a CA in state and pxc1"
tf_state_json
(umask 077 && tf_state_attr pxc_ca.cluster private_key_pem >"$secrets/mig-key.pem")
tf_state_attr pxc_ca.cluster cert_pem >"$mig/ca.pem"
node_before=$(tf_state_attr pxc_node_cert.node cert_pem)
cp "$TF_SCENARIO_DIR/migrate/key_file/main.tf" "$mig/"
export TF_VAR_key_file=$secrets/mig-key.pem
tf_plan_changes "pxc_ca replaced by the same CA adopted, pxc1 updated in place (the CA key argument)" \
  "# pxc_ca.cluster must be replaced" "# pxc_node_cert.node will be updated in-place" \
  "Plan: 1 to add, 1 to change, 1 to destroy."
tf_apply "migrated"
tf_plan_empty
tf_state_json
expect_eq "the CA certificate is the same" "$(tf_state_attr pxc_ca.cluster cert_pem)" "$(cat "$mig/ca.pem")"
expect_eq "pxc1's certificate is the same" "$(tf_state_attr pxc_node_cert.node cert_pem)" "$node_before"
expect_not_in "no PEM private key block in the state" "$(cat "$mig/terraform.tfstate")" "PRIVATE KEY-----"
TF_CFG=$TF_CFG_FIRST
