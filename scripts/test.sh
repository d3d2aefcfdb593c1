#!/usr/bin/env bash
# The project's single test command (README, .ci/run): installs what it
# needs, builds, and runs every test: unit, protocol (the real binary through
# the real plugin protocol), end to end (the real Galera test bed) and, when a
# terraform binary is found, the real-CLI tests (the real terraform on the HCL
# in tests/terraform, mostly against the test bed). Then a
# sanitizer build (ASan + UBSan) runs the unit and protocol tests again.
#
#   scripts/test.sh            everything
#   PXC_SKIP_SANITIZE=1 ...    skip the sanitizer build
#   PXC_SKIP_FUZZ=1 ...        skip the short fuzz runs
#   PXC_SKIP_BENCH=1 ...       skip the short benchmark run (bench/run --short)
#   PXC_TEST_LABELS=unit ...   only tests with that CTest label (regex; unit, protocol,
#                              integration, e2e, terraform)
#   PXC_BUILD_TYPE=RelWithDebInfo ...  build type of build/ (default Release:
#                              the tests run against the static release
#                              binary that `cmake --install` hands to users)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
bash scripts/install-deps.sh all

start=$(date +%s)
cmake -S . -B build -DCMAKE_BUILD_TYPE="${PXC_BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j"$jobs"
echo "test.sh: build took $(( $(date +%s) - start )) s"
# The real-CLI tests (label terraform, tests/terraform) are registered only
# when CMake found a terraform binary.
terraform=$(sed -n 's/^TERRAFORM:FILEPATH=//p' build/CMakeCache.txt)
if [[ -n $terraform && $terraform != *NOTFOUND ]]; then
  echo "test.sh: real-CLI tests (label terraform) use $terraform ($("$terraform" version 2>/dev/null | head -1))"
else
  echo "test.sh: no terraform found: the real-CLI tests (label terraform) are off"
fi

label_args=()
if [[ -n "${PXC_TEST_LABELS:-}" ]]; then
  label_args=(-L "$PXC_TEST_LABELS")
fi
ctest --test-dir build --output-on-failure --timeout 1200 "${label_args[@]}"

if [[ -z "${PXC_SKIP_BENCH:-}" ]]; then
  # Benchmarks are not tests (bench/README.md): one short run without the lab
  # (P1, P3, P4; seconds) proves bench/run works. Missed targets do not fail it.
  python3 bench/run --short --rows P1,P3,P4 --build-dir build --no-build --json build/bench-short.json
fi

if [[ -z "${PXC_SKIP_FUZZ:-}" ]]; then
  # Short libFuzzer runs (clang + libFuzzer): value decoders, my.cnf, X.509
  # inputs, handshake environment; long runs: scripts/fuzz-long.sh.
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPXC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build-fuzz -j"$jobs" --target msgpack_fuzz json_fuzz mycnf_fuzz pem_fuzz handshake_fuzz
  ctest --test-dir build-fuzz --output-on-failure -L fuzz
fi

if [[ -z "${PXC_SKIP_SANITIZE:-}" ]]; then
  start=$(date +%s)
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPXC_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "test.sh: sanitizer build took $(( $(date +%s) - start )) s"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --timeout 1200 -L 'unit|protocol'
fi
