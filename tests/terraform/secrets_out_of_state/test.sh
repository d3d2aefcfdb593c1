TF_NEEDS_LAB=1
# Secrets kept out of state and plans (Terraform >= 1.11), as HCL (main.tf):
# a CA kept outside Terraform (its key only as ca_private_key_pem_wo), node
# certificates from CSRs, node keys deployed with key_pem_wo, TLS enabled with
# a full restart, an SSL user whose password is password_wo and an x509 user
# reached through an ephemeral pxc_client_cert in a provider's mysql.tls
# block. Checks: the schema (`providers schema -json`); Terraform's logins as
# both users and the mariadb client's with the password through HAProxy over
# TLS; the key files on the nodes; the state holding no write-only value and
# no private key; the password rotation (password_wo_version bumped); a key
# file changed on a node seen from the node and repaired from key_pem_wo; the
# secrets scan (tests/security/secrets_scan.py) over the state, two saved
# plans (every zip member) and their `show -json` renderings, Terraform's
# trace log (TF_LOG=trace for every command) and every command's output, with
# a self-check that it finds a key put into a saved plan; destroy. Every step
# that applies is followed by an empty `terraform plan -detailed-exitcode`.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
secrets=$TF_WORK/secrets

# login <user> <password>: mariadb through HAProxy over verified TLS.
login() {
  mariadb -h 10.77.0.10 -P 3306 -u "$1" -p"$2" --ssl --ssl-ca "$TF_CFG/ca.pem" -N -B \
    -e "SHOW STATUS LIKE 'Ssl_cipher'" 2>&1
}

# expect_node_key <ip> <name> <key file>: the key file on the node is that
# key, mode 0600.
expect_node_key() {
  local out
  out=$(node_ssh "$1" "sha256sum < /etc/mysql/certs/$2-key.pem | cut -d' ' -f1; stat -c %a /etc/mysql/certs/$2-key.pem" 2>&1)
  expect_eq "$2: the key file is the key given as key_pem_wo, mode 0600" "$(tr '\n' ' ' <<<"$out")" \
    "$(sha256sum <"$3" | cut -d' ' -f1) 600 "
}

step "prepare: a CA, node keys and CSRs made with openssl outside Terraform; the secrets reach it only as TF_VAR_*"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
lab_prepare
(
  umask 077
  mkdir "$secrets"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$secrets/ca.key" \
    -out "$TF_CFG/ca.pem" -days 3650 -subj "/CN=Offline-CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  for n in pxc1 pxc2 pxc3; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$secrets/$n.key" 2>/dev/null
    openssl req -new -key "$secrets/$n.key" -subj "/CN=$n" -out "$TF_CFG/$n.csr" 2>/dev/null
  done
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$secrets/other.key" 2>/dev/null
  printf %s "$(openssl rand -hex 12)-first" >"$secrets/pw1"
  printf %s "$(openssl rand -hex 12)-second" >"$secrets/pw2"
  printf %s "$PXC_LAB_MYSQL_PASSWORD" >"$secrets/admin"
)
check "the CA, 3 node keys and CSRs, another key, two passwords" test -s "$secrets/pw2" -a -s "$TF_CFG/pxc3.csr"
pw1=$(cat "$secrets/pw1")
pw2=$(cat "$secrets/pw2")
# A map(string) in TF_VAR_ form: JSON is valid HCL. The admin password is
# TF_VAR_mysql_admin_password (lab_prepare).
TF_VAR_node_keys=$(cd "$secrets" && python3 -c 'import json; print(json.dumps({n: open(n + ".key").read() for n in ("pxc1", "pxc2", "pxc3")}))')
TF_VAR_ca_private_key=$(cat "$secrets/ca.key")
TF_VAR_app_password=$pw1
export TF_VAR_node_keys TF_VAR_ca_private_key TF_VAR_app_password
# Terraform's trace log of every command, scanned at the end.
export TF_LOG=trace TF_LOG_PATH=$TF_WORK/terraform.log
tf_init

step "terraform providers schema -json"
tf providers schema -json
cp "$TF_LAST_LOG" "$TF_WORK/schema.json"
check "write_only on password_wo, ca_private_key_pem_wo and key_pem_wo; pxc_client_cert ephemeral" \
  python3 - "$TF_WORK/schema.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["provider_schemas"]["registry.terraform.io/pxc/pxc"]
wo = sorted("%s.%s" % (t, n) for t, s in d["resource_schemas"].items()
            for n, a in s["block"]["attributes"].items() if a.get("write_only"))
assert wo == ["pxc_node_cert.ca_private_key_pem_wo", "pxc_node_tls_config.key_pem_wo",
              "pxc_ssl_user.password_wo"], wo
assert "pxc_client_cert" in d["ephemeral_resource_schemas"], d.get("ephemeral_resource_schemas")
PY

step "terraform apply: PKI, TLS on 3 nodes, full restart, users; Terraform logs in as both users"
tf_apply "3 node certificates from CSRs, 3 nodes' TLS, full restart, 2 users, 2 logins" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 9 added, 0 changed, 0 destroyed."
tf output -json
check "Terraform logged in as wo_user (password_wo) and x509_user (pxc_client_cert) over TLS, 3 nodes" \
  python3 -c 'import json, sys
o = json.loads(sys.argv[1])
for k in ("as_app", "as_x509"):
    v = o[k]["value"]
    assert v["cipher"] and v["size"] == 3, (k, v)' "$TF_OUT"
