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
#   PXC_FUZZ_WORKERS=2 ...                 split each target's RUNS over 2
#                                          processes at once (one per core),
#                                          each on its own corpus copy; the
#                                          executions printed are their sum
#
# By default each target runs as a single process on one core (libFuzzer's
# default; the machine is shared). Logs and any crash inputs go to
# build-fuzz/fuzz-long/ (<target>.log, <target>.w<N>.log for workers 2..N;
# artifacts <target>-crash-*, -leak-*, -timeout-*, -oom-*); new corpus
# entries stay in the scratch directories, never in the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10000000}
shift || true
all_targets=(msgpack json mycnf pem handshake)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
nice_level=${PXC_FUZZ_NICE:-10}
workers=${PXC_FUZZ_WORKERS:-1}
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "PXC_FUZZ_WORKERS must be a positive integer" >&2; exit 2; }
out=build-fuzz/fuzz-long
mkdir -p "$out"

if [[ -z "${PXC_FUZZ_NO_BUILD:-}" ]]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPXC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >/dev/null
  nice -n 5 cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/%/_fuzz}"
fi

echo "fuzz-long.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD)" \
  "runs=$runs workers=$workers targets=${targets[*]}"
time_cap=()
[[ -n "${PXC_FUZZ_MAX_TIME:-}" ]] && time_cap=(-max_total_time="$PXC_FUZZ_MAX_TIME")

# A libFuzzer final statistic (-print_final_stats=1) from a log.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

failed=0
for t in "${targets[@]}"; do
  bin=build-fuzz/tests/fuzz/${t}_fuzz
  rm -f "$out/$t"-crash-* "$out/$t"-leak-* "$out/$t"-timeout-* "$out/$t"-oom-*
  start=$(date +%s)
  pids=() logs=() corpora=()
  for ((w = 1; w <= workers; w++)); do
    share=$((runs / workers))
    ((w == workers)) && share=$((runs - share * (workers - 1)))
    corpus=$(mktemp -d)
    cp tests/fuzz/corpus/"$t"/* "$corpus"/
    log=$out/$t.log
    ((w > 1)) && log=$out/$t.w$w.log
    nice -n "$nice_level" "$bin" -runs="$share" "${time_cap[@]}" -max_len=4096 -timeout=25 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$t-" "$corpus" \
      >"$log" 2>&1 &
    pids+=($!) logs+=("$log") corpora+=("$corpus")
  done
  rcs=() execs=0 rate=0
  for ((i = 0; i < workers; i++)); do
    rc=0
    wait "${pids[$i]}" || rc=$?
    rcs+=("$rc")
    [[ $rc -ne 0 ]] && failed=1
    e=$(final_stat number_of_executed_units "${logs[$i]}")
    r=$(final_stat average_exec_per_sec "${logs[$i]}")
    execs=$((execs + ${e:-0}))
    rate=$((rate + ${r:-0}))
    if ((workers > 1)); then
      printf '  %s worker %d: execs=%s exec/s=%s %s rc=%s log=%s\n' "$t" $((i + 1)) "${e:-?}" \
        "${r:-?}" "$(grep -o 'cov: [0-9]*' "${logs[$i]}" | tail -1 || true)" "$rc" "${logs[$i]}"
    fi
  done
  secs=$(($(date +%s) - start))
  rm -rf "${corpora[@]}"
  cov=$(grep -o 'cov: [0-9]*' "${logs[0]}" | tail -1 || true)
  artifacts=$(find "$out" -maxdepth 1 -type f \( -name "$t-crash-*" -o -name "$t-leak-*" \
    -o -name "$t-timeout-*" -o -name "$t-oom-*" \) | wc -l)
  printf '%-10s execs=%s time=%ss exec/s=%s %s rc=%s crashes=%s log=%s\n' \
    "$t" "$execs" "$secs" "$rate" "${cov:-cov: ?}" "${rcs[*]}" "$artifacts" "${logs[0]}"
  if [[ $artifacts -ne 0 ]]; then failed=1; fi
  if [[ $execs -lt $runs ]]; then
    echo "$t: stopped at $execs of $runs executions"
    failed=1
  fi
done
exit $failed
