#!/usr/bin/env bash
# The TLS tutorial done by hand in the test bed (what the pxc provider will
# automate): openssl CLI certificates, copy to /etc/mysql/certs over scp/ssh,
# edit my.cnf with sed over ssh, full stop + bootstrap of the last-stopped node,
# then proofs that Galera (4567), SST and mysqld (3306) use TLS and that the
# existing wsrep_provider_options survived.
#
# Standalone: brings the lab up, runs, tears it down (PXC_LAB_KEEP=1: leaves
# the TLS-enabled lab up, flagged "modified" so the next `lab up` rebuilds it).
# With the lab already up (CTest fixture `testbed`): uses it and afterwards
# REBUILDS it (`lab up` on a modified lab = down + up, about 20 s) so later
# tests get the plain, TLS-free cluster again.
set -euo pipefail
# shellcheck source=testlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

lab_begin
read -r -a nodes <<<"$PXC_LAB_NODES"
CERTS=/etc/mysql/certs   # the tutorial's (and the provider's) default paths
MYCNF=/etc/mysql/my.cnf
W=$TEST_TMP              # the "admin workstation" directory for the PKI

# Afterwards: a lab that was up before this test is rebuilt as a plain cluster.
restore_lab() {
  if ((LAB_REUSED)); then
    local out
    if out=$(timeout 600 "$LAB_CMD" up 2>&1); then
      ok "lab rebuilt as a plain (TLS-free) cluster for the tests that follow"
    else
      nok "lab rebuilt as a plain (TLS-free) cluster for the tests that follow" "$out"
    fi
  fi
}
TEST_CLEANUP=restore_lab

# gcomm_probe IP: first 4 bytes (hex) a bare TCP connection to IP:4567 receives
# within 2 s. A plain gcomm listener greets every peer with its handshake at
# once; a TLS listener says nothing until it gets a ClientHello.
gcomm_probe() {
  on_client timeout 3 socat -u -T2 "TCP:$1:4567,connect-timeout=2" - 2>/dev/null | head -c4 | od -An -tx1 | tr -s ' ' | sed 's/^ //; s/ $//'
}
# s_client IP [options...]: TLS handshake with IP:4567 from pxc0; keeps stdin
# open for 2 s so that alerts sent after the handshake (TLS 1.3) are read.
s_client() {
  local ip=$1 rc
  shift
  # (NULs: inside the session the node sends its binary gcomm handshake.)
  (sleep 2) | on_client timeout 10 openssl s_client -connect "$ip:4567" "$@" 2>&1 | tr '\0' '.' && rc=0 || rc=$?
  echo "s_client exit status: $rc"
}
# tls_ok S_CLIENT-OUTPUT: "yes" iff that was a complete, verified TLS session
# (s_client prints "Verify return code: 0 (ok)" even when the handshake fails,
# so that line alone proves nothing).
tls_ok() {
  if grep -q '^s_client exit status: 0$' <<<"$1" && grep -Eq '^New, TLSv1\.[23], Cipher is ' <<<"$1" &&
    grep -q '^Verify return code: 0 (ok)' <<<"$1" && ! grep -qi 'alert' <<<"$1"; then
    echo yes
  else
    echo no
  fi
}

# --- Before: the lab's Galera traffic is plain ----------------------------------
probe=$(gcomm_probe "$PXC_LAB_IP_PXC1")
check_match "before: a bare TCP connection to pxc1:4567 gets a plain gcomm handshake ($probe)" \
  '^[0-9a-f]{2} ' "$([[ $probe != 15* && $probe != 16* ]] && echo "$probe")"
out=$(s_client "$PXC_LAB_IP_PXC1")
check_eq "before: no TLS session with pxc1:4567 (plain gcomm)" no "$(tls_ok "$out")"
check_match "before: ... the handshake fails with 'wrong version number'" 'wrong version number' "$out"
check_eq "before: have_ssl on pxc1 is DISABLED" DISABLED \
  "$(sql "$PXC_LAB_IP_PXC1" "SELECT @@have_ssl" 2>&1)"

"$LAB_CMD" mark-modified "manual_tls_test enabled TLS by hand"

