#!/usr/bin/env bash
# Acceptance test of the test bed itself (issue 3): hosts, SSH, Galera,
# HAProxy, per-node /etc/mysql, service commands, clean teardown.
#
# Standalone: brings the lab up, checks, tears it down, checks nothing is left.
# With the lab already up (CTest fixture `testbed`, or PXC_LAB_KEEP=1 after an
# earlier run): uses it and leaves it up. PXC_LAB_KEEP=1 also keeps a lab this
# test brought up. Leaves the cluster as it found it (plain, 3 nodes Synced).
set -euo pipefail
# shellcheck source=testlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

lab_begin
read -r -a nodes <<<"$PXC_LAB_NODES"

# --- Isolation: the root namespace cannot reach the lab ----------------------
check_eq "root namespace has no address in 10.77.0.0/24" "" "$(ip -4 -br addr | grep -F '10.77.0.' || true)"
check_eq "root namespace has no route to the lab (only an 'unreachable' guard)" \
  "unreachable 10.77.0.0/24" "$(ip route show 10.77.0.0/24 | awk '{ print $1, $2 }')"
check_fails "a connection from the root namespace to pxc1:22 fails" \
  timeout 3 bash -c "exec 3<>/dev/tcp/$PXC_LAB_IP_PXC1/22"
check_eq "pxc0 has its own /etc/hosts naming pxc0..pxc3" "$PXC_LAB_IP_PXC3" \
  "$(on_client getent hosts pxc3 | awk '{ print $1 }')"

# --- SSH: key-only root login, strict host key checking ----------------------
for n in "${nodes[@]}"; do
  ip=$(node_ip "$n")
  check_eq "ssh root@$ip (by address) with StrictHostKeyChecking=yes reaches $n" "$n" \
    "$(node_ssh "$ip" hostname 2>&1)"
  check_eq "ssh root@$n (by name) with StrictHostKeyChecking=yes reaches $n" "$n" \
    "$(node_ssh "$n" hostname 2>&1)"
done

# The spare node: reachable over SSH, mariadbd not running, an empty datadir.
check_eq "ssh root@pxc4 (the spare node) reaches pxc4" pxc4 "$(node_ssh "$PXC_LAB_IP_PXC4" hostname 2>&1)"
check_eq "pxc4 is a spare: mariadbd not running, datadir empty, not behind HAProxy" "3 0 0" \
  "$(node_ssh "$PXC_LAB_IP_PXC4" 'service mysql status >/dev/null 2>&1; echo $?' 2>&1) $(ls -A "$PXC_LAB_DATADIR_PXC4" | wc -l) $(grep -c 'server pxc4' "$PXC_LAB_DIR/pxc0/haproxy.cfg")"

# A known_hosts naming a different key for pxc1 must make ssh refuse, and so
# must an empty one. (Own option list: with ssh the first -o of a kind wins, so
# PXC_LAB_SSH_OPTS cannot be overridden by appending.)
ssh_strict=(-F /dev/null -i "$PXC_LAB_SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes
  -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5)
wrong_kh=$TEST_TMP/known_hosts.wrong
ssh-keygen -q -t ed25519 -N '' -f "$wrong_kh.key" >/dev/null
echo "$PXC_LAB_IP_PXC1 $(cut -d' ' -f1,2 "$wrong_kh.key.pub")" >"$wrong_kh"
rm -f "$wrong_kh.key" "$wrong_kh.key.pub"
out=$(on_client timeout 30 ssh "${ssh_strict[@]}" -o UserKnownHostsFile="$wrong_kh" \
  "root@$PXC_LAB_IP_PXC1" echo logged-in 2>&1) && rc=0 || rc=$?
check_match "ssh with a wrong known_hosts entry is refused (rc $rc)" 'Host key verification failed' \
  "$([[ $rc != 0 ]] && echo "$out")"
: >"$wrong_kh"
out=$(on_client timeout 30 ssh "${ssh_strict[@]}" -o UserKnownHostsFile="$wrong_kh" \
  "root@$PXC_LAB_IP_PXC1" echo logged-in 2>&1) && rc=0 || rc=$?
check_match "ssh with an empty known_hosts is refused (rc $rc)" 'Host key verification failed' \
  "$([[ $rc != 0 ]] && echo "$out")"
out=$(on_client timeout 30 ssh "${ssh_strict[@]}" -o UserKnownHostsFile="$PXC_LAB_KNOWN_HOSTS" \
  "root@$PXC_LAB_IP_PXC1" echo logged-in 2>&1) && rc=0 || rc=$?
