#!/usr/bin/env bash
# The main job on the bundled data. At this stage: import each bundled DSC database (CSV ->
# HDF5, rejected rows reported), build its model-ready feature table, print a summary, and screen
# the synthetic database's features per target (Spearman redundancy + null importance).
# Installs missing Debian packages and builds thermex first.
#   tools/run.sh [output directory, default out/]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
source tools/env.sh
out="${1:-out}"
cmake --preset "$THERMEX_PRESET" >/dev/null
cmake --build --preset "$THERMEX_PRESET" --target thermex -j "$(nproc)" >/dev/null
thermex="build/$THERMEX_PRESET/thermex"
mkdir -p "$out"

"$thermex" version
for name in literature synthetic; do
  echo
  echo "==================== data/${name}_dsc.csv ===================="
  "$thermex" import "data/${name}_dsc.csv" -o "$out/$name.h5"
  "$thermex" features "$out/$name.h5" -o "$out/$name.features.csv"
  "$thermex" summary "$out/$name.h5"
done
echo
echo "==================== screening (synthetic database) ===================="
"$thermex" --seed 2025 select --data "$out/synthetic.features.csv" \
  --target onset_C --target peak_C --target log10_max_heat_flow -o "$out/synthetic.selection.h5"
echo
echo "Results in $out/:"
ls -1 "$out" | sed 's/^/  /'
echo "Databases (HDF5, readable with h5py): $out/literature.h5, $out/synthetic.h5"
echo "Feature tables: $out/*.features.csv with column metadata in $out/*.features.meta.csv"
echo "Screening per target: $out/synthetic.selection.h5 (/selection/<target>)"
