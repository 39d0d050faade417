#!/usr/bin/env bash
# The main job on the bundled data: the whole published workflow (Sun et al., EES Batteries 2025)
# and more, as one `thermex study` run of data/configs/paper.toml: import the bundled databases
# (the 600-row SYNTHETIC database for training, the 11 literature records for comparison),
# featurize, screen per target (Spearman + null importance), fit the RBF epsilon-SVRs by grid
# search, test metrics, SHAP, dynamics, bootstrap uncertainty, composition sweeps and validation;
# then render the figures. Installs missing Debian packages and builds thermex first. A killed run
# resumes from its stage checkpoints when started again.
#   tools/run.sh [output directory, default out/] [extra `thermex study` options, e.g. --force]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
source tools/env.sh
out="${1:-out}"
shift || true
cmake --preset "$THERMEX_PRESET" >/dev/null
cmake --build --preset "$THERMEX_PRESET" --target thermex -j "$(nproc)" >/dev/null
thermex="build/$THERMEX_PRESET/thermex"
mkdir -p "$out"

"$thermex" version
echo
"$thermex" study data/configs/paper.toml -o "$out/study.h5" "$@"
echo
tools/report "$out/study.h5" -o "$out/report"
echo
echo "Results (HDF5, readable with h5py; layout in data/RESULTS.md): $out/study.h5"
echo "Figures: $out/report/index.html (PNG and SVG next to it)"
echo "The training data is the SYNTHETIC database data/synthetic_dsc.csv (ground truth in data/SYNTH.md)."