check_eq "the same ssh command with the lab's known_hosts logs in (rc $rc)" logged-in "$out"
# Key-only: password authentication is not offered.
out=$(on_client timeout 30 ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile="$PXC_LAB_KNOWN_HOSTS" -o PreferredAuthentications=password,keyboard-interactive \
  "root@$PXC_LAB_IP_PXC1" true 2>&1) && rc=0 || rc=$?
check_match "ssh without the lab key is refused (rc $rc)" 'Permission denied \(publickey\)' "$out"
# The non-root account with NOPASSWD sudo (the provider's sudo path).
if [[ -n ${PXC_LAB_SUDO_USER:-} ]]; then
  out=$(on_client timeout 30 ssh $PXC_LAB_SSH_OPTS "$PXC_LAB_SUDO_USER@$PXC_LAB_IP_PXC1" \
    'id -un; sudo -n id -u; hostname' 2>&1 | tr '\n' ' ') && rc=0 || rc=$?
  check_eq "ssh $PXC_LAB_SUDO_USER@pxc1 with the lab key, sudo -n is root (rc $rc)" \
    "$PXC_LAB_SUDO_USER 0 pxc1 " "$out"
fi

# Each node has its own /root (the machine's root dotfiles stay out of sessions).
marker=".testbed-marker-$$"
node_ssh pxc1 "touch /root/$marker" >/dev/null 2>&1 || true
check_eq "pxc1's /root is its own (a file made there is not in pxc2's nor the machine's /root)" \
  "yes no no" "$(node_ssh pxc1 "test -e /root/$marker && echo yes || echo no" 2>&1) \
$(node_ssh pxc2 "test -e /root/$marker && echo yes || echo no" 2>&1) $(test -e "/root/$marker" && echo yes || echo no)"
node_ssh pxc1 "rm -f /root/$marker" >/dev/null 2>&1 || true

# --- Per-node /etc/mysql, seen over SSH --------------------------------------
for n in "${nodes[@]}"; do
  ip=$(node_ip "$n")
  cnf=$(node_ssh "$n" cat /etc/mysql/my.cnf 2>&1)
  check_match "$n sees its own /etc/mysql/my.cnf over SSH (wsrep_node_name, bind-address)" \
    "^wsrep_node_name += $n\$" "$cnf"
  check_match "$n my.cnf: bind-address = $ip" "^bind-address += $ip\$" "$cnf"
  check_match "$n my.cnf: wsrep_provider_options = \"gcache.size=32M\"" \
    '^wsrep_provider_options += "gcache.size=32M"$' "$cnf"
  check_eq "$n my.cnf: [mysqld] is not the last section" "[mysqld] [client] [mysqldump]" \
    "$(grep -E '^\[' <<<"$cnf" | tr '\n' ' ' | sed 's/ $//')"
done

# --- Galera cluster ---------------------------------------------------------------
for n in "${nodes[@]}"; do
  check_eq "wsrep_cluster_size = 3 on $n (pxcadmin over TCP)" 3 \
    "$(sql "$(node_ip "$n")" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>&1 | cut -f2)"
  check_eq "$n: @@wsrep_node_name and @@hostname" "$n $n" \
    "$(sql "$(node_ip "$n")" "SELECT @@wsrep_node_name, @@hostname" 2>&1 | tr '\t' ' ')"
done

token="tb-$RANDOM-$RANDOM-$$"
sql "$PXC_LAB_IP_PXC1" "CREATE DATABASE IF NOT EXISTS testbed_check;
  CREATE TABLE IF NOT EXISTS testbed_check.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64));
  INSERT INTO testbed_check.t (v) VALUES ('$token')" >/dev/null 2>&1 || true
check_eq "a row written on pxc1 is readable on pxc3" "$token" \
  "$(sql "$PXC_LAB_IP_PXC3" "SET SESSION wsrep_sync_wait = 1;
     SELECT v FROM testbed_check.t WHERE v = '$token'" 2>&1)"
sql "$PXC_LAB_IP_PXC2" "DROP DATABASE IF EXISTS testbed_check" >/dev/null 2>&1 || true

# --- HAProxy on pxc0:3306 ------------------------------------------------------
answers=""
for _ in 1 2 3 4 5 6 7 8 9; do
  answers+="$(sql "$PXC_LAB_HAPROXY_HOST" "SELECT @@wsrep_node_name" 2>&1)"$'\n'
done
distinct=$(grep -E '^pxc[1-3]$' <<<"$answers" | sort -u | tr '\n' ' ')
check_match "9 connections through HAProxy $PXC_LAB_HAPROXY_HOST:3306 reach more than one node ($distinct)" \
  '^pxc[1-3] pxc[1-3] ' "$distinct"
