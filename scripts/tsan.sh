#!/usr/bin/env bash
# ThreadSanitizer run of the protocol tests: the provider, the driver and the
# protocol test binary built with -fsanitize=thread (-DPXC_SANITIZE=thread),
# then `ctest -L protocol`, which includes Terraform-like parallelism
# (Rpc.TenConcurrentWorkersPlanAndApplyThirtyCas: 10 concurrent workers
# planning and applying 30 resources through one provider process).
#
# Every process writes its reports to <build dir>/tsan-logs/tsan.<pid>; the
# run fails when a test fails or any report was written. Suppressions
# (tests/tsan.supp) only cover Debian's gRPC, Abseil, Protobuf and OpenSSL,
# which are not instrumented (and gRPC's own per-call classes from its
# headers); a report in pxc's own code is a bug to fix. Not part of
# scripts/test.sh: the build alone is ~10 CPU-minutes (docs/testing.md).
#
#   scripts/tsan.sh                      build dir build-tsan
#   PXC_TSAN_BUILD_DIR=dir scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PXC_TSAN_BUILD_DIR:-build-tsan}
jobs=${PXC_TSAN_JOBS:-$(nproc)}

start=$(date +%s)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPXC_SANITIZE=thread >/dev/null
cmake --build "$dir" -j"$jobs" --target terraform-provider-pxc pxc-tfdriver protocol_test
built=$(date +%s)
echo "tsan.sh: build took $(( built - start )) s"

logs="$PWD/$dir/tsan-logs"
rm -rf "$logs"
mkdir -p "$logs"
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp log_path=$logs/tsan second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
status=0
ctest --test-dir "$dir" --output-on-failure --timeout 1200 -L protocol || status=$?
echo "tsan.sh: tests took $(( $(date +%s) - built )) s"

reports=$(cat "$logs"/tsan.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer' || true)
if [[ "$reports" != 0 ]]; then
  echo "tsan.sh: $reports ThreadSanitizer reports:"
  cat "$logs"/tsan.*
  status=1
else
  echo "tsan.sh: no ThreadSanitizer reports"
fi
exit "$status"
