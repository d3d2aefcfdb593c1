TF_NEEDS_LAB=1
# The tutorial as a user runs it: examples/tutorial/main.tf unchanged, with
# the lab's credentials as variables. Then, on the cluster it secured: the
# tutorial's final check, drift of its ssluser repaired, users with REQUIRE
# X509 / SUBJECT / ISSUER and with quoted names (users.tf), `-replace` of the
# client certificate, `terraform import` and config-driven import (`import`
# blocks with `plan -generate-config-out`) of a user made by hand and of a CA
# made with openssl, and destroy. Every step that applies is followed by an
# empty `terraform plan -detailed-exitcode`.
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

step "prepare"
cp "$PXC_SOURCE_DIR/examples/tutorial/main.tf" "$TF_CFG/main.tf"
lab_prepare
export TF_VAR_ssluser_password="ssl'user\"pass"
tf_init
expect_in "the lock file records the provider with an h1: hash" "$(cat "$TF_CFG/.terraform.lock.hcl")" \
  "provider \"$TF_PROVIDER_ADDR\"" 'h1:'

step "terraform apply of examples/tutorial"
tf_apply "CA, 3 node certificates and a client certificate, TLS on 3 nodes, full restart, ssluser, the final check" \
  >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 10 added, 0 changed, 0 destroyed." \
  "pxc_cluster_restart.tls: Creation complete" "Outputs:" '"size" = 3' '"status" = "Primary"'
tf output -json cluster
cluster_json=$TF_OUT
uuid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["state_uuid"])' "$cluster_json")
expect_in "terraform output: the cluster through HAProxy over TLS" "$cluster_json" '"size":3' '"status":"Primary"' '"ssl_cipher":"TLS'
tf_state_json
tf_state_to_file pxc_ca.cluster cert_pem ca.pem
tf_state_to_file pxc_node_cert.client cert_pem client.pem
tf_state_to_file pxc_node_cert.client private_key_pem client-key.pem
tf_expect_state pxc_cluster_restart.tls cluster_size 3
out=$(node_sql 10.77.0.11 "SHOW STATUS LIKE 'wsrep_cluster_size'; SHOW VARIABLES LIKE 'have_ssl'; SHOW VARIABLES LIKE 'wsrep_provider_options'")
expect_in "pxc1: 3 nodes, have_ssl, socket.ssl_* merged into wsrep_provider_options" "$out" \
  $'wsrep_cluster_size\t3' $'have_ssl\tYES' 'gcache.size = 32M' 'socket.ssl_cert = /etc/mysql/certs/pxc1-cert.pem'
out=$(tls_check_4567 10.77.0.12)
expect_in "Galera on 4567 is mutual TLS, verified against the CA" "$out" 'Verify return code: 0 (ok)' 'New, TLSv1.'
out=$( (sleep 1) | timeout 10 openssl s_client -connect 10.77.0.12:4567 -CAfile "$TF_WORK/ca.pem" 2>&1 | tr '\0' '.')
check "4567 refuses a client without a certificate" grep -qiE 'certificate required|handshake failure|peer did not return a certificate' <<<"$out"
# The tutorial's final check: its Python snippet, through HAProxy, as
# ssluser with the client certificate.
cat >"$TF_WORK/final_check.py" <<'PY'
import sys
import MySQLdb
d = sys.argv[1]
c = MySQLdb.connect(host="10.77.0.10", port=3306, user="ssluser", passwd=sys.argv[2],
                    ssl={"ca": d + "/ca.pem", "cert": d + "/client.pem", "key": d + "/client-key.pem"})
cur = c.cursor()
cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
print("cipher", cur.fetchone()[1])
cur.execute("SHOW STATUS LIKE 'wsrep%'")
s = dict(cur.fetchall())
print("uuid", s["wsrep_local_state_uuid"], "size", s["wsrep_cluster_size"], "status", s["wsrep_cluster_status"])
PY
out=$("$MYSQLDB_PYTHON" "$TF_WORK/final_check.py" "$TF_WORK" "$TF_VAR_ssluser_password" 2>&1)
expect_in "the tutorial's final check (python3-mysqldb, SHOW STATUS LIKE 'wsrep%') agrees with terraform output" "$out" \
  "cipher TLS" "uuid $uuid size 3 status Primary"