# --- 1. CA and node certificates with the openssl CLI ------------------------
# As in the tutorial (genrsa, req -x509, req + x509 -req), but every certificate
# gets its own random serial and the leaf CNs (pxcN) differ from the CA's CN.
# SANs (name + address) let clients verify nodes by either.
serial() { echo "0x$(openssl rand -hex 15)"; }
(
  set -e
  cd "$W"
  openssl genrsa 2048 >ca-key.pem 2>/dev/null
  openssl req -new -x509 -nodes -days 3650 -key ca-key.pem -out ca.pem -subj "/CN=pxc-lab-ca" -set_serial "$(serial)"
  for n in "${nodes[@]}" client; do
    san="DNS:$n"
    [[ $n != client ]] && san+=",IP:$(node_ip "$n")"
    openssl req -newkey rsa:2048 -nodes -keyout "$n-key.pem" -out "$n-req.pem" -subj "/CN=$n" 2>/dev/null
    openssl x509 -req -in "$n-req.pem" -days 3650 -CA ca.pem -CAkey ca-key.pem -set_serial "$(serial)" \
      -extfile <(echo "subjectAltName=$san") -out "$n-cert.pem" 2>/dev/null
  done
) >"$W/openssl.log" 2>&1 || bail "openssl CA and certificates" "$(cat "$W/openssl.log")"
check "node certificates verify against the CA" \
  openssl verify -CAfile "$W/ca.pem" "$W/pxc1-cert.pem" "$W/pxc2-cert.pem" "$W/pxc3-cert.pem" "$W/client-cert.pem"
serials=$(for f in ca pxc1 pxc2 pxc3 client; do openssl x509 -noout -serial -in "$W/$f-cert.pem" 2>/dev/null ||
  openssl x509 -noout -serial -in "$W/$f.pem"; done | sort -u | wc -l)
check_eq "all 5 certificates have distinct serials" 5 "$serials"
check_eq "CN of pxc1's certificate differs from the CA's" "subject=CN = pxc1 issuer=CN = pxc-lab-ca" \
  "$(openssl x509 -noout -subject -issuer -in "$W/pxc1-cert.pem" | tr '\n' ' ' | sed 's/ $//')"

