#!/usr/bin/env bash
# Secrets scan of the tutorial end to end (test bed): runs the tutorial
# scenario through tests/e2e/run_scenario.sh with trace logs and the plugin
# evidence kept, scans it all (secrets_scan.py) for the state's keys and
# passwords and for the provider configuration's SSH key and MySQL admin
# password, then proves the scanner on this run's evidence.
#   e2e_secrets_scan.sh <pxc-tfdriver> <terraform-provider-pxc> <scenario.json> <workdir>
set -euo pipefail
driver=$1 provider=$2 scenario=$3 workdir=$4
# shellcheck source=scan_env.sh
source "$(dirname "$0")/scan_env.sh"

# The lab comes up (if it is not) with the machine's TMPDIR: its servers
# cannot use the private one; run_scenario.sh then finds it up.
if ! "$here/../testbed/lab" status >/dev/null 2>&1; then
  "$here/../testbed/lab" up
fi
TMPDIR="$private_tmp" TF_LOG=trace PXC_E2E_WORKDIR="$workdir" \
  PXC_E2E_DRIVER_ARGS="--plugin-log trace --capture-plugin-proc" \
  bash "$here/../e2e/run_scenario.sh" "$driver" "$provider" "$scenario"

# Written on purpose by the scenario's own commands (besides its "files"):
# the lab's SSH key and the admin password it copies for the provider
# configuration (--secret-file: searched for everywhere else), the admin
# client's option file, and the foreign CA and client key made with openssl
# to check that the cluster refuses them.
python3 "$here/secrets_scan.py" --workdir "$workdir" --scenario "$scenario" \
  --secret-file id_ed25519 --secret-file admin-password \
  --allow admin.cnf --allow other-key.pem --allow stranger-key.pem \
  --private-tmp "$private_tmp" --tmp "$tmp_root" --newer "$marker" \
  --skip-dir "$(cd "$here/../.." && pwd)"
python3 "$here/secrets_scan_selftest.py" --workdir "$workdir"
