# Shared by the real-CLI tests (tests/terraform/run.sh sources it): runs the
# real `terraform` on HCL configurations kept in the tree, with the provider
# installed by `cmake --install` into a filesystem mirror in the test's own
# temporary directory, and checks what Terraform prints and stores.
#
# Prints one line per check, like pxc-tfdriver:
#   ok - <step>: <what>
#   not ok - <step>: <what>: <detail>
# and at the end "N passed, M failed" (tf_finish).
#
# Environment (set by tf_setup): TF_CLI_CONFIG_FILE (our own CLI
# configuration in the work directory; the user's ~/.terraformrc is never
# read), TF_IN_AUTOMATION=1, TF_INPUT=0, CHECKPOINT_DISABLE=1 (no upgrade
# check over the network), no plugin cache. The CLI configuration installs
# pxc/pxc from the mirror only and nothing from anywhere else (`direct`
# excludes it; a configuration needing another provider fails at init).

tf_passed=0
tf_failed=0
tf_step_name=""
tf_log_n=0

ok() {
  tf_passed=$((tf_passed + 1))
  echo "ok - ${tf_step_name}: $1"
}

not_ok() {
  tf_failed=$((tf_failed + 1))
  echo "not ok - ${tf_step_name}: $1${2:+: $2}"
}

step() {
  tf_step_name=$1
  echo "# --- $1"
}

# Prints a file indented, for the test log.
show_file() {
  sed 's/^/    | /' "$1"
}

# check <what> <command...>: ok when the command exits 0.
check() {
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    ok "$what"
  else
    not_ok "$what" "$(printf '%s' "$out" | tail -5 | tr '\n' ' ')"
  fi
}

# squeeze <text>: runs of blanks as one space. Terraform aligns the "=" of
# an object's attributes to its longest name, so a new attribute changes the
# spacing of every line: needles and text are compared squeezed.
squeeze() {
  printf '%s' "$1" | tr -s ' \t' ' '
}