# --- 2. Copy to /etc/mysql/certs on every node (scp + ssh) -------------------------
for n in "${nodes[@]}"; do
  # shellcheck disable=SC2086  # PXC_LAB_SSH_OPTS is a list of options
  if ! { node_ssh "$n" "install -d -o mysql -g mysql -m 0750 $CERTS" &&
    on_client timeout 60 scp -q $PXC_LAB_SSH_OPTS "$W/ca.pem" "$W/$n-cert.pem" "$W/$n-key.pem" \
      "$PXC_LAB_SSH_USER@$n:$CERTS/" &&
    node_ssh "$n" "cd $CERTS && mv $n-cert.pem server-cert.pem && mv $n-key.pem server-key.pem &&
      chown mysql:mysql ca.pem server-cert.pem server-key.pem && chmod 0640 ca.pem server-cert.pem &&
      chmod 0600 server-key.pem"; } >"$W/copy.log" 2>&1; then
    nok "copy certificates to $n with scp and ssh" "$(cat "$W/copy.log")"
  fi
  check_eq "$n: $CERTS/{ca,server-cert,server-key}.pem owned by mysql, no access for others" \
    "mysql:640:ca.pem mysql:640:server-cert.pem mysql:600:server-key.pem" \
    "$(node_ssh "$n" "cd $CERTS && stat -c '%U:%a:%n' ca.pem server-cert.pem server-key.pem" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
  check_eq "$n: server-cert.pem is $n's certificate" "subject=CN = $n" \
    "$(node_ssh "$n" "openssl x509 -noout -subject -in $CERTS/server-cert.pem" 2>&1)"
done

# --- 3. Edit my.cnf on every node (ALL nodes before any restart) ---------------
# Merge the socket.ssl_* options INTO the existing wsrep_provider_options (a
# second line would replace it and drop gcache.size) and put ssl-* right under
# the [mysqld] header (appending at the end would land in [mysqldump]).
prov="socket.ssl_cert=$CERTS/server-cert.pem;socket.ssl_key=$CERTS/server-key.pem;socket.ssl_ca=$CERTS/ca.pem"
for n in "${nodes[@]}"; do
  node_ssh "$n" "cp -p $MYCNF $MYCNF.before-tls &&
    sed -i -E 's|^(wsrep_provider_options[[:space:]]*=[[:space:]]*)\"([^\"]*)\"|\\1\"\\2;$prov\"|' $MYCNF &&
    sed -i '/^\\[mysqld\\]/a ssl-ca   = $CERTS/ca.pem\\nssl-cert = $CERTS/server-cert.pem\\nssl-key  = $CERTS/server-key.pem' $MYCNF" ||
    nok "edit $MYCNF on $n"
  eff=$(node_ssh "$n" "my_print_defaults --defaults-file=$MYCNF mysqld" 2>&1)
  check_eq "$n: [mysqld] wsrep_provider_options = gcache.size=32M + socket.ssl_*" \
    "--wsrep_provider_options=gcache.size=32M;$prov" "$(grep -E '^--wsrep[-_]provider[-_]options=' <<<"$eff")"
  check_eq "$n: [mysqld] has ssl-ca, ssl-cert, ssl-key" \
    "--ssl-ca=$CERTS/ca.pem --ssl-cert=$CERTS/server-cert.pem --ssl-key=$CERTS/server-key.pem" \
    "$(grep -E '^--ssl-(ca|cert|key)=' <<<"$eff" | tr '\n' ' ' | sed 's/ $//')"
  check_eq "$n: one wsrep_provider_options line; [client] and [mysqldump] got no ssl-*" "1 " \
    "$(node_ssh "$n" "grep -c '^wsrep_provider_options' $MYCNF; my_print_defaults --defaults-file=$MYCNF client mysqldump | grep ssl" 2>&1 | tr '\n' ' ')"
done

# --- 4. Full restart: stop all, bootstrap the last stopped, start the others ---
for n in pxc3 pxc2 pxc1; do # pxc1 is stopped last
  check "'$PXC_LAB_SERVICE_STOP' on $n" node_ssh "$n" "$PXC_LAB_SERVICE_STOP"
done
# shellcheck disable=SC2016  # expanded on the node
grastate() { node_ssh "$1" 'd=$(my_print_defaults --defaults-file=/etc/mysql/my.cnf mysqld |
  sed -n "s/^--datadir=//p" | tail -n1); sed -n "s/^safe_to_bootstrap: *//p" "$d/grastate.dat"' 2>&1; }
check_eq "grastate.dat safe_to_bootstrap: pxc1 (stopped last) 1, pxc2 0, pxc3 0" "1 0 0" \
  "$(grastate pxc1) $(grastate pxc2) $(grastate pxc3)"
out=$(node_ssh pxc2 "$PXC_LAB_SERVICE_BOOTSTRAP" 2>&1) && rc=0 || rc=$?
check_match "bootstrapping pxc2 (safe_to_bootstrap: 0) is refused (rc $rc)" 'safe_to_bootstrap|not be safe to bootstrap' \
  "$([[ $rc != 0 ]] && echo "$out")"
out=$(node_ssh pxc1 "$PXC_LAB_SERVICE_BOOTSTRAP" 2>&1) && rc=0 || rc=$?
check_match "'$PXC_LAB_SERVICE_BOOTSTRAP' on pxc1 (rc $rc)" 'started .*Synced' "$([[ $rc == 0 ]] && echo "$out")"
for n in pxc2 pxc3; do
  out=$(node_ssh "$n" "$PXC_LAB_SERVICE_START" 2>&1) && rc=0 || rc=$?
  check_match "'$PXC_LAB_SERVICE_START' on $n joins the TLS cluster (rc $rc)" 'started .*Synced' \
    "$([[ $rc == 0 ]] && echo "$out")"
done

# --- 5. Proofs ---------------------------------------------------------------
for n in "${nodes[@]}"; do
  check_eq "wsrep_cluster_size = 3 on $n" 3 \
    "$(sql "$(node_ip "$n")" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>&1 | cut -f2)"
done

for n in "${nodes[@]}"; do
  ip=$(node_ip "$n")
  out=$(s_client "$ip" -CAfile "$W/ca.pem" -cert "$W/client-cert.pem" -key "$W/client-key.pem" \
    -verify_return_error -verify_ip "$ip")
  if [[ $(tls_ok "$out") == yes ]]; then
    ok "TLS on $n:4567: handshake with a client certificate, server verified against the CA"
  else
    nok "TLS on $n:4567: handshake with a client certificate, server verified against the CA" "$out"
  fi
  check_match "TLS on $n:4567: the server presents $n's certificate" "subject=CN = $n\$" "$out"
  out=$(s_client "$ip" -CAfile "$W/ca.pem")
  check_match "TLS on $n:4567: a peer without a client certificate is rejected" \
    'certificate required|handshake failure|peer did not return a certificate' "$out"
  probe=$(gcomm_probe "$ip")
  check_eq "plain TCP to $n:4567 gets no gcomm handshake any more" "" \
    "$([[ $probe == 15* ]] || echo "$probe")"
done

for n in "${nodes[@]}"; do
  po=$(sql "$(node_ip "$n")" "SHOW VARIABLES LIKE 'wsrep_provider_options'" 2>&1)
  check_match "$n: wsrep_provider_options still has gcache.size = 32M" 'gcache\.size = 32M;' "$po"
  check_match "$n: wsrep_provider_options has socket.ssl_cert" "socket\\.ssl_cert = $CERTS/server-cert\\.pem" "$po"
  check_eq "$n: have_ssl = YES" YES "$(sql "$(node_ip "$n")" "SELECT @@have_ssl" 2>&1)"
done

# mysqld: TLS clients verified against the CA; a REQUIRE SSL user refused in plain.
sql "$PXC_LAB_IP_PXC1" "CREATE USER IF NOT EXISTS 'tlsuser'@'%' IDENTIFIED BY 'tls-pass' REQUIRE SSL;
  GRANT SELECT ON *.* TO 'tlsuser'@'%'" >/dev/null 2>&1 || true
check_match "TLS client to pxc2:3306 with --ssl-verify-server-cert (CA, SAN IP) gets a cipher" '^Ssl_cipher	.+' \
  "$(on_client env MYSQL_PWD=tls-pass timeout 20 mariadb --no-defaults -h "$PXC_LAB_IP_PXC2" -u tlsuser \
    --ssl-ca="$W/ca.pem" --ssl-verify-server-cert -NB -e "SHOW SESSION STATUS LIKE 'Ssl_cipher'" 2>&1)"
check_match "a plain (--skip-ssl) connection of the REQUIRE SSL user is refused" 'ERROR 1045' \
  "$(on_client env MYSQL_PWD=tls-pass timeout 20 mariadb --no-defaults -h "$PXC_LAB_IP_PXC2" -u tlsuser \
    --skip-ssl -NB -e "SELECT 1" 2>&1)"
check_match "python3-mysqldb with ssl={'ca': ...} through HAProxy gets a TLS session" '^TLS ' \
  "$(on_client timeout 20 /usr/bin/python3 -c '
import sys, MySQLdb
c = MySQLdb.connect(host=sys.argv[1], user="tlsuser", passwd="tls-pass", ssl={"ca": sys.argv[2]})
cur = c.cursor(); cur.execute("SHOW SESSION STATUS LIKE %s", ("Ssl_cipher",)); print("TLS", cur.fetchone()[1])
' "$PXC_LAB_HAPROXY_HOST" "$W/ca.pem" 2>&1)"

# Replication and a full SST (rsync through stunnel) under TLS.
token="tls-$RANDOM-$$"
sql "$PXC_LAB_IP_PXC1" "CREATE DATABASE IF NOT EXISTS tls_check;
  CREATE TABLE IF NOT EXISTS tls_check.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64));
  INSERT INTO tls_check.t (v) VALUES ('$token')" >/dev/null 2>&1 || true
