"""Runs every figure family over one results file and writes index.html."""

import traceback

import h5py

from . import (dependence_figs, dynamics_figs, html_index, metrics_figs, selection_figs,
               shap_figs, sweep_figs, validation_figs)
from . import figure as fg
from .provenance import Provenance

# Figure families in page order; each has render(h5, report).
FAMILIES = [selection_figs, metrics_figs, shap_figs, dependence_figs, dynamics_figs, sweep_figs,
            validation_figs]


def render(results_path, outdir):
    """Renders all figures of `results_path` into `outdir`; returns (index path, Report).

    A family that fails on an unexpected layout is reported as a note on the page (with the
    error) instead of aborting the others: a report with one figure missing is more useful than
    none. Raises OSError when the file cannot be opened."""
    with h5py.File(results_path, "r") as h5:
        report = fg.Report(outdir, Provenance(h5, results_path))
        for family in FAMILIES:
            try:
                family.render(h5, report)
            except Exception as err:  # noqa: BLE001  (see docstring)
                section = getattr(family, "SECTION", family.__name__)
                report.note(section, f"{family.__name__} failed: {err!r}")
                traceback.print_exc()
                fg.plt.close("all")
        index = html_index.write(report, results_path)
    return index, report
