#!/usr/bin/env bash
# Creates the peer-comparison virtual environment .venv-peers at the repository root (git-ignored)
# and installs the reference implementations thermex is compared against: numpy and scikit-learn
# (RBF kernel, SVR), shap (TreeSHAP/KernelSHAP) and lightgbm. Idempotent: an existing venv is
# reused, and pip skips packages already installed. Usage: tools/peers/install.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=".venv-peers"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# Upgrading only on a missing package keeps re-runs fast and offline-tolerant.
if ! "$venv/bin/python" -c 'import numpy, sklearn, shap, lightgbm' >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install --quiet numpy scikit-learn shap lightgbm
fi
"$venv/bin/python" - <<'PY'
import lightgbm, numpy, shap, sklearn
print(f"peers: numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, "
      f"shap {shap.__version__}, lightgbm {lightgbm.__version__}")
PY
