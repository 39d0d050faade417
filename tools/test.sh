#!/usr/bin/env bash
# Builds thermex and runs every test. Installs missing Debian packages first.
#   THERMEX_PRESET=cpu|cuda|auto (default auto: CUDA compiled when nvcc exists; GPU tests skip
#   without a device). THERMEX_ASAN=1 also builds and runs the unit tests under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
source tools/env.sh
jobs="$(nproc)"
# ctest runs test processes in parallel, each with its own OpenMP team: spinning idle threads
# would steal the cores the other tests need (libgomp spins by default).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
cmake --preset "$THERMEX_PRESET" >/dev/null
cmake --build --preset "$THERMEX_PRESET" -j "$jobs"
ln -sf "build/$THERMEX_PRESET/compile_commands.json" compile_commands.json
ctest --preset "$THERMEX_PRESET" -j "$jobs"
if [ "${THERMEX_ASAN:-0}" = "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" -L unit
fi
