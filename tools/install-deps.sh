#!/usr/bin/env bash
# Installs the Debian packages thermex builds with, skipping what is already there (idempotent).
# The CUDA toolkit is not a Debian package here; the build uses it when nvcc is on PATH or in
# /usr/local/cuda. Usage: tools/install-deps.sh [--fuzz] [--ci]
set -euo pipefail
packages=(cmake ninja-build g++ ccache pkg-config git
          libeigen3-dev libhdf5-dev libgtest-dev libgmock-dev libbenchmark-dev
          libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libomp-dev
          libopenmpi-dev openmpi-bin
          python3-matplotlib python3-h5py python3-numpy python3-pytest
          python3-dev pybind11-dev python3-pandas python3-sklearn python3-setuptools
          python3-venv python3-pip python3-wheel)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --mpi) ;;  # MPI is now a default dependency; kept for old scripts
    --ci) packages+=(clang-format) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
