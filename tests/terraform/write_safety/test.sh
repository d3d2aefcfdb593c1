TF_NEEDS_LAB=1
# No account but root can redirect pxc's writes on a node, as HCL (main.tf,
# then steps/ and bad/ beside it): pxc1 configured as root (SFTP path), pxc2
# as the lab's pxcsudo account with ssh_sudo (sudo path). While a process
# running as mysql on each node (symlink_racer.py, beside this file) races
# every write in cert_dir, three rounds of drift are repaired by
# `terraform apply`; root-owned stand-ins for /etc/shadow and
# /etc/ld.so.preload (and the machine's own) keep owner, mode and content.
# Then cert_dir = /etc/mysql refused at validation, an existing root-owned
# directory used as it is, a mysql-owned one and a symbolic link refused with
# nothing changed, state written by an older pxc (cert_dir given to mysql)
# warned about and made root-owned, destroy restoring my.cnf byte for byte.
# Every step that applies is followed by an empty
# `terraform plan -detailed-exitcode`. The nodes are left as found and the lab
# unmodified (no server is restarted).
# shellcheck source=../lab.sh
source "$TF_SCENARIO_DIR/../lab.sh"

lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}

# The stand-ins' owner, mode and checksum, and the machine's own system
# files' owner and mode.
standins() {
  local n d
  for n in 1 2; do
    d=$lab_dir/pxc$n/standin
    stat -c '%n %U:%G %a' "$d/shadow" "$d/ld.so.preload" && sha256sum "$d/shadow" "$d/ld.so.preload"
  done
  stat -c '%n %U:%G %a' /etc/shadow /etc/passwd /etc/ld.so.preload 2>&1
}
expect_standins_untouched() {
  standins >"$TF_WORK/standins-now.txt"
  if cmp -s "$TF_WORK/standins-before.txt" "$TF_WORK/standins-now.txt"; then
    ok "$1: the stand-ins (and the real /etc/shadow, /etc/ld.so.preload) keep owner, mode and content"
  else
    not_ok "$1: the stand-ins (and the real /etc/shadow, /etc/ld.so.preload) keep owner, mode and content" \
      "$(diff "$TF_WORK/standins-before.txt" "$TF_WORK/standins-now.txt" | tr '\n' ' ')"
  fi
}

# expect_cert_dir <ip> <name>: cert_dir root:mysql 0750, the files
# mysql:mysql, the key 0600.
expect_cert_dir() {
  local out
  out=$(node_ssh "$1" "stat -c '%U:%G %a' /etc/mysql/certs; stat -c '%U:%G %a %n' /etc/mysql/certs/*.pem")
  expect_eq "$2: cert_dir root:mysql 0750; key mysql:mysql 0600, certificates mysql:mysql 0644" "$out" \
    "root:mysql 750
mysql:mysql 644 /etc/mysql/certs/ca-cert.pem
mysql:mysql 644 /etc/mysql/certs/$2-cert.pem
mysql:mysql 600 /etc/mysql/certs/$2-key.pem"
}

# expect_mysql_reads_key <ip> <name>: mysqld's account reads its key and
# certificate.
expect_mysql_reads_key() {
  local out
  out=$(node_ssh "$1" "runuser -u mysql -- cat /etc/mysql/certs/$2-key.pem | openssl pkey -noout && runuser -u mysql -- openssl x509 -noout -subject -in /etc/mysql/certs/$2-cert.pem && echo mysql-reads-key" 2>&1)
  expect_in "$2: mysql reads its key and certificate" "$out" mysql-reads-key "CN = $2"
}

etc_mysql() {
  node_ssh "$1" stat -c "'%U:%G %a'" /etc/mysql
}
expect_etc_mysql_unchanged() {
  expect_eq "$1: /etc/mysql keeps its owner and mode on pxc1" "$(etc_mysql 10.77.0.11)" "$(cat "$TF_WORK/etc-mysql-11.txt")"
}
expect_client_cnf_unchanged() {
  check "$1: /etc/mysql/client-test.cnf unchanged" node_ssh 10.77.0.11 cmp /etc/mysql/client-test.cnf /tmp/pxc-client-test.orig
}

racer_pids() {
  head -qn1 "$TF_WORK/racer1.log" "$TF_WORK/racer2.log" 2>/dev/null | grep -E '^[0-9]+$'
}
# On a bail-out: stop the racers (they also stop by themselves after 600 s).
scenario_on_bail() {
  local p
  for p in $(racer_pids); do kill "$p" 2>/dev/null; done
}

