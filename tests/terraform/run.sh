#!/usr/bin/env bash
# Runs one real-CLI scenario: tests/terraform/<scenario>/test.sh, which drives
# the real `terraform` (init, plan -detailed-exitcode, apply, -replace, import,
# show -json, destroy) on the HCL configurations next to it.
#
#   run.sh <build dir> <terraform> <scenario>
#
# The provider is installed from <build dir> with `cmake --install` into a
# filesystem mirror in a temporary work directory, named by a CLI
# configuration of the test's own (TF_CLI_CONFIG_FILE); nothing is downloaded.
# Scenarios that set TF_NEEDS_LAB=1 (first line of their test.sh) run against
# the test bed (tests/testbed): it is brought up when it is not, and the whole
# scenario runs in its client namespace pxc0, the only place the nodes are
# reachable from. PXC_TF_KEEP=1 keeps the work directory.
set -uo pipefail
build=$(cd "$1" && pwd)
terraform=$2
scenario=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=$here/$scenario
[[ -r $dir/test.sh ]] || {
  echo "Bail out! no scenario $dir/test.sh"
  exit 1
}

if grep -q '^TF_NEEDS_LAB=1' "$dir/test.sh" && [[ -z ${PXC_TF_IN_LAB:-} ]]; then
  lab=$root/tests/testbed/lab
  if ! "$lab" status >/dev/null 2>&1; then
    "$lab" up || {
      echo "Bail out! the test bed did not come up"
      exit 1
    }
  fi
  lab_dir=${PXC_LAB_DIR:-/var/lib/pxc-lab}
  # shellcheck disable=SC1091
  source "$lab_dir/env"
  export PXC_LAB_DIR PXC_LAB_SSH_OPTS PXC_LAB_MYSQL_USER PXC_LAB_MYSQL_PASSWORD \
    PXC_LAB_HAPROXY_HOST PXC_LAB_HAPROXY_PORT PXC_LAB_SSH_KEY PXC_LAB_KNOWN_HOSTS
  PXC_TF_IN_LAB=1 exec ip netns exec "$PXC_LAB_CLIENT_NETNS" bash "$0" "$@"
fi

export PXC_SOURCE_DIR=$root
# shellcheck source=lib.sh
source "$here/lib.sh"
tf_setup "$build" "$terraform"
TF_SCENARIO_DIR=$dir
# shellcheck disable=SC1090
source "$dir/test.sh"
tf_finish
