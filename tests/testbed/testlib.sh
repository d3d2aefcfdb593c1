# Helpers shared by the test bed's test scripts (sourced, not run).
# Output: "ok - ..." / "not ok - ..." lines, "#" diagnostics, and a final
# "N passed, M failed" line from finish(), which fails iff M > 0.

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CMD="$TESTBED_DIR/lab"
export PXC_LAB_DIR=${PXC_LAB_DIR:-/var/lib/pxc-lab}
PASSED=0
FAILED=0

ok() {
  echo "ok - $*"
  PASSED=$((PASSED + 1))
}
# nok DESC [DIAGNOSTIC...]: a failed check; diagnostics are printed as "#" lines.
nok() {
  echo "not ok - $1"
  shift
  local d
  for d in "$@"; do printf '%s\n' "$d" | sed 's/^/#   /'; done
  FAILED=$((FAILED + 1))
}
# check DESC CMD...: ok iff CMD exits 0 (its output is shown when it fails).
check() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$desc"; else nok "$desc" "exit status $?: $*" "$out"; fi
}
# check_fails DESC CMD...: ok iff CMD exits non-zero (output shown otherwise).
check_fails() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then nok "$desc" "command succeeded but must fail: $*" "$out"; else ok "$desc"; fi
}
# check_eq DESC EXPECTED ACTUAL
check_eq() {
  if [[ $3 == "$2" ]]; then ok "$1"; else nok "$1" "expected: '$2'" "got:      '$3'"; fi
}
# check_match DESC EXTENDED-REGEX ACTUAL
check_match() {
  if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else nok "$1" "expected to match: $2" "got: $3"; fi
}
# check_nomatch DESC EXTENDED-REGEX ACTUAL
check_nomatch() {
  if grep -Eq -- "$2" <<<"$3"; then nok "$1" "must not match: $2" "got: $3"; else ok "$1"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0)) || exit 1
  exit 0
}
# bail DESC [DIAG...]: a fatal failure, no point in going on.
bail() {
  nok "$@"
  TEST_DONE=1
  exit 1
}

# --- Lab lifecycle ------------------------------------------------------------
# lab_begin: use the lab when it is already up and healthy (CTest fixture
# `testbed`, or PXC_LAB_KEEP=1 runs), else bring it up. Sets LAB_REUSED.
LAB_REUSED=0
LAB_STARTED=0
NETNS_INODES=
lab_begin() {
  local out
  if "$LAB_CMD" status >/dev/null 2>&1; then
    LAB_REUSED=1
    echo "# lab already up and healthy: using it (and leaving it up)"
  else
    LAB_STARTED=1
    if out=$(timeout 600 "$LAB_CMD" up 2>&1); then
      ok "lab up"
      grep -E '^testbed: (up in|memory)' <<<"$out" | sed 's/^/# /'
    else
      NETNS_INODES=$(cat "$PXC_LAB_DIR/netns.inodes" 2>/dev/null || true)
      bail "lab up" "$out"
    fi
  fi
  # shellcheck disable=SC1091
  source "$PXC_LAB_DIR/env"
  NETNS_INODES=$(cat "$PXC_LAB_DIR/netns.inodes")
}

# lab_end: tear the lab down again unless it was already up before this test
# or PXC_LAB_KEEP=1, then prove nothing is left.
lab_end() {
  if ((LAB_REUSED)); then
    echo "# lab was up before this test: left up"
    return 0
  fi
  if [[ ${PXC_LAB_KEEP:-} == 1 ]]; then
    echo "# PXC_LAB_KEEP=1: lab left up"
    return 0
  fi
  check "lab down" timeout 120 "$LAB_CMD" down
  check_no_leftovers
}

# Test scripts end through this EXIT trap, also when they abort: the optional
# TEST_CLEANUP hook (a function name) runs, then lab_end, then the count.
TEST_TMP=$(mktemp -d /tmp/pxc-testbed.XXXXXX)
TEST_CLEANUP=
TEST_DONE=0
end_test() {
  local rc=$?
  trap - EXIT
  ((TEST_DONE)) || nok "test script aborted (exit status $rc) before its end"
  [[ -n $TEST_CLEANUP ]] && "$TEST_CLEANUP"
  if ((LAB_STARTED || LAB_REUSED)); then lab_end; fi
  rm -rf "$TEST_TMP"
  finish
}
trap end_test EXIT

[[ $(id -u) == 0 ]] || bail "tests of the test bed must run as root (network namespaces)"

check_no_leftovers() {
  local ns left=() procs="" p net
  for ns in pxc0 pxc1 pxc2 pxc3 pxcbr; do
    [[ -e /run/netns/$ns ]] && left+=("namespace $ns")
    [[ -e /etc/netns/$ns || -L /etc/netns/$ns ]] && left+=("/etc/netns/$ns")
  done
  [[ -e $PXC_LAB_DIR ]] && left+=("$PXC_LAB_DIR")
  [[ -n $(ip route show 10.77.0.0/24) ]] && left+=("root-namespace route $(ip route show 10.77.0.0/24)")
  # Processes still in one of the lab's (possibly unnamed) namespaces, or
  # running in the lab dir.
  for p in /proc/[0-9]*; do
    net=$(readlink "$p/ns/net" 2>/dev/null) || continue
    if grep -qxF "$net" <<<"$NETNS_INODES"; then
      procs+=" ${p#/proc/}($(cat "$p/comm" 2>/dev/null))"
    else
      case "$(readlink "$p/cwd" 2>/dev/null)" in
        "$PXC_LAB_DIR"/*) procs+=" ${p#/proc/}($(cat "$p/comm" 2>/dev/null))" ;;
      esac
    fi
  done
  [[ -n $procs ]] && left+=("processes:$procs")
  if ((${#left[@]} == 0)); then
    ok "nothing left after lab down (namespaces, /etc/netns, state dir, processes)"
  else
    nok "nothing left after lab down" "${left[@]}"
  fi
}

# --- Access helpers ------------------------------------------------------------
# on_client CMD...: run CMD in pxc0, the lab's client / load-balancer host.
on_client() { ip netns exec "$PXC_LAB_CLIENT_NETNS" "$@"; }

# node_ssh NODE CMD: ssh from pxc0 to NODE (name or IP) as the lab's SSH user,
# strict host key checking against the lab's known_hosts.
node_ssh() {
  local node=$1
  shift
  # shellcheck disable=SC2086
  on_client timeout 60 ssh $PXC_LAB_SSH_OPTS "$PXC_LAB_SSH_USER@$node" "$@"
}

# sql HOST QUERY [client options...]: query over TCP from pxc0 as the lab's
# admin user (tab separated, no column names).
sql() {
  local host=$1 q=$2
  shift 2
  on_client env MYSQL_PWD="$PXC_LAB_MYSQL_PASSWORD" timeout 30 mariadb --no-defaults \
    -h "$host" -P "$PXC_LAB_MYSQL_PORT" -u "$PXC_LAB_MYSQL_USER" --connect-timeout=5 -NB "$@" -e "$q"
}

# node_ip NODE: the address of pxcN.
node_ip() {
  local v="PXC_LAB_IP_${1^^}"
  echo "${!v}"
}
