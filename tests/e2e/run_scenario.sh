#!/usr/bin/env bash
# Runs a driver scenario against the real test bed: brings the lab up if it
# is not (idempotent), then runs pxc-tfdriver inside the pxc0 namespace (the
# only place the nodes are reachable from), with the lab's SSH options in the
# environment for the scenario's checks.
#   run_scenario.sh <pxc-tfdriver> <terraform-provider-pxc> <scenario.json>
# PXC_E2E_WORKDIR=<dir>: use (and keep) that work directory instead of a
# temporary one; PXC_E2E_DRIVER_ARGS: more pxc-tfdriver arguments (split on
# blanks), e.g. "--plugin-log trace --capture-plugin-proc".
set -euo pipefail
driver=$1 provider=$2 scenario=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
if ! "$root/tests/testbed/lab" status >/dev/null 2>&1; then
  "$root/tests/testbed/lab" up
fi
# shellcheck disable=SC1091
source "$lab_dir/env"
export PXC_LAB_DIR PXC_LAB_SSH_OPTS PXC_LAB_MYSQL_USER PXC_LAB_MYSQL_PASSWORD
# Scenario commands find the project's helper scripts (tests/e2e/writeloop.py) here.
export PXC_SOURCE_DIR=$root
export PXC_LAB_HAPROXY_HOST PXC_LAB_HAPROXY_PORT
workdir=${PXC_E2E_WORKDIR:-}
if [[ -z "$workdir" ]]; then
  workdir=$(mktemp -d /tmp/pxc-e2e-XXXXXX)
  trap 'rm -rf "$workdir"' EXIT
  rmdir "$workdir"
fi
read -r -a driver_args <<<"${PXC_E2E_DRIVER_ARGS:-}"
ip netns exec "$PXC_LAB_CLIENT_NETNS" "$driver" --provider "$provider" --scenario "$scenario" \
  --workdir "$workdir" "${driver_args[@]}"