check_eq "a row written on pxc1 is readable on pxc3 (replicated over TLS)" "$token" \
  "$(sql "$PXC_LAB_IP_PXC3" "SET SESSION wsrep_sync_wait = 1; SELECT v FROM tls_check.t WHERE v = '$token'" 2>&1)"
node_ssh pxc3 "$PXC_LAB_SERVICE_STOP && rm -f \"\$(my_print_defaults --defaults-file=$MYCNF mysqld |
  sed -n 's/^--datadir=//p' | tail -n1)/grastate.dat\"" >/dev/null 2>&1 || true
out=$(node_ssh pxc3 "$PXC_LAB_SERVICE_START" 2>&1) && rc=0 || rc=$?
check_match "pxc3 without grastate.dat rejoins by full SST (rc $rc)" 'started .*Synced' "$([[ $rc == 0 ]] && echo "$out")"
check_match "that SST ran rsync through stunnel (TLS)" 'Using stunnel for SSL encryption' \
  "$(node_ssh pxc3 "grep -h 'stunnel' \$(my_print_defaults --defaults-file=$MYCNF mysqld | sed -n 's/^--log-error=//p' | tail -n1)" 2>&1)"
check_eq "pxc3 has the row after the SST" "$token" \
  "$(sql "$PXC_LAB_IP_PXC3" "SELECT v FROM tls_check.t WHERE v = '$token'" 2>&1)"
check_eq "wsrep_cluster_size = 3 after the SST" 3 \
  "$(sql "$PXC_LAB_IP_PXC1" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>&1 | cut -f2)"

TEST_DONE=1  # end_test (EXIT trap): restore_lab, lab_end, the count
