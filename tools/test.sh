#!/usr/bin/env bash
# Builds thermex and runs every test. Installs missing Debian packages first.
#   THERMEX_PRESET=cpu|cuda|auto (default auto: CUDA compiled when nvcc exists; GPU tests skip
#   without a device). THERMEX_ASAN=1 also builds and runs the unit tests under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
source tools/env.sh
jobs="$(nproc)"
cmake --preset "$THERMEX_PRESET" >/dev/null
cmake --build --preset "$THERMEX_PRESET" -j "$jobs"
ln -sf "build/$THERMEX_PRESET/compile_commands.json" compile_commands.json
ctest --preset "$THERMEX_PRESET" -j "$jobs"
if [ "${THERMEX_ASAN:-0}" = "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" -L unit
fi
