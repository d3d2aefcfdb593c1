#!/usr/bin/env bash
# Secrets scan of one protocol scenario (no test bed): runs the scenario with
# trace logs and the plugin evidence kept (pxc-tfdriver --capture-plugin-proc),
# scans the work directory, the plugin's stderr, /proc snapshots and every
# file under /tmp modified during the run (secrets_scan.py), then proves the
# scanner on this run's evidence (secrets_scan_selftest.py).
#   scan_scenario.sh <pxc-tfdriver> <terraform-provider-pxc> <scenario.json> <workdir> \
#                    [secrets_scan.py options, e.g. --allow 'own-*.key']
set -euo pipefail
driver=$1 provider=$2 scenario=$3 workdir=$4
shift 4
# shellcheck source=scan_env.sh
source "$(dirname "$0")/scan_env.sh"

export TF_LOG=trace
TMPDIR="$private_tmp" "$driver" --provider "$provider" --scenario "$scenario" --workdir "$workdir" \
  --plugin-log trace --capture-plugin-proc

python3 "$here/secrets_scan.py" --workdir "$workdir" --scenario "$scenario" \
  --private-tmp "$private_tmp" --tmp "$tmp_root" --newer "$marker" \
  --skip-dir "$(cd "$here/../.." && pwd)" "$@"
python3 "$here/secrets_scan_selftest.py" --workdir "$workdir" \
  --password "pxc-selftest-$(date +%s%N)"
