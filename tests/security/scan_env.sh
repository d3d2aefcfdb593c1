# Sourced by scan_scenario.sh and e2e_secrets_scan.sh (with $workdir set):
# sets up what both runs need for the scan.
#   here         this directory
#   tmp_root     the shared temporary directory ($TMPDIR or /tmp)
#   private_tmp  the run's own TMPDIR (the provider makes its temporary files
#                there), emptied: every file in it is scanned, unlike the
#                shared $tmp_root where other programs write keys of their own
#   marker       a file dated one second back (files written in the same clock
#                tick count), removed on exit: newer files under $tmp_root are
#                this run's
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp_root=${TMPDIR:-/tmp}
private_tmp="$workdir.tmp"
rm -rf "$private_tmp"
mkdir -p "$private_tmp"
marker=$(mktemp "$tmp_root/pxc-secrets-marker-XXXXXX")
trap 'rm -f "$marker"' EXIT
touch -d "@$(( $(date +%s) - 1 ))" "$marker"