# expect_in <what> <text> <needle>...: every needle is a substring of text
# (blank runs squeezed on both sides).
expect_in() {
  local what=$1 text n missing=()
  text=$(squeeze "$2")
  shift 2
  for n in "$@"; do
    [[ $text == *"$(squeeze "$n")"* ]] || missing+=("$n")
  done
  if ((${#missing[@]} == 0)); then
    ok "$what"
  else
    not_ok "$what" "missing $(printf '[%s] ' "${missing[@]}")in: $(printf '%s' "$text" | tail -c 600 | tr '\n' ' ')"
  fi
}

# expect_not_in <what> <text> <needle>...: no needle occurs in text (blank
# runs squeezed on both sides).
expect_not_in() {
  local what=$1 text n found=()
  text=$(squeeze "$2")
  shift 2
  for n in "$@"; do
    [[ $text == *"$(squeeze "$n")"* ]] && found+=("$n")
  done
  if ((${#found[@]} == 0)); then
    ok "$what"
  else
    not_ok "$what" "unexpected $(printf '[%s] ' "${found[@]}")in: $(printf '%s' "$text" | tail -c 600 | tr '\n' ' ')"
  fi
}

# expect_eq <what> <got> <want>
expect_eq() {
  if [[ "$2" == "$3" ]]; then
    ok "$1"
  else
    not_ok "$1" "got [$2], want [$3]"
  fi
}

# Sets up the work directory $TF_WORK: the mirror (cmake --install of the
# build directory), the CLI configuration naming it, and the configuration
# directory $TF_CFG (empty; the scenario copies its .tf files in).
#   tf_setup <build dir> <terraform binary>
tf_setup() {
  local build=$1
  TERRAFORM=$2
  TF_WORK=$(mktemp -d /tmp/pxc-tf-XXXXXX)
  if [[ -z ${PXC_TF_KEEP:-} ]]; then
    trap 'rm -rf "$TF_WORK"' EXIT
  else
    echo "# work directory kept: $TF_WORK"
  fi
  TF_CFG=$TF_WORK/cfg
  TF_LOGS=$TF_WORK/logs
  mkdir -p "$TF_CFG" "$TF_LOGS"
  cmake --install "$build" --prefix "$TF_WORK/mirror" >"$TF_LOGS/install.log" 2>&1 || {
    cat "$TF_LOGS/install.log"
    echo "Bail out! cmake --install $build failed"
    exit 1
  }
  TF_PROVIDER_BINARY=$(find "$TF_WORK/mirror" -type f -name 'terraform-provider-pxc_v*' | head -1)
  TF_PROVIDER_ADDR=$(cd "$TF_WORK/mirror" && dirname "$(dirname "$(dirname "${TF_PROVIDER_BINARY#"$TF_WORK/mirror/"}")")")
  cat >"$TF_WORK/cli.tfrc" <<EOF
# Written by tests/terraform/lib.sh: providers come from this test's mirror.
provider_installation {
  filesystem_mirror {
    path    = "$TF_WORK/mirror"
    include = ["$TF_PROVIDER_ADDR"]
  }
  direct {
    exclude = ["$TF_PROVIDER_ADDR"]
  }
}
EOF
  export TF_CLI_CONFIG_FILE=$TF_WORK/cli.tfrc
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_LOG TF_LOG_PATH TF_CLI_ARGS TF_WORKSPACE
  local v
  v=$("$TERRAFORM" version 2>/dev/null | head -1)
  echo "# $v at $TERRAFORM; provider $TF_PROVIDER_ADDR from $TF_WORK/mirror"
}

# Runs terraform in the configuration directory; output in $TF_OUT (stdout
# and stderr), exit status in $TF_RC, the whole output also in a numbered
# log file.
tf() {
  tf_log_n=$((tf_log_n + 1))
  local log
  log=$TF_LOGS/$(printf '%02d' "$tf_log_n")-$1.log
  TF_RC=0
  (cd "$TF_CFG" && "$TERRAFORM" "$@") >"$log" 2>&1 || TF_RC=$?
  TF_OUT=$(cat "$log")
  TF_LAST_LOG=$log
}

# The lines of Terraform's output a reader of the test log wants: actions,
# progress, diagnostics and summaries (the full output is printed when a
# check fails).
tf_summary() {
  grep -E '^(  # |[a-z_]+\.[^ ]*: |data\.|Apply complete|Destroy complete|Plan:|No changes|Error:|Warning:|Terraform will perform|  on |  with |Outputs:|[a-z_]+ = )' "$TF_LAST_LOG" |
    grep -v 'Still \(creating\|modifying\|destroying\|reading\)' | sed 's/^/    | /' || true
}

tf_dump() {
  echo "    terraform output ($TF_LAST_LOG):"
  show_file "$TF_LAST_LOG"
}

tf_init() {
  tf init -no-color -input=false
  if [[ $TF_RC == 0 ]]; then
    ok "terraform init installs $TF_PROVIDER_ADDR from the mirror"
  else
    not_ok "terraform init" "exit $TF_RC"
    tf_dump
    tf_bail
  fi
}

# Stops the scenario after a failure that makes the next steps meaningless;
# the scenario's cleanup (tf_on_bail, if defined) runs first.
tf_bail() {
  if declare -F tf_on_bail >/dev/null; then tf_on_bail || true; fi
  tf_finish
}

# tf_apply <what> [terraform apply arguments...]: must succeed.
tf_apply() {
  local what=$1
  shift
  tf apply -auto-approve -no-color -input=false "$@"
  tf_summary
  if [[ $TF_RC == 0 ]] && grep -q '^Apply complete!' "$TF_LAST_LOG"; then
    ok "terraform apply${*:+ $*}: $what ($(grep '^Apply complete!' "$TF_LAST_LOG"))"
  else
    # To stderr: callers often send the ok line to /dev/null, and a failure
    # must still show its output and the summary.
    {
      not_ok "terraform apply${*:+ $*}: $what" "exit $TF_RC"
      tf_dump
      tf_bail
    } >&2
  fi
}

# tf_plan_empty [terraform plan arguments...]: `terraform plan
# -detailed-exitcode` exits 0 ("No changes.").
tf_plan_empty() {
  tf plan -detailed-exitcode -no-color -input=false "$@"
  if [[ $TF_RC == 0 ]] && grep -q '^No changes\.' "$TF_LAST_LOG"; then
    ok "terraform plan -detailed-exitcode${*:+ $*}: exit 0, No changes."
  else
    not_ok "terraform plan -detailed-exitcode${*:+ $*}: exit 0, No changes." "exit $TF_RC"
    tf_dump
  fi
}

# tf_plan_changes <what> <needle>...: `terraform plan -detailed-exitcode`
# exits 2 (changes) and its output has every needle (e.g. '#
# pxc_ssl_user.ssluser will be updated in-place').
tf_plan_changes() {
  local what=$1
  shift
  tf plan -detailed-exitcode -no-color -input=false
  tf_summary
  if [[ $TF_RC == 2 ]]; then
    expect_in "terraform plan -detailed-exitcode: exit 2, $what" "$TF_OUT" "$@"
  else
    not_ok "terraform plan -detailed-exitcode: exit 2, $what" "exit $TF_RC"
    tf_dump
  fi
}

# The line number of the first line of <file> (in the configuration
# directory) that sets <attribute> ("  host = ...").
tf_attr_line() {
  grep -n -E "^[[:space:]]*$2[[:space:]]*=" "$TF_CFG/$1" | head -1 | cut -d: -f1
}

# tf_expect_error <command> <summary> <file> <attribute> [<detail needle>]:
# `terraform <command>` (apply, plan or validate) fails (exit 1) with
# Terraform's own rendering of the provider's diagnostic: "Error: <summary>",
# "on <file> line <n>" where line n of <file> sets <attribute>, the source
# line quoted, and the detail.
tf_expect_error() {
  local cmd=$1 summary=$2 file=$3 attr=$4 detail=${5:-}
  local line
  line=$(tf_attr_line "$file" "$attr")
  case $cmd in
    apply) tf apply -auto-approve -no-color -input=false ;;
    validate) tf validate -no-color ;;
    *) tf plan -no-color -input=false ;;
  esac
  tf_summary
  if [[ $TF_RC != 1 ]]; then
    not_ok "terraform $cmd refused: Error: $summary" "exit $TF_RC"
    tf_dump
    return
  fi
  local needles=("Error: $summary" "on $file line $line" "$(printf '%4s' "$line"):   $attr")
  expect_in "terraform $cmd refused: Error: $summary, on $file line $line ($attr)" "$TF_OUT" "${needles[@]}"
  [[ -z $detail ]] || expect_in "the diagnostic's detail says: $detail" "$(tf_flat)" "$detail"
  # Terraform's diagnostic source snippet: the quoted line is that line.
  if [[ -z $line ]]; then
    not_ok "the configuration sets $attr in $file" "no such line"
  fi
}

# tf_expect_warning <summary> <file> <attribute> [<detail needle>]: the last
# command's output has Terraform's rendering of a provider warning at that
# attribute (as tf_expect_error, without the exit status).
tf_expect_warning() {
  local summary=$1 file=$2 attr=$3 detail=${4:-} line
  line=$(tf_attr_line "$file" "$attr")
  local needles=("Warning: $summary" "on $file line $line" "$(printf '%4s' "$line"):   $attr")
  expect_in "Warning: $summary, on $file line $line ($attr)" "$TF_OUT" "${needles[@]}"
  [[ -z $detail ]] || expect_in "the warning's detail says: $detail" "$(tf_flat)" "$detail"
}

# The last command's output with Terraform's line wrapping undone (every run
# of blanks and line breaks made one space), for needles from a diagnostic's
# detail, which Terraform wraps at 78 columns.
tf_flat() {
  tr '\n' ' ' <<<"$TF_OUT" | tr -s ' '
}

# tf_state_json: the state as `terraform show -json` prints it, into
# $TF_WORK/state.json.
tf_state_json() {
  tf show -json -no-color
  [[ $TF_RC == 0 ]] || { not_ok "terraform show -json" "exit $TF_RC"; tf_dump; }
  cp "$TF_LAST_LOG" "$TF_WORK/state.json"
}

# tf_plan_saved [terraform plan arguments...]: `terraform plan -out=tfplan`
# (kept as $TF_WORK/tfplan for `tf_apply <what> "$TF_WORK/tfplan"`), exit
# status in $TF_RC, output in $TF_OUT and its `terraform show -json` rendering
# in $TF_WORK/plan.json.
tf_plan_saved() {
  tf plan -out="$TF_WORK/tfplan" -detailed-exitcode -no-color -input=false "$@"
  local rc=$TF_RC out=$TF_OUT log=$TF_LAST_LOG
  tf_summary
  tf show -json -no-color "$TF_WORK/tfplan"
  [[ $TF_RC == 0 ]] || { not_ok "terraform show -json tfplan" "exit $TF_RC"; tf_dump; }
  cp "$TF_LAST_LOG" "$TF_WORK/plan.json"
  TF_RC=$rc TF_OUT=$out TF_LAST_LOG=$log
}

# tf_json_attr <show -json file> <address> <attribute> [<key>...]: a value
# of a resource (or data source, "data.<type>.<name>") as `terraform show
# -json` prints it: of the state (values) or of a saved plan (planned_values;
# values unknown until apply are missing). Each further argument is a map key
# or list index. Prints text (JSON for lists/objects); exit 1 when absent.
tf_json_attr() {
  python3 - "$@" <<'PY'
import json, sys
doc, addr, path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3:]
def modules(m):
    yield m
    for c in m.get("child_modules", []):
        yield from modules(c)
root = (doc.get("planned_values") or doc.get("values") or {}).get("root_module", {})
for m in modules(root):
    for r in m.get("resources", []):
        if r["address"] == addr:
            v = r["values"]
            for p in path:
                if isinstance(v, list):
                    v = v[int(p)]
                elif isinstance(v, dict) and p in v:
                    v = v[p]
                else:
                    sys.exit("no %s in %s" % (p, addr))
            print(v if isinstance(v, str) else json.dumps(v), end="")
            sys.exit(0)
sys.exit("no " + addr + " in " + sys.argv[1])
PY
}

# tf_state_attr <address> <attribute path, dot-separated>: a value of the
# last tf_state_json, as text (JSON for lists/objects). Data sources too
# ("data.pxc_cluster_status.x").
tf_state_attr() {
  local IFS=.
  # shellcheck disable=SC2086
  tf_json_attr "$TF_WORK/state.json" "$1" $2
}

# tf_state_to_file <address> <attribute> <file>: writes a state value (a PEM,
# a name) to a file in the work directory, mode 0600.
tf_state_to_file() {
  (umask 077 && tf_state_attr "$1" "$2" >"$TF_WORK/$3")
}

# tf_expect_state <address> <attribute> <want>
tf_expect_state() {
  local got
  got=$(tf_state_attr "$1" "$2" 2>&1)
  expect_eq "terraform show -json: $1.$2 = $3" "$got" "$3"
}

# tf_expect_map <state|plan> <address> <attribute> <key> <want>: one entry of
# a map attribute (e.g. pxc_node_tls_config's `config`) in the last
# tf_state_json or tf_plan_saved.
tf_expect_map() {
  local file=$TF_WORK/state.json what="terraform show -json"
  if [[ $1 == plan ]]; then
    file=$TF_WORK/plan.json what="terraform show -json tfplan (planned)"
  fi
  local got
  got=$(tf_json_attr "$file" "$2" "$3" "$4" 2>&1)
  expect_eq "$what: $2.$3[\"$4\"] = $5" "$got" "$5"
}

# Process evidence for the secrets scan. While a step runs terraform,
# tests/security/proc_sampler.py keeps the cmdline and environ of every
# process of the machine: terraform, the plugin, and the commands the
# provider runs on the test bed's nodes over SSH (network namespaces sharing
# this machine's /proc). secrets_scan.py searches them with the shell's own
# environment as the baseline (--inherited-environ: the TF_VAR_* passwords the
# test exports, which Terraform hands on to the plugin unchanged, are not
# reported; anything added or changed, and every command line, is searched).
#
# proc_sample_start <name>: samples into $TF_WORK/proc/<name> (0700), the
# baseline (`env -0` of this shell) in $TF_WORK/proc/<name>.env0; appends
# both to PROC_SCAN_ARGS, the arguments to hand to secrets_scan.py.
PROC_SCAN_ARGS=()
proc_sample_start() {
  PROC_SAMPLE_DIR=$TF_WORK/proc/$1
  (umask 077 && mkdir -p "$TF_WORK/proc" && env -0 >"$PROC_SAMPLE_DIR.env0")
  if python3 "$PXC_SOURCE_DIR/tests/security/proc_sampler.py" start "$PROC_SAMPLE_DIR" --watch-pid $$; then
    PROC_SCAN_ARGS+=(--inherited-environ "$PROC_SAMPLE_DIR.env0" "$PROC_SAMPLE_DIR")
  else
    not_ok "proc_sampler.py start $PROC_SAMPLE_DIR"
  fi
}

# proc_sample_stop: stops the sampler; prints its cycle time and the comms
# it saw most (the whole summary is $PROC_SAMPLE_DIR/summary.txt).
proc_sample_stop() {
  local out
  if out=$(python3 "$PXC_SOURCE_DIR/tests/security/proc_sampler.py" stop "$PROC_SAMPLE_DIR" 2>&1); then
    echo "    process sample $(basename "$PROC_SAMPLE_DIR"):"
    head -20 <<<"$out" | tr '\t' ' ' | sed 's/^/    | /'
  else
    not_ok "proc_sampler.py stop $PROC_SAMPLE_DIR" "$out"
  fi
}

# proc_sample_expect <what> <comm> [<needle>]: the last sample saw a process
# named <comm> (/proc/<pid>/comm: 15 characters at most, e.g.
# terraform-provi for the plugin), and, with a needle, one such process's
# command line (arguments joined by spaces) holds it.
proc_sample_expect() {
  local what=$1 comm=$2 needle=${3:-} n f found=
  n=$(awk -F'\t' -v c="$comm" '!/^#/ && $2 == c { print $1 }' "$PROC_SAMPLE_DIR/summary.txt" 2>/dev/null)
  if [[ -z $n ]]; then
    not_ok "process sample: $what" "no process named $comm in $PROC_SAMPLE_DIR/summary.txt"
    return
  fi
  if [[ -n $needle ]]; then
    for f in "$PROC_SAMPLE_DIR"/*-"$comm".cmdline "$PROC_SAMPLE_DIR"/*-"$comm"~*.cmdline; do
      [[ -f $f && $(tr '\0' ' ' <"$f") == *"$needle"* ]] && found=$f && break
    done
    if [[ -z $found ]]; then
      not_ok "process sample: $what" "no $comm command line with [$needle] among $n $comm processes"
      return
    fi
  fi
  ok "process sample: $what ($n processes named $comm${found:+; $(basename "$found")})"
}

# proc_sample_self_check <secret file> <secrets_scan.py arguments...>: the
# scan of process evidence can fail. A sample of its own, during which
# `sleep 1` runs with the secret in its environment (PXC_SCAN_PLANTED), is
# searched with the same arguments: exit 1, hits in that process's environ
# and nowhere else.
proc_sample_self_check() {
  local secret_file=$1 saved=("${PROC_SCAN_ARGS[@]}") dir out rc
  shift
  PROC_SCAN_ARGS=()
  proc_sample_start self-check
  dir=$PROC_SAMPLE_DIR
  PXC_SCAN_PLANTED=$(cat "$secret_file") sleep 1
  proc_sample_stop
  out=$(python3 "$PXC_SOURCE_DIR/tests/security/secrets_scan.py" "$@" "${PROC_SCAN_ARGS[@]}" 2>&1)
  rc=$?
  PROC_SCAN_ARGS=("${saved[@]}")
  local hits others
  hits=$(grep -c "^HIT $dir/[0-9]*-sleep\(~[0-9]*\)\?\.environ:" <<<"$out")
  others=$(grep '^HIT' <<<"$out" | grep -v "^HIT $dir/[0-9]*-sleep\(~[0-9]*\)\?\.environ:")
  if [[ $rc == 1 && $hits -gt 0 && -z $others ]]; then
    ok "self-check: the scan finds $(basename "$secret_file") in the environment of a process run during sampling, nowhere else (exit 1, $hits hits)"
  else
    not_ok "self-check: the scan finds $(basename "$secret_file") in the environment of a process run during sampling" \
      "exit $rc: $(tail -5 <<<"$out" | tr '\n' ' ')"
  fi
}

tf_finish() {
  echo "$tf_passed passed, $tf_failed failed"
  if ((tf_failed > 0 || tf_passed == 0)); then
    exit 1
  fi
  exit 0
}
