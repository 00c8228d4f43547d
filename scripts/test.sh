#!/usr/bin/env bash
# The README's test command: install what is missing, build with warnings as errors, run the
# whole ctest suite, then build with ASan+UBSan and run the whole suite again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

status=0
for preset in ci asan; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "== $preset: tests"
  ctest --preset "$preset" || status=1
done
exit $status
