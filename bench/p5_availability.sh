#!/usr/bin/env bash
# P5 availability: failed writes through HAProxy during TLS enablement,
# `full` (the tutorial's way) vs `rolling`. See bench/README.md (P5 hook) for
# the contract with bench/run; the work is in p5_availability.py.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/p5_availability.py" "$@"
