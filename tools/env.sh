# Sourced by the tools/ scripts: puts a CUDA toolkit in /usr/local/cuda on PATH when nvcc is not
# already there, and picks the CMake preset (`auto`: the CUDA backend is compiled when nvcc exists).
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi
export THERMEX_PRESET="${THERMEX_PRESET:-auto}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/thermex-ccache}"