out=$(mariadb -h 10.77.0.10 -P 3306 -u ssluser -p"$TF_VAR_ssluser_password" --skip-ssl -e 'SELECT 1' 2>&1)
expect_in "ssluser without TLS is refused" "$out" "1045"
out=$(mariadb -h 10.77.0.10 -P 3306 -u ssluser -p"$TF_VAR_ssluser_password" --ssl --ssl-verify-server-cert \
  --ssl-ca "$TF_WORK/ca.pem" --ssl-cert "$TF_WORK/client.pem" --ssl-key "$TF_WORK/client-key.pem" \
  -N -e "SHOW SESSION STATUS LIKE 'Ssl_cipher'" 2>&1)
expect_in "through HAProxy the node certificates verify against the load balancer's address (SAN)" "$out" $'Ssl_cipher\tTLS'
ADMIN_SSL=(--ssl --ssl-ca "$TF_WORK/ca.pem")
tf_plan_empty

step "ssluser: REVOKE and REQUIRE NONE by hand are drift, repaired by apply"
admin_sql "REVOKE ALL PRIVILEGES ON *.* FROM 'ssluser'@'%'; ALTER USER 'ssluser'@'%' REQUIRE NONE"
tf_plan_changes "the drift of ssluser is planned" '# pxc_ssl_user.ssluser will be updated in-place' \
  'Plan: 0 to add, 1 to change, 0 to destroy.'
# Terraform aligns the "=" of a block's attributes: compared without it.
expect_in "the plan restores REQUIRE SSL" "$(tf_flat)" '~ require = "none" -> "ssl"'
tf_apply "REQUIRE SSL and ALL ON *.* again" >/dev/null
out=$(admin_sql "SHOW GRANTS FOR 'ssluser'@'%'")
expect_in "the grant and the requirement are back" "$out" "GRANT ALL PRIVILEGES ON *.*" "REQUIRE SSL"
tf_plan_empty

step "ssluser dropped by hand is planned for re-creation"
admin_sql "DROP USER 'ssluser'@'%'"
tf_plan_changes "ssluser to be created" '# pxc_ssl_user.ssluser will be created' 'Plan: 1 to add, 0 to change, 0 to destroy.'
tf_apply "ssluser created again" >/dev/null
out=$("$MYSQLDB_PYTHON" "$TF_WORK/final_check.py" "$TF_WORK" "$TF_VAR_ssluser_password" 2>&1)
expect_in "the final check works again" "$out" "cipher TLS" "size 3"
tf_plan_empty

step "users.tf: REQUIRE X509, REQUIRE SUBJECT/ISSUER, quoted and non-ASCII names"
cp "$TF_SCENARIO_DIR/users.tf" "$TF_CFG/users.tf"
tf_apply "other CA, 3 client certificates, 4 users, 2 data sources read through HAProxy" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 8 added, 0 changed, 0 destroyed."
tf_state_json
tf_expect_state pxc_ssl_user.x509user require x509
tf_expect_state pxc_ssl_user.subjuser require_subject /O=Example/CN=alice
tf_expect_state pxc_ssl_user.subjuser require_issuer /CN=PXC-CA
tf_expect_state pxc_ssl_user.weird name "o'b\"r\`i\\én%ü"
tf_expect_state pxc_ssl_user.evil id "evil'); DROP USER 'pxcadmin'@'%'; --@10.77.0.%"
tf_expect_state data.pxc_cluster_status.as_alice wsrep_cluster_size 3
tf_expect_state data.pxc_cluster_status.as_weird wsrep_cluster_size 3
for u in alice mallory stranger; do
  tf_state_to_file "pxc_node_cert.$u" cert_pem "$u.pem"
  tf_state_to_file "pxc_node_cert.$u" private_key_pem "$u-key.pem"
done
for u in x509user subjuser weird evil; do
  tf_state_to_file "pxc_ssl_user.$u" name "$u-user.txt"
  tf_state_to_file "pxc_ssl_user.$u" password "$u-pass.txt"
