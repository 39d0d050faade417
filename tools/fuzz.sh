#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`, clang + ASan + UBSan) and runs each one for
# a bounded time, seeded from tests/data and the bundled literature data.
#   tools/fuzz.sh [seconds per target, default 60]
# Corpora grow in fuzz-corpus-<target>/ (git-ignored) and are reused by the next run. A crash,
# sanitizer report or broken invariant stops the script with a non-zero exit code; the input is
# saved as fuzz-corpus-artifacts/<kind>-<hash> (reproduce: build/fuzz/tests/fuzz/<target> FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: tools/fuzz.sh [seconds per target]" >&2
  exit 2
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/thermex-ccache}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_csv fuzz_formula -j "$(nproc)"

bin=build/fuzz/tests/fuzz
artifacts=fuzz-corpus-artifacts
mkdir -p fuzz-corpus-csv fuzz-corpus-formula "$artifacts"
cp tests/data/*.csv data/literature_dsc.csv fuzz-corpus-csv/
n=0
while IFS= read -r formula; do
  n=$((n + 1))
  printf '%s' "$formula" > "fuzz-corpus-formula/seed-$n"
done < tests/data/formulas.txt

# Runs one target; a finding is recorded and the next target still runs.
failed=()
run() {
  local target="$1"; shift
  echo "== $target: ${seconds}s"
  if ! "$bin/$target" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$@" "fuzz-corpus-${target#fuzz_}"; then
    failed+=("$target")
  fi
}
run fuzz_csv -max_len=8192 -dict=tests/fuzz/dsc_csv.dict
run fuzz_formula -max_len=256
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $artifacts/)" >&2
  exit 1
fi
echo "fuzzing finished without findings"
