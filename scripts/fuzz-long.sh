#!/usr/bin/env bash
# Long libFuzzer runs (docs/fuzzing.md): builds the fuzz targets in build-fuzz
# (clang, ASan + UBSan + libFuzzer) and runs each one, one after the other,
# for RUNS executions on a scratch copy of its seed corpus. Prints, per
# target, the executions, wall time, executions per second and crashes, and
# exits non-zero if any target found a crash, leak or timeout.
#
#   scripts/fuzz-long.sh                   10,000,000 runs of every target
#   scripts/fuzz-long.sh 1000000 pem       1,000,000 runs of pem_fuzz only
#   PXC_FUZZ_NO_BUILD=1 ...                use the existing build-fuzz
#   PXC_FUZZ_NICE=10 ...                   niceness of the fuzzer (default 10)
#   PXC_FUZZ_MAX_TIME=900 ...              also stop each target after 900 s
#                                          (on a busy machine; the figures
#                                          printed are what was reached)
#
# Each target runs as a single process on one core (libFuzzer's default; the
# machine is shared). Logs and any crash inputs go to build-fuzz/fuzz-long/;
# new corpus entries stay in the scratch directory, never in the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10000000}
shift || true
all_targets=(msgpack json mycnf pem handshake)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
nice_level=${PXC_FUZZ_NICE:-10}
out=build-fuzz/fuzz-long
mkdir -p "$out"

if [[ -z "${PXC_FUZZ_NO_BUILD:-}" ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPXC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >/dev/null
  nice -n 5 cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/%/_fuzz}"
fi

echo "fuzz-long.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD)" \
  "runs=$runs targets=${targets[*]}"
failed=0
for t in "${targets[@]}"; do
  bin=build-fuzz/tests/fuzz/${t}_fuzz
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  log=$out/$t.log
  rm -f "$out/$t"-crash-* "$out/$t"-leak-* "$out/$t"-timeout-* "$out/$t"-oom-*
  start=$(date +%s)
  rc=0
  time_cap=()
  [[ -n "${PXC_FUZZ_MAX_TIME:-}" ]] && time_cap=(-max_total_time="$PXC_FUZZ_MAX_TIME")
  nice -n "$nice_level" "$bin" -runs="$runs" "${time_cap[@]}" -max_len=4096 -timeout=25 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$t-" "$corpus" \
    >"$log" 2>&1 || rc=$?
  secs=$(( $(date +%s) - start ))
  rm -rf "$corpus"
  # libFuzzer's final statistics (-print_final_stats=1).
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  artifacts=$(find "$out" -maxdepth 1 -name "$t-*" -type f | wc -l)
  printf '%-10s execs=%s time=%ss exec/s=%s %s rc=%s crashes=%s log=%s\n' \
    "$t" "${execs:-?}" "$secs" "${rate:-?}" "${cov:-cov: ?}" "$rc" "$artifacts" "$log"
  if [[ $rc -ne 0 || $artifacts -ne 0 ]]; then failed=1; fi
  if [[ "${execs:-0}" -lt $runs ]]; then
    echo "$t: stopped at ${execs:-0} of $runs executions"
    failed=1
  fi
done
exit $failed