check_eq "through HAProxy the client appears as pxc0 ($PXC_LAB_IP_PXC0)" "$PXC_LAB_IP_PXC0" \
  "$(sql "$PXC_LAB_HAPROXY_HOST" "SELECT SUBSTRING_INDEX(USER(), '@', -1)" 2>&1)"

# clustercheck: 200 when Synced, 503 when not; HAProxy follows it.
# shellcheck disable=SC2016  # the inner script gets its values as "$1"...
http_status() { # http_status IP -> e.g. "HTTP/1.1 200 OK"
  on_client timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && head -n1 <&3' \
    hs "$1" "$PXC_LAB_CLUSTERCHECK_PORT" 2>&1 | tr -d '\r'
}
backend_state() { # backend_state NODE -> UP / DOWN / ...
  echo "show stat" | timeout 5 socat - "UNIX-CONNECT:$PXC_LAB_HAPROXY_SOCKET" |
    awk -F, -v n="$1" '$1 == "galera" && $2 == n { print $18 }'
}
wait_backend() { # wait_backend NODE STATE SECONDS
  local t=$((SECONDS + $3))
  until [[ $(backend_state "$1") == "$2" ]]; do
    ((SECONDS < t)) || return 1
    sleep 0.3
  done
}
for n in "${nodes[@]}"; do
  check_eq "clustercheck on $n:$PXC_LAB_CLUSTERCHECK_PORT answers 200 (Synced)" "HTTP/1.1 200 OK" \
    "$(http_status "$(node_ip "$n")")"
done
sql "$PXC_LAB_IP_PXC2" "SET GLOBAL wsrep_desync = ON" >/dev/null 2>&1 || true
check_eq "clustercheck on a desynced pxc2 answers 503" "HTTP/1.1 503 Service Unavailable" \
  "$(http_status "$PXC_LAB_IP_PXC2")"
check "HAProxy takes the not-Synced pxc2 out (DOWN within 10 s)" wait_backend pxc2 DOWN 10
sql "$PXC_LAB_IP_PXC2" "SET GLOBAL wsrep_desync = OFF" >/dev/null 2>&1 || true
check "HAProxy takes pxc2 back once Synced (UP within 10 s)" wait_backend pxc2 UP 10

# --- Service commands over SSH ---------------------------------------------------
out=$(node_ssh pxc3 "$PXC_LAB_SERVICE_STATUS" 2>&1) && rc=0 || rc=$?
check_match "'$PXC_LAB_SERVICE_STATUS' on pxc3: exit 0, running and Synced (rc $rc)" \
  'running .*wsrep_local_state_comment=Synced' "$([[ $rc == 0 ]] && echo "$out")"
pid3=$(node_ssh pxc3 cat /run/mysqld/mysqld.pid 2>&1)
check_match "pxc3 has a PID file /run/mysqld/mysqld.pid" '^[0-9]+$' "$pid3"
check "'$PXC_LAB_SERVICE_STOP' on pxc3 succeeds" node_ssh pxc3 "$PXC_LAB_SERVICE_STOP"
# (A zombie counts as gone: this machine's PID 1 reaps orphans lazily.)
check_eq "mariadbd of pxc3 (pid $pid3) is gone after stop" "" \
  "$(ps -o stat= -p "$pid3" 2>/dev/null | grep -v '^Z' || true)"
out=$(node_ssh pxc3 "$PXC_LAB_SERVICE_STATUS" 2>&1) && rc=0 || rc=$?
check_eq "'$PXC_LAB_SERVICE_STATUS' on a stopped pxc3 exits 3" 3 "$rc"
check_eq "pxc1 and pxc2 keep running: wsrep_cluster_size = 2" 2 \
  "$(sql "$PXC_LAB_IP_PXC1" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>&1 | cut -f2)"
out=$(node_ssh pxc3 "$PXC_LAB_SERVICE_START" 2>&1) && rc=0 || rc=$?
check_match "'$PXC_LAB_SERVICE_START' on pxc3 returns once Synced (rc $rc)" 'started .*Synced' \
  "$([[ $rc == 0 ]] && echo "$out")"
check_eq "wsrep_cluster_size = 3 again after pxc3 rejoined" 3 \
  "$(sql "$PXC_LAB_IP_PXC1" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>&1 | cut -f2)"
check "HAProxy has pxc3 UP again (within 10 s)" wait_backend pxc3 UP 10
check "lab status: healthy" "$LAB_CMD" status

TEST_DONE=1  # end_test (EXIT trap) tears down when needed and prints the count