step "prepare: the sudo account, pxc1's and pxc2's my.cnf and /etc/mysql, root-owned stand-ins for /etc/shadow and /etc/ld.so.preload"
cp "$TF_SCENARIO_DIR/main.tf" "$TF_CFG/"
lab_prepare
# shellcheck disable=SC2086
out=$(ssh $PXC_LAB_SSH_OPTS pxcsudo@10.77.0.12 'id -un; sudo -n id -u' | tr '\n' ' ')
expect_eq "pxc2: the pxcsudo account becomes root with sudo -n" "$out" "pxcsudo 0 "
for n in 1 2; do
  node_ssh "10.77.0.1$n" 'rm -rf /etc/mysql/certs /etc/mysql/existing /etc/mysql/manual /etc/mysql/linked /etc/mysql/client-test.cnf'
  etc_mysql "10.77.0.1$n" >"$TF_WORK/etc-mysql-1$n.txt"
done
expect_eq "/etc/mysql on pxc1" "$(cat "$TF_WORK/etc-mysql-11.txt")" "root:root 755"
for n in 1 2; do
  d=$lab_dir/pxc$n/standin
  rm -rf "$d"
  install -d -m 0755 "$d"
  printf 'root:$6$standin$notarealhash:19000:0:99999:7:::\n' >"$d/shadow"
  chmod 0600 "$d/shadow"
  printf '/lib/standin-preload.so\n' >"$d/ld.so.preload"
  chmod 0644 "$d/ld.so.preload"
  chown root:root "$d"/*
done
standins >"$TF_WORK/standins-before.txt"
expect_in "the stand-ins: shadow root:root 0600, ld.so.preload root:root 0644" "$(cat "$TF_WORK/standins-before.txt")" \
  "$lab_dir/pxc1/standin/shadow root:root 600" "$lab_dir/pxc1/standin/ld.so.preload root:root 644" \
  "$lab_dir/pxc2/standin/shadow root:root 600" "$lab_dir/pxc2/standin/ld.so.preload root:root 644"
out=$(node_ssh 10.77.0.11 'install -d -o root -g root -m 0755 /etc/mysql/existing && install -d -o mysql -g mysql -m 0750 /etc/mysql/manual && ln -s /etc/mysql/existing /etc/mysql/linked && printf "[client]\n" > /etc/mysql/client-test.cnf && chmod 0644 /etc/mysql/client-test.cnf && cp /etc/mysql/client-test.cnf /tmp/pxc-client-test.orig && echo made')
expect_eq "pxc1: /etc/mysql/existing (root), /etc/mysql/manual (mysql), /etc/mysql/linked (a link), a client option file" "$out" made
tf_init

step "deploy: pxc1 as root over SFTP, pxc2 as pxcsudo through sudo"
tf_apply "CA, 2 certificates, 2 nodes' TLS files and my.cnf" >/dev/null
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_tls_config.pxc1 will be created' \
  '# pxc_node_tls_config.pxc2 will be created' "Apply complete! Resources: 5 added, 0 changed, 0 destroyed."
tf_state_json
tf_expect_map state pxc_node_tls_config.pxc1 files /etc/mysql/certs/ "directory not writable by other accounts"
expect_cert_dir 10.77.0.11 pxc1
expect_cert_dir 10.77.0.12 pxc2
expect_mysql_reads_key 10.77.0.11 pxc1
expect_mysql_reads_key 10.77.0.12 pxc2
expect_eq "pxc2: ssl-key in my.cnf (written through sudo)" "$(node_ssh 10.77.0.12 grep -c ^ssl-key /etc/mysql/my.cnf)" 1
tf_plan_empty

step "a process running as mysql on pxc1 and on pxc2 races every write in cert_dir"
for n in 1 2; do
  setsid "$PXC_SOURCE_DIR/tests/testbed/lab" exec "pxc$n" python3 "$TF_SCENARIO_DIR/symlink_racer.py" \
    --user mysql --dir /etc/mysql/certs --target "$lab_dir/pxc$n/standin/shadow" \
    --target "$lab_dir/pxc$n/standin/ld.so.preload" --out "$TF_WORK/racer$n.json" --seconds 600 \
    >"$TF_WORK/racer$n.log" 2>&1 </dev/null &
done
for _ in $(seq 50); do
  [[ $(racer_pids | wc -l) == 2 ]] && break
  sleep 0.2
done
pids=$(racer_pids | tr '\n' ' ')
expect_eq "both racers started" "$(wc -w <<<"$pids")" 2
expect_eq "both run as mysql" "$(ps -o user= -p "$(racer_pids | paste -sd,)" 2>&1 | sort -u | tr -d ' ')" mysql

for round in 1 2 3; do
  step "drift, round $round: mysql changes its key, root changes the CA file's mode; apply repairs it while the racers run"
  out=$(for n in 1 2; do node_ssh "10.77.0.1$n" "runuser -u mysql -- sh -c 'echo tampered-$round >> /etc/mysql/certs/pxc$n-key.pem' && chmod 0600 /etc/mysql/certs/ca-cert.pem && echo drifted"; done | tr '\n' ' ')
  expect_eq "the drift is made on both nodes" "$out" "drifted drifted "
  tf_apply "the drift repaired" >/dev/null
  expect_in "the plan shows the drift of both nodes" "$TF_OUT" '# pxc_node_tls_config.pxc1 will be updated in-place' \
    '# pxc_node_tls_config.pxc2 will be updated in-place' "Apply complete! Resources: 0 added, 2 changed, 0 destroyed."
  expect_standins_untouched "round $round"
  out=$(for n in 1 2; do node_ssh "10.77.0.1$n" "grep -c tampered /etc/mysql/certs/pxc$n-key.pem; stat -c %a /etc/mysql/certs/ca-cert.pem"; done | tr '\n' ' ')
  expect_eq "the keys are the configured ones again, the CA file 0644 (pxc1, pxc2)" "$out" "0 644 0 644 "
  expect_cert_dir 10.77.0.11 pxc1
  expect_cert_dir 10.77.0.12 pxc2
  tf_plan_empty
done

step "stop the racers: they saw pxc's temporary files but could not replace one nor plant an entry"
# shellcheck disable=SC2086
kill $pids
for _ in $(seq 50); do
  [[ -s $TF_WORK/racer1.json && -s $TF_WORK/racer2.json ]] && break
  sleep 0.2
done
for n in 1 2; do
  out=$(cat "$TF_WORK/racer$n.json" 2>&1)
  echo "    | racer$n: $out"
  check "racer on pxc$n: ran as mysql, watched cert_dir, saw >= 3 temporary files, swapped none, was refused, planted nothing" \
    python3 -c 'import json, sys
d = json.loads(sys.argv[1])
assert d["user"] == "mysql" and d["watch"], d
assert d["seen"] >= 3 and d["swapped"] == 0 and d["denied"] + d["vanished"] >= 1, d
assert d["probes"] >= 5 and d["probe_ok"] == 0, d' "$out"
done
expect_standins_untouched "after the racers"

step "the deploy still works: nothing to change, mysql reads the keys"
tf_plan_empty
expect_mysql_reads_key 10.77.0.11 pxc1
expect_mysql_reads_key 10.77.0.12 pxc2

step "bad/sysdir.tf: cert_dir = /etc/mysql is refused when the configuration is validated"
cp "$TF_SCENARIO_DIR/bad/sysdir.tf" "$TF_CFG/"
tf_expect_error validate "System Directory as cert_dir" sysdir.tf cert_dir
tf_expect_error apply "System Directory as cert_dir" sysdir.tf cert_dir
expect_etc_mysql_unchanged "refused"
rm "$TF_CFG/sysdir.tf"
tf_plan_empty

step "steps/existing.tf: an existing root-owned directory is used as it is"
cp "$TF_SCENARIO_DIR/steps/existing.tf" "$TF_CFG/"
tf_apply "a client configuration in /etc/mysql/existing" >/dev/null
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_tls_config.existing will be created' \
  "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
out=$(node_ssh 10.77.0.11 "stat -c '%U:%G %a' /etc/mysql/existing; stat -c '%U:%G %a %n' /etc/mysql/existing/ca-cert.pem")
expect_eq "its owner and mode unchanged, the CA file in it" "$out" $'root:root 755\nmysql:mysql 644 /etc/mysql/existing/ca-cert.pem'
expect_etc_mysql_unchanged "existing"
tf_plan_empty

step "steps/existing.tf removed: destroy removes its file and leaves the directory as it found it"
rm "$TF_CFG/existing.tf"
tf_apply "the client configuration destroyed" >/dev/null
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_tls_config.existing will be destroyed' \
  "Apply complete! Resources: 0 added, 0 changed, 1 destroyed."
out=$(node_ssh 10.77.0.11 "stat -c '%U:%G %a' /etc/mysql/existing; ls -A /etc/mysql/existing | wc -l" | tr '\n' ' ')
expect_eq "/etc/mysql/existing: root:root 0755, empty" "$out" "root:root 755 0 "
expect_client_cnf_unchanged "destroyed"
tf_plan_empty

step "bad/manual.tf: a directory mysql owns (as the manual procedure leaves it) is refused with the fix"
cp "$TF_SCENARIO_DIR/bad/manual.tf" "$TF_CFG/"
tf_expect_error apply "cert_dir Can Be Changed by Other Accounts" manual.tf cert_dir \
  "/etc/mysql/manual is owned by mysql (mysql:mysql 0750)"
out=$(node_ssh 10.77.0.11 "stat -c '%U:%G %a' /etc/mysql/manual; ls -A /etc/mysql/manual | wc -l" | tr '\n' ' ')
expect_eq "/etc/mysql/manual: mysql:mysql 0750, nothing written in it" "$out" "mysql:mysql 750 0 "
expect_client_cnf_unchanged "refused"
rm "$TF_CFG/manual.tf"
tf_plan_empty

step "bad/linked.tf: a symbolic link as cert_dir is refused; the directory it points to is not touched"
cp "$TF_SCENARIO_DIR/bad/linked.tf" "$TF_CFG/"
tf_expect_error apply "cert_dir Is a Symbolic Link" linked.tf cert_dir "/etc/mysql/linked on linked (10.77.0.11) is a symbolic link"
out=$(node_ssh 10.77.0.11 "stat -c '%U:%G %a' /etc/mysql/existing; ls -A /etc/mysql/existing | wc -l" | tr '\n' ' ')
expect_eq "/etc/mysql/existing: root:root 0755, empty" "$out" "root:root 755 0 "
expect_client_cnf_unchanged "refused"
rm "$TF_CFG/linked.tf"
tf_plan_empty

step "state written by an older pxc: no cert_dir record, cert_dir given to mysql:mysql 0750 as that version did"
(cd "$TF_CFG" && "$TERRAFORM" state pull) >"$TF_WORK/pulled.tfstate" 2>"$TF_LOGS/state-pull.err"
out=$(python3 - "$TF_WORK/pulled.tfstate" "$TF_WORK/older.tfstate" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
n = 0
for r in d["resources"]:
    if r["mode"] == "managed" and r["type"] == "pxc_node_tls_config" and r["name"] == "pxc1":
        for i in r["instances"]:
            v = json.loads(base64.b64decode(i["private"]))
            v.pop("cert_dir")
            i["private"] = base64.b64encode(json.dumps(v).encode()).decode()
            i["attributes"]["files"].pop("/etc/mysql/certs/")
            n += 1
d["serial"] += 1
json.dump(d, open(sys.argv[2], "w"), indent=2)
print("dropped", n)
PY
)
expect_eq "pxc1's cert_dir record dropped from the private state and from files" "$out" "dropped 1"
tf state push "$TF_WORK/older.tfstate"
expect_eq "terraform state push of the edited state" "$TF_RC" 0
expect_eq "pxc1's cert_dir given to mysql" "$(node_ssh 10.77.0.11 'chown mysql:mysql /etc/mysql/certs && stat -c "%U:%G %a" /etc/mysql/certs')" "mysql:mysql 750"

step "the refresh warns that mysql can change cert_dir and the plan shows it"
tf_plan_changes "pxc1 to be updated" '# pxc_node_tls_config.pxc1 will be updated in-place' 'Plan: 0 to add, 1 to change, 0 to destroy.'
expect_not_in "pxc2 is not touched" "$TF_OUT" 'pxc_node_tls_config.pxc2 will'
tf_expect_warning "cert_dir Can Be Changed by Other Accounts" main.tf cert_dir "The next apply makes it root:mysql 0750"

step "apply makes it root-owned again and says so"
tf_apply "pxc1's cert_dir root-owned again" >/dev/null
expect_in "Terraform's plan and summary" "$TF_OUT" '# pxc_node_tls_config.pxc1 will be updated in-place' \
  "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
tf_expect_warning "cert_dir Made Root-Owned" main.tf cert_dir
expect_cert_dir 10.77.0.11 pxc1
expect_mysql_reads_key 10.77.0.11 pxc1
tf_plan_empty

step "terraform destroy"
tf destroy -auto-approve -no-color -input=false
tf_summary
expect_in "terraform destroy" "$TF_OUT" "Destroy complete! Resources: 5 destroyed."
expect_destroyed_clean
out=$(node_ssh 10.77.0.12 'test -e /etc/mysql/certs || echo removed'; node_ssh 10.77.0.11 "stat -c '%U:%G %a' /etc/mysql/certs; ls -A /etc/mysql/certs | wc -l")
expect_eq "pxc2's cert_dir (pxc made it) removed; pxc1's (the older pxc made it) stays, root-owned and empty" \
  "$(tr '\n' ' ' <<<"$out")" "removed root:mysql 750 0 "
expect_standins_untouched "destroyed"
expect_etc_mysql_unchanged "destroyed"
expect_eq "/etc/mysql on pxc2 keeps its owner and mode" "$(etc_mysql 10.77.0.12)" "$(cat "$TF_WORK/etc-mysql-12.txt")"

step "clean up: the test's directories and stand-ins; the lab counts as unmodified again"
node_ssh 10.77.0.11 'rm -rf /etc/mysql/certs /etc/mysql/existing /etc/mysql/manual /etc/mysql/linked /etc/mysql/client-test.cnf /tmp/pxc-client-test.orig'
rm -rf "$lab_dir/pxc1/standin" "$lab_dir/pxc2/standin"
lab_unmark
out=$("$PXC_SOURCE_DIR/tests/testbed/lab" status 2>&1)
expect_eq "lab status: healthy, not modified" "$?" 0
