#!/usr/bin/env bash
# ctest Mpi.Study: the tiny study (tests/data/study_tiny.toml) run by 2 MPI ranks gives the same
# datasets as a single process (issue 6: "results are identical to a single-process run with the
# same seed"). Usage: study_mpi_check.sh THERMEX MPIRUN SOURCE_DIR WORK_DIR
set -euo pipefail
thermex="$1"; mpirun="$2"; src="$3"; work="$4"
rm -rf "$work"; mkdir -p "$work"
cp "$src/tests/data/study_tiny.toml" "$work/"
# The same 120 synthetic rows (seed 0) the C++ study tests use.
"$thermex" --seed 0 -q synth --rows 120 -o "$work/synth.csv"
"$thermex" -q --threads 1 study "$work/study_tiny.toml" -o "$work/single.h5"
"$mpirun" -np 2 --oversubscribe --allow-run-as-root \
  "$thermex" -q --threads 1 study "$work/study_tiny.toml" -o "$work/mpi.h5"
# Debian's python3 carries python3-h5py (tools/install-deps.sh); a pyenv python3 on PATH may not.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" "$src/tests/mpi/compare_results.py" "$work/single.h5" "$work/mpi.h5"