check "the state holds no write-only value and no private key" python3 - "$TF_CFG/terraform.tfstate" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
assert "PRIVATE KEY" not in text
for r in json.loads(text)["resources"]:
    for i in r["instances"]:
        a = i["attributes"]
        for k in ("password_wo", "ca_private_key_pem_wo", "key_pem_wo", "password", "private_key_pem",
                  "key_pem", "ca_private_key_pem"):
            assert a.get(k) in (None, ""), (r["type"], k)
PY
check "mariadb logs in as wo_user with the write-only password through HAProxy over TLS" \
  grep -qE $'^Ssl_cipher\t[A-Z0-9]' <<<"$(login wo_user "$pw1")"
out=$(mariadb -h 10.77.0.10 -P 3306 -u wo_user -p"$pw1" --skip-ssl -e 'SELECT 1' 2>&1)
expect_in "without TLS wo_user is refused (REQUIRE SSL)" "$out" "Access denied"
for n in 1 2 3; do
  expect_node_key "10.77.0.1$n" "pxc$n" "$secrets/pxc$n.key"
done

step "the next plan is empty; saved as a plan file and shown with show -json"
tf_plan_saved
if [[ $TF_RC == 0 ]] && grep -q '^No changes\.' "$TF_LAST_LOG"; then
  ok "terraform plan -detailed-exitcode -out: exit 0, No changes."
else
  not_ok "terraform plan -detailed-exitcode -out: exit 0, No changes." "exit $TF_RC"
  tf_dump
fi
cp "$TF_WORK/tfplan" "$TF_WORK/saved1.tfplan"
cp "$TF_WORK/plan.json" "$TF_WORK/saved1.json"

step "password rotation: a new password_wo with password_wo_version = 2"
export TF_VAR_app_password=$pw2 TF_VAR_app_password_version=2
tf_apply "the new password" >/dev/null
expect_in "wo_user updated in place" "$TF_OUT" '# pxc_ssl_user.app will be updated in-place' \
  "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
check "the new password logs in over TLS" grep -qE $'^Ssl_cipher\t[A-Z0-9]' <<<"$(login wo_user "$pw2")"
expect_in "the old password is refused" "$(login wo_user "$pw1")" "Access denied"
tf_plan_saved
if [[ $TF_RC == 0 ]] && grep -q '^No changes\.' "$TF_LAST_LOG"; then
  ok "terraform plan -detailed-exitcode -out: exit 0, No changes."
else
  not_ok "terraform plan -detailed-exitcode -out: exit 0, No changes." "exit $TF_RC"
  tf_dump
fi
cp "$TF_WORK/tfplan" "$TF_WORK/saved2.tfplan"
cp "$TF_WORK/plan.json" "$TF_WORK/saved2.json"

step "a key file changed on pxc2 (another key, mode 0644) is seen from the node and repaired from key_pem_wo"
node_ssh 10.77.0.12 "cat > /etc/mysql/certs/pxc2-key.pem && chmod 644 /etc/mysql/certs/pxc2-key.pem" <"$secrets/other.key"
tf_plan_changes "pxc2's configuration only" '# pxc_node_tls_config.node["pxc2"] will be updated in-place' \
  'Plan: 0 to add, 1 to change, 0 to destroy.'
tf_apply "the key put back" >/dev/null
expect_node_key 10.77.0.12 pxc2 "$secrets/pxc2.key"
tf_plan_empty

step "secrets scan: no key or password in the state, the saved plans (every member), show -json, the trace log, any output"
unset TF_LOG TF_LOG_PATH
wo=()
for f in ca.key pxc1.key pxc2.key pxc3.key other.key pw1 pw2; do wo+=(--write-only-secret-file "$secrets/$f"); done
out=$(python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" --state "$TF_CFG/terraform.tfstate" \
  --state "$TF_CFG/terraform.tfstate.backup" "${wo[@]}" \
  --secret-file "$secrets/admin" --secret-file "$lab_dir/ssh/id_ed25519" \
  --plan "$TF_WORK/saved1.tfplan" --plan "$TF_WORK/saved1.json" \
  --plan "$TF_WORK/saved2.tfplan" --plan "$TF_WORK/saved2.json" \
  "$TF_WORK/terraform.log" "$TF_LOGS" 2>&1)
rc=$?
sed 's/^/    | /' <<<"$out" | tail -5
expect_eq "secrets_scan.py exits 0 (no hit)" "$rc" 0
check "the trace log was written and scanned" test -s "$TF_WORK/terraform.log"
python3 - "$TF_WORK/saved1.tfplan" "$secrets/ca.key" >"$TF_WORK/bad.tfplan" <<'PY'
import io, sys, zipfile
src, key = sys.argv[1], open(sys.argv[2]).read()
buf = io.BytesIO()
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
    for i in zin.infolist():
        data = zin.read(i)
        zout.writestr(i, data + key.encode() if i.filename == "tfplan" else data)
sys.stdout.buffer.write(buf.getvalue())
PY
python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" --state "$TF_CFG/terraform.tfstate" \
  --write-only-secret-file "$secrets/ca.key" --plan "$TF_WORK/bad.tfplan" >/dev/null 2>&1
expect_eq "self-check: the scan finds the CA key put into a saved plan's member (exit 1)" "$?" 1

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 9 destroyed."
expect_in "wo_user is gone" "$(login wo_user "$pw2")" "Access denied"
expect_destroyed_clean