done
cp "$TF_SCENARIO_DIR/connect.py" "$TF_SCENARIO_DIR/account.py" "$TF_WORK/"
connect() { (cd "$TF_WORK" && "$MYSQLDB_PYTHON" connect.py "$@" 2>&1); }
out=$(admin_sql "SHOW GRANTS FOR 'subjuser'@'%'; SHOW GRANTS FOR 'x509user'@'%'")
expect_in "the server has the requirements" "$out" "SUBJECT '/O=Example/CN=alice'" "ISSUER '/CN=PXC-CA'" "REQUIRE X509"
expect_in "x509user with alice's certificate" "$(connect x509user-user.txt x509user-pass.txt alice.pem alice-key.pem)" "current_user x509user@%" "cipher TLS"
expect_in "x509user with mallory's certificate (same CA)" "$(connect x509user-user.txt x509user-pass.txt mallory.pem mallory-key.pem)" "current_user x509user@%"
expect_in "x509user without a certificate is refused" "$(connect x509user-user.txt x509user-pass.txt)" "refused 1045"
expect_in "x509user with a certificate of another CA is refused" "$(connect x509user-user.txt x509user-pass.txt stranger.pem stranger-key.pem)" "refused"
expect_in "subjuser with alice's certificate" "$(connect subjuser-user.txt subjuser-pass.txt alice.pem alice-key.pem)" "current_user subjuser@%" "cipher TLS" "size 3"
expect_in "subjuser with mallory's certificate (other subject) is refused" "$(connect subjuser-user.txt subjuser-pass.txt mallory.pem mallory-key.pem)" "refused 1045"
expect_in "subjuser with 'alice' from another CA is refused" "$(connect subjuser-user.txt subjuser-pass.txt stranger.pem stranger-key.pem)" "refused"
expect_in "the quoted name logs in with its quoted password" "$(connect weird-user.txt weird-pass.txt)" "current_user o'b\"r\`i\\én%ü@%" "cipher TLS"
expect_in "the injection attempt is just a name" "$(connect evil-user.txt evil-pass.txt)" "current_user evil'); DROP USER 'pxcadmin'@'%'; --@10.77.0.%"
expect_in "another user's password is refused" "$(connect weird-user.txt evil-pass.txt)" "refused 1045"
expect_in "the name is stored byte for byte, the admin account is intact" "$(cd "$TF_WORK" && "$MYSQLDB_PYTHON" account.py weird-user.txt)" "rows 1" "same_bytes True host %" "admin_accounts 1"
out=$(admin_sql "SELECT COUNT(*) FROM mysql.db WHERE Db = 'pxc\\_ü''db\`x' AND Select_priv = 'Y' AND Insert_priv = 'Y'")
expect_eq "the grant on a quoted database name" "$out" "1"
tf_plan_empty

step "requirements loosened by hand are drift, restored by apply"
admin_sql "ALTER USER 'subjuser'@'%' REQUIRE ISSUER '/CN=PXC-CA'; ALTER USER 'x509user'@'%' REQUIRE SSL"
expect_in "mallory gets in meanwhile" "$(connect subjuser-user.txt subjuser-pass.txt mallory.pem mallory-key.pem)" "current_user subjuser@%"
tf_plan_changes "both users to be updated" '# pxc_ssl_user.subjuser will be updated in-place' \
  '# pxc_ssl_user.x509user will be updated in-place' '"ssl" -> "x509"'
expect_in "the plan restores the subject" "$(tf_flat)" '+ require_subject = "/O=Example/CN=alice"'
tf_apply "the requirements restored" >/dev/null
expect_in "mallory is refused again" "$(connect subjuser-user.txt subjuser-pass.txt mallory.pem mallory-key.pem)" "refused 1045"
expect_in "x509user without a certificate is refused again" "$(connect x509user-user.txt x509user-pass.txt)" "refused 1045"
tf_plan_empty

step "terraform apply -replace=pxc_node_cert.client"
old_serial=$(tf_state_attr pxc_node_cert.client serial_number)
tf_apply "a new client certificate; the final check reads again with it" -replace=pxc_node_cert.client >/dev/null
expect_in "Terraform replaced only the client certificate" "$TF_OUT" \
  "# pxc_node_cert.client will be replaced, as requested" "Apply complete! Resources: 1 added, 0 changed, 1 destroyed."
tf_state_json
new_serial=$(tf_state_attr pxc_node_cert.client serial_number)
check "the client certificate has a new serial" test "$old_serial" != "$new_serial" -a -n "$new_serial"
tf_state_to_file pxc_node_cert.client cert_pem client.pem
tf_state_to_file pxc_node_cert.client private_key_pem client-key.pem
out=$("$MYSQLDB_PYTHON" "$TF_WORK/final_check.py" "$TF_WORK" "$TF_VAR_ssluser_password" 2>&1)
expect_in "the final check with the new client certificate" "$out" "cipher TLS" "size 3"
tf_plan_empty

step "terraform import of a user"
tf state rm -no-color pxc_ssl_user.ssluser
expect_in "terraform state rm forgets ssluser (the account stays)" "$TF_OUT" "Successfully removed 1 resource instance(s)."
tf import -no-color -input=false pxc_ssl_user.ssluser 'ssluser@%'
expect_in "terraform import pxc_ssl_user.ssluser 'ssluser@%'" "$TF_OUT" "Import successful!"
tf_plan_changes "only the password, which the server cannot report, is set" \
  '# pxc_ssl_user.ssluser will be updated in-place' '+ password = (sensitive value)' \
  'Plan: 0 to add, 1 to change, 0 to destroy.'
