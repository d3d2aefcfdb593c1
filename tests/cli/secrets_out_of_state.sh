#!/usr/bin/env bash
# Write-only arguments and ephemeral resources with the real Terraform CLI
# (>= 1.11) against the lab: tests/cli/secrets_out_of_state/main.tf applied
# in the pxc0 namespace with a dev_overrides CLI configuration of its own.
#
#   secrets_out_of_state.sh <dir holding terraform-provider-pxc> [<pxc source dir>]
#
# Needs root, the lab (brought up when not healthy: run it under
# /work/dev/with-lab or an equivalent lock) and `terraform` on PATH (or
# $TERRAFORM). Prints "ok - ..." / "not ok - ..." and "N passed, M failed";
# exit status 1 when anything failed. Leaves the lab TLS-enabled and marked
# modified (the next `lab up` rebuilds it) after destroying what it made.
# PXC_CLI_KEEP=1 keeps the work directory.
#
# Checks:
#  - `terraform providers schema -json`: the three write-only attributes and
#    pxc_client_cert under ephemeral_resource_schemas;
#  - apply: node certificates signed with the CA key given only as
#    ca_private_key_pem_wo (from CSRs, so no node key either), node keys
#    deployed with key_pem_wo, TLS enabled with a full restart, an SSL user
#    whose password is password_wo and an x509 user; Terraform logs in as the
#    first (provider "app": the write-only password over TLS through HAProxy)
#    and as the second (provider "x509": a pxc_client_cert in mysql.tls);
#  - the mariadb client logs in with the password through HAProxy over TLS;
#  - a second plan is empty; the key files on the nodes hold the keys given;
#  - `terraform plan -out` + `terraform show -json`: the secrets scan finds
#    no key, no password and no foreign private key (e.g. the client cert's)
#    in the state, the saved plan (every member), its JSON rendering or the
#    trace log;
#  - password rotation: a new password_wo with password_wo_version bumped
#    changes it, the old one is refused, the next plan is empty;
#  - a key file changed on a node (content and mode) shows in the plan (read
#    from the node, not from state) and apply restores it from key_pem_wo;
#  - destroy.
set -uo pipefail
provider_dir=$(cd "${1:?usage: $0 <provider dir> [source dir]}" && pwd)
root=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
terraform=${TERRAFORM:-terraform}
lab=$root/tests/testbed/lab
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1${2:+: $2}"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1" "${3:-}"; fi; }

if ! "$lab" status >/dev/null 2>&1; then
  "$lab" up >/dev/null || { notok "lab up"; echo "$pass passed, $fail failed"; exit 1; }
fi
# shellcheck disable=SC1091
source "${PXC_LAB_DIR:-/var/lib/pxc-lab}/env"
"$lab" mark-modified "tests/cli/secrets_out_of_state.sh enables TLS" >/dev/null 2>&1 || true

