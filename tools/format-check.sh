#!/usr/bin/env bash
# Fails when a tracked C++/CUDA source differs from clang-format's output (.clang-format:
# Google style, 100 columns). Fix with: tools/format-check.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'include/*.hpp' 'src/*.cpp' 'src/*.hpp' 'kernels/*.cu' \
                       'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.hpp' \
                       'python/src/*.cpp' 'python/src/*.hpp' 'src/*.cuh')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run -Werror "${files[@]}"
  echo "format-check: ${#files[@]} files clean"
fi