tf_apply "the password set with ALTER USER" >/dev/null
tf_plan_empty

step "config-driven import: import blocks, terraform plan -generate-config-out, sensitive inputs filled in"
admin_sql "CREATE USER 'manual'@'10.77.0.%' IDENTIFIED BY 'manual-pass' REQUIRE SUBJECT '/O=Example/CN=alice' AND ISSUER '/CN=PXC-CA'; GRANT SELECT, INSERT ON \`shop\`.* TO 'manual'@'10.77.0.%'; GRANT PROCESS ON *.* TO 'manual'@'10.77.0.%'"
(cd "$TF_WORK" && openssl req -x509 -newkey rsa:2048 -nodes -keyout manual-ca-key.pem -out manual-ca.pem \
  -days 3650 -subj '/O=Example/CN=Manual CA' 2>/dev/null)
cat >"$TF_CFG/import.tf" <<EOF
# Adopting what the manual procedure made.
import {
  to = pxc_ssl_user.manual
  id = "manual@10.77.0.%"
}

import {
  to = pxc_ca.manual
  id = "$TF_WORK/manual-ca-key.pem,$TF_WORK/manual-ca.pem"
}
EOF
tf plan -no-color -input=false -generate-config-out=generated.tf
gen=$(cat "$TF_CFG/generated.tf" 2>/dev/null)
echo "    generated.tf:"
sed 's/^/    | /' "$TF_CFG/generated.tf" 2>/dev/null | grep -v '^    |.*[A-Za-z0-9+/=]\{60\}'
# Terraform aligns the "=" of a block's attributes: compared without it.
expect_in "generated.tf has both resources, with the sensitive inputs left out" "$(tr '\n' ' ' <<<"$gen" | tr -s ' ')" \
  'resource "pxc_ssl_user" "manual"' 'resource "pxc_ca" "manual"' ' password = null # sensitive' \
  'existing_private_key_pem = null # sensitive' 'require_subject = "/O=Example/CN=alice"' \
  'common_name = "Manual CA"' 'key_algorithm = "RSA"'
expect_in "Terraform asks for the sensitive inputs (the provider's diagnostic)" "$TF_OUT" \
  "Error: Incomplete CA to Adopt" 'file("ca-key.pem")'
sed -i -e "s|^\( *existing_private_key_pem *\)= null # sensitive|\1= file(\"$TF_WORK/manual-ca-key.pem\")|" \
  -e 's|^\( *password *\)= null # sensitive|\1= "manual-pass"|' "$TF_CFG/generated.tf"
expect_eq "the two sensitive inputs filled in" \
  "$(grep -cE '^ *(password *= "manual-pass"|existing_private_key_pem *= file\(")' "$TF_CFG/generated.tf")" 2
tf_plan_changes "the generated configuration plans: the CA imported as is, the user imported with its password set" \
  '# pxc_ca.manual will be imported' '# pxc_ssl_user.manual will be updated in-place' \
  'Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.'
expect_not_in "no error" "$TF_OUT" "Error:"
tf_apply "2 imported" >/dev/null
expect_in "Terraform's summary" "$TF_OUT" "Apply complete! Resources: 2 imported, 0 added, 1 changed, 0 destroyed."
tf_plan_empty
out=$(admin_sql "SHOW GRANTS FOR 'manual'@'10.77.0.%'")
expect_in "the imported user is as it was made" "$out" "SUBJECT '/O=Example/CN=alice'" "ISSUER '/CN=PXC-CA'" "GRANT SELECT, INSERT ON \`shop\`.*"

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 20 destroyed."
expect_destroyed_clean
out=$(cd "$TF_WORK" && for u in weird evil x509user subjuser; do "$MYSQLDB_PYTHON" account.py "$u-user.txt"; done)
expect_not_in "the users are dropped, the admin account is intact" "$out" "rows 1" "admin_accounts 0"
out=$(admin_sql "SELECT COUNT(*) FROM mysql.user WHERE User IN ('ssluser', 'manual')" 2>&1)
expect_eq "ssluser and the imported user are dropped" "$out" "0"
check "the openssl CA's files are left alone" openssl verify -CAfile "$TF_WORK/manual-ca.pem" "$TF_WORK/manual-ca.pem"