work=$(mktemp -d "${TMPDIR:-/tmp}/pxc-cli-wo-XXXXXX")
chmod 700 "$work"
[[ ${PXC_CLI_KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT
echo "# work directory: $work"
cd "$work" || exit 1
cp "$root/tests/cli/secrets_out_of_state/main.tf" .
cat >cli.tfrc <<EOF
provider_installation {
  dev_overrides {
    "pxc/pxc" = "$provider_dir"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export TF_LOG=trace TF_LOG_PATH=$work/terraform.log
tf() { ip netns exec "$PXC_LAB_CLIENT_NETNS" "$terraform" "$@" -no-color; }

# The secrets, made outside Terraform; they reach it only through TF_VAR_*.
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 3650 -subj "/CN=Offline-CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
for n in pxc1 pxc2 pxc3; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$n.key" 2>/dev/null
  openssl req -new -key "$n.key" -subj "/CN=$n" -out "$n.csr" 2>/dev/null
done
# A map(string) in TF_VAR_ form: JSON is valid HCL.
node_keys=$(python3 -c 'import json; print(json.dumps({n: open(n + ".key").read() for n in ("pxc1", "pxc2", "pxc3")}))')
pw1=$(openssl rand -hex 12)-first
pw2=$(openssl rand -hex 12)-second
printf %s "$pw1" >pw1.secret
printf %s "$pw2" >pw2.secret
printf %s "$PXC_LAB_MYSQL_PASSWORD" >admin.secret
cp "$PXC_LAB_SSH_KEY" ssh.key
cp "$PXC_LAB_KNOWN_HOSTS" known_hosts
export TF_VAR_ca_private_key TF_VAR_node_keys TF_VAR_admin_password TF_VAR_app_password
TF_VAR_ca_private_key=$(cat ca.key)
TF_VAR_node_keys=$node_keys
TF_VAR_admin_password=$PXC_LAB_MYSQL_PASSWORD
TF_VAR_app_password=$pw1
export TF_VAR_ssh_private_key_file=$work/ssh.key TF_VAR_ssh_known_hosts_file=$work/known_hosts

# mariadb through HAProxy as <user> with <password> over verified TLS.
login() {
  ip netns exec "$PXC_LAB_CLIENT_NETNS" mariadb -h "$PXC_LAB_HAPROXY_HOST" -P 3306 -u "$1" \
    -p"$2" --ssl --ssl-ca ca.pem -N -B -e "SHOW STATUS LIKE 'Ssl_cipher'" 2>&1
}

# 1. Schema.
tf providers schema -json >schema.json 2>schema.err
check "providers schema -json: write_only on password_wo, ca_private_key_pem_wo, key_pem_wo; pxc_client_cert ephemeral" \
  "python3 - <<'PY'
import json
d = json.load(open('schema.json'))['provider_schemas']['registry.terraform.io/pxc/pxc']
wo = sorted('%s.%s' % (t, n) for t, s in d['resource_schemas'].items()
            for n, a in s['block']['attributes'].items() if a.get('write_only'))
assert wo == ['pxc_node_cert.ca_private_key_pem_wo', 'pxc_node_tls_config.key_pem_wo',
              'pxc_ssl_user.password_wo'], wo
assert list(d['ephemeral_resource_schemas']) == ['pxc_client_cert'], d.get('ephemeral_resource_schemas')
PY" "$(cat schema.err)"

# 2. Apply.
start=$(date +%s)
tf apply -auto-approve >apply1.out 2>&1
rc=$?
check "apply (PKI, TLS on 3 nodes, full restart, users, logins as both users) [$(($(date +%s) - start)) s]" \
  "[[ $rc == 0 ]]" "$(tail -30 apply1.out)"
check "Terraform logged in as wo_user (password_wo) and x509_user (pxc_client_cert) over TLS" \
  "tf output -json >out1.json 2>&1 && python3 -c \"
import json; o = json.load(open('out1.json'))
for k in ('as_app', 'as_x509'):
    v = o[k]['value']; assert v['cipher'] and v['size'] == 3, (k, v)
\"" "$(head -5 out1.json 2>/dev/null)"
check "the state holds no write-only value and no private key" \
  "python3 - <<'PY'
import json
st = json.load(open('terraform.tfstate'))
text = open('terraform.tfstate').read()
assert 'PRIVATE KEY' not in text
for r in st['resources']:
    for i in r['instances']:
        a = i['attributes']
        for k in ('password_wo', 'ca_private_key_pem_wo', 'key_pem_wo', 'password', 'private_key_pem',
                  'key_pem', 'ca_private_key_pem'):
            assert a.get(k) in (None, ''), (r['type'], k)
PY"
out=$(login wo_user "$pw1")
check "mariadb logs in as wo_user with the write-only password through HAProxy over TLS" \
  "grep -q 'Ssl_cipher.*[A-Z]' <<<\"\$out\"" "$out"
out=$(ip netns exec "$PXC_LAB_CLIENT_NETNS" mariadb -h "$PXC_LAB_HAPROXY_HOST" -u wo_user -p"$pw1" \
  --skip-ssl -e 'SELECT 1' 2>&1)
check "without TLS wo_user is refused (REQUIRE SSL)" "grep -q 'Access denied' <<<\"\$out\"" "$out"
for n in pxc1 pxc2 pxc3; do
  ip=$(python3 -c "print({'pxc1':'$PXC_LAB_IP_PXC1','pxc2':'$PXC_LAB_IP_PXC2','pxc3':'$PXC_LAB_IP_PXC3'}['$n'])")
  # shellcheck disable=SC2086
  remote=$(ip netns exec "$PXC_LAB_CLIENT_NETNS" ssh $PXC_LAB_SSH_OPTS "root@$ip" \
    "sha256sum /etc/mysql/certs/$n-key.pem; stat -c %a /etc/mysql/certs/$n-key.pem" 2>&1)
  check "$n: the key file is the key given as key_pem_wo, mode 600" \
    "grep -q \"^$(sha256sum <"$n.key" | cut -d' ' -f1) \" <<<\"\$remote\" && grep -qx 600 <<<\"\$remote\"" "$remote"
done

# 3. Re-plan, saved plan.
tf plan -detailed-exitcode >plan1.out 2>&1
rc=$?
check "the next plan is empty (plan -detailed-exitcode = 0)" "[[ $rc == 0 ]]" "$(tail -30 plan1.out)"
tf plan -out=saved.tfplan >plan2.out 2>&1
rc=$?
tf show -json saved.tfplan >saved.json 2>show.err
check "plan -out and show -json" "[[ $rc == 0 && -s saved.json ]]" "$(tail -5 plan2.out; cat show.err)"

# 4. Rotation.
export TF_VAR_app_password=$pw2 TF_VAR_app_password_version=2
tf apply -auto-approve >apply2.out 2>&1
rc=$?
check "apply with a new password_wo and password_wo_version = 2" "[[ $rc == 0 ]]" "$(tail -20 apply2.out)"
check "the rotation updated wo_user in place" "grep -q '1 changed' apply2.out" "$(grep -E 'Apply complete|changed' apply2.out)"
out=$(login wo_user "$pw2")
check "the new password logs in" "grep -q 'Ssl_cipher.*[A-Z]' <<<\"\$out\"" "$out"
out=$(login wo_user "$pw1")
check "the old password is refused" "grep -q 'Access denied' <<<\"\$out\"" "$out"
tf plan -detailed-exitcode >plan3.out 2>&1
rc=$?
check "the plan after the rotation is empty" "[[ $rc == 0 ]]" "$(tail -30 plan3.out)"
tf plan -out=saved2.tfplan >/dev/null 2>&1 && tf show -json saved2.tfplan >saved2.json 2>/dev/null

# 5. Key file drift on a node (another key, mode 644): seen from the node,
#    repaired from key_pem_wo.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
# shellcheck disable=SC2086
ip netns exec "$PXC_LAB_CLIENT_NETNS" ssh $PXC_LAB_SSH_OPTS "root@$PXC_LAB_IP_PXC2" \
  "cat > /etc/mysql/certs/pxc2-key.pem && chmod 644 /etc/mysql/certs/pxc2-key.pem" <other.key
tf plan -detailed-exitcode >plan4.out 2>&1
rc=$?
check "a changed key file on pxc2 shows as an update of pxc_node_tls_config.node[\"pxc2\"] only" \
  "[[ $rc == 2 ]] && grep -q 'pxc_node_tls_config.node\\[\"pxc2\"\\] will be updated in-place' plan4.out && grep -q '0 to add, 1 to change, 0 to destroy' plan4.out" \
  "$(tail -30 plan4.out)"
tf apply -auto-approve >apply3.out 2>&1
rc=$?
# shellcheck disable=SC2086
remote=$(ip netns exec "$PXC_LAB_CLIENT_NETNS" ssh $PXC_LAB_SSH_OPTS "root@$PXC_LAB_IP_PXC2" \
  "sha256sum /etc/mysql/certs/pxc2-key.pem; stat -c %a /etc/mysql/certs/pxc2-key.pem" 2>&1)
check "apply puts the key_pem_wo key back on pxc2, mode 600" \
  "[[ $rc == 0 ]] && grep -q \"^$(sha256sum <pxc2.key | cut -d' ' -f1) \" <<<\"\$remote\" && grep -qx 600 <<<\"\$remote\"" \
  "$(tail -5 apply3.out) $remote"
tf plan -detailed-exitcode >plan5.out 2>&1
rc=$?
check "the plan after the repair is empty" "[[ $rc == 0 ]]" "$(tail -30 plan5.out)"

# 6. The secrets scan over everything this run wrote.
unset TF_LOG TF_LOG_PATH
scan_out=$(python3 "$root/tests/security/secrets_scan.py" --state terraform.tfstate \
  --state terraform.tfstate.backup --write-only-secret-file other.key \
  --write-only-secret-file ca.key --write-only-secret-file pxc1.key \
  --write-only-secret-file pxc2.key --write-only-secret-file pxc3.key \
  --write-only-secret-file pw1.secret --write-only-secret-file pw2.secret \
  --secret-file admin.secret --secret-file ssh.key \
  --plan saved.tfplan --plan saved.json --plan saved2.tfplan --plan saved2.json \
  terraform.log apply1.out apply2.out apply3.out plan1.out plan2.out plan3.out plan4.out \
  plan5.out out1.json 2>&1)
rc=$?
check "secrets scan: no key or password in state, saved plans (all members), show -json, log" \
  "[[ $rc == 0 ]]" "$scan_out"
echo "# ${scan_out##*$'\n'}"
python3 - "$work/saved.tfplan" "$work/ca.key" >bad.tfplan <<'PY'
import io, sys, zipfile
src, key = sys.argv[1], open(sys.argv[2]).read()
buf = io.BytesIO()
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
    for i in zin.infolist():
        data = zin.read(i)
        zout.writestr(i, data + key.encode() if i.filename == "tfplan" else data)
sys.stdout.buffer.write(buf.getvalue())
PY
python3 "$root/tests/security/secrets_scan.py" --state terraform.tfstate \
  --write-only-secret-file ca.key --plan bad.tfplan >/dev/null 2>&1
rc=$?
check "the scan finds the CA key when it is put into a saved plan's member (self-check)" "[[ $rc == 1 ]]"

# 7. Destroy.
tf destroy -auto-approve >destroy.out 2>&1
rc=$?
check "destroy" "[[ $rc == 0 ]]" "$(tail -20 destroy.out)"
out=$(login wo_user "$pw2")
check "wo_user is gone" "grep -q 'Access denied' <<<\"\$out\"" "$out"

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
