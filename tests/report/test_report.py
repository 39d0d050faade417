"""tools/report renders every expected figure (PNG + SVG, expected pixel size) and an index.html
that references each: from the fixture of make_fixture.py; from a tiny study run with the
thermex binary named by THERMEX_CLI (ctest sets it); and, when THERMEX_STUDY_RESULTS names a
results file (e.g. of data/configs/paper.toml), from that file too.

Run: python3 -m pytest -q tests/report (ctest: Report.Figures)."""

import os
import re
import shutil
import struct
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REPORT = os.path.join(ROOT, "tools", "report")
sys.path.insert(0, HERE)
import make_fixture  # noqa: E402

DPI = 120
# Expected canvas per family in pixels, written out here (not imported from report_lib) so a
# change of the figure sizes or of the saving (bbox_inches="tight" crops) fails the test.
PIXELS = {"spearman": (1320, 1200), "null": (1680, 1200), "parity": (780, 720),
          "ternary": (1440, 660), "ternary4": (1680, 1080), "beeswarm": (1080, 840),
          "dependence": (1320, 1020), "dynamics": (1320, 780), "validation": (1440, 540)}


def png_size(path):
    """(width, height) from the PNG header (IHDR is the first chunk)."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    assert head[12:16] == b"IHDR", f"{path}: no IHDR chunk first"
    return struct.unpack(">II", head[16:24])


def names(h5, path):
    """Subgroups of `path` (empty when absent)."""
    return [k for k in h5[path].keys() if isinstance(h5[path][k], h5py.Group)] \
        if path in h5 else []


def expected_figures(results):
    """{figure name: family} that the report must draw for `results`, derived from the data
    present in the file (so the same check serves the fixture and a real study; a stage that
    wrote only a placeholder group, e.g. screening disabled or one target, expects nothing)."""
    out = {}
    with h5py.File(results, "r") as h5:
        for t in names(h5, "/selection"):
            if f"/selection/{t}/spearman/rho" in h5:
                out[f"spearman_{t}"] = "spearman"
            if f"/selection/{t}/null/null" in h5:
                out[f"null_{t}"] = "null"
        for t in names(h5, "/metrics"):
            if f"/metrics/{t}/parity/observed" in h5 or f"/metrics/{t}/observed" in h5:
                out[f"parity_{t}"] = "parity"
        for t in names(h5, "/shap"):
            if f"/shap/{t}/values" in h5:
                out[f"beeswarm_{t}"] = "beeswarm"
                out[f"dependence_{t}"] = "dependence"
        if "/dynamics/normalized" in h5:
            out["dynamics"] = "dynamics"
        for s in names(h5, "/sweeps"):
            if f"/sweeps/{s}/fractions" not in h5:
                continue
            k = h5[f"/sweeps/{s}/fractions"].shape[1]
            for t in names(h5, f"/sweeps/{s}"):
                if f"/sweeps/{s}/{t}/prediction" in h5 and k in (3, 4):
                    out[f"sweep_{s}_{t}"] = "ternary" if k == 3 else "ternary4"
        for s in names(h5, "/validation"):
            if f"/validation/{s}/x" in h5:
                out[f"validation_{s}"] = "validation"
    return out


def render(results, outdir):
    """Runs tools/report with this interpreter; returns its stdout."""
    proc = subprocess.run([sys.executable, REPORT, results, "-o", outdir],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"tools/report failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, f"a figure family raised:\n{proc.stderr}"
    return proc.stdout


def check_report(results, outdir):
    """Every expected figure exists as PNG and SVG of the expected size and is referenced by
    index.html; returns the page text."""
    render(results, outdir)
    expected = expected_figures(results)
    assert expected, f"{results}: no figure expected at all"
    page = open(os.path.join(outdir, "index.html"), encoding="utf-8").read()
    for name, family in expected.items():
        png, svg = (os.path.join(outdir, f"{name}.{ext}") for ext in ("png", "svg"))
        assert os.path.getsize(png) > 5000, f"{name}.png missing or nearly empty"
        assert os.path.getsize(svg) > 5000, f"{name}.svg missing or nearly empty"
        assert png_size(png) == PIXELS[family], f"{name}.png: size {png_size(png)}"
        head = open(svg, encoding="utf-8").read(2000)
        w_pt = re.search(r'width="([0-9.]+)pt"', head)
        assert w_pt and abs(float(w_pt.group(1)) - PIXELS[family][0] / DPI * 72) < 0.5, \
            f"{name}.svg: width {w_pt and w_pt.group(1)} pt"
        assert f"src='{name}.png'" in page, f"index.html does not show {name}.png"
        assert f"href='{name}.svg'" in page, f"index.html does not link {name}.svg"
    return page


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory):
    """The fixture results file and its rendered report folder."""
    d = tmp_path_factory.mktemp("report")
    results = str(d / "fixture.h5")
    make_fixture.build(results)
    out = str(d / "fixture_report")
    return results, out, check_report(results, out)


def test_fixture_figures(fixture_report):
    results, _, _ = fixture_report
    expected = expected_figures(results)
    # 3 targets x (spearman, null, parity, beeswarm, dependence) + dynamics + 2 sweeps x 3
    # targets + 1 validation series, every family present
    assert len(expected) == 23, sorted(expected)
    assert set(expected.values()) == set(PIXELS)


def test_fixture_provenance_and_notes(fixture_report):
    _, _, page = fixture_report
    assert "SYNTHETIC data" in page
    for text in ("0.6.0-fixture", "0123456789abcdef0123", "2025", "fixture"):
        assert text in page, f"provenance '{text}' missing from index.html"
    # the fixture's peak_C model has no crucible player, the power model no cutoff voltage
    assert "peak_C: panel &#x27;crucible&#x27; skipped" in page
    assert "max_heat_flow_W_per_g: panel &#x27;cutoff_voltage_V&#x27; skipped" in page
    assert page.count("skipped") == 2, "each skipped panel is noted once"
    # the bootstrap group feeds the SHAP intervals and the screening survival
    assert page.count("brackets: bootstrap percentile interval") == 3
    assert page.count("share of the bootstrap screening replicas") == 3


def test_missing_groups_are_skipped_with_notes(tmp_path):
    results = str(tmp_path / "partial.h5")
    make_fixture.build(results, rows=60)
    with h5py.File(results, "a") as h5:
        for g in ("/sweeps", "/dynamics", "/validation"):
            del h5[g]
    page = check_report(results, str(tmp_path / "partial_report"))
    for what in ("no /sweeps group", "no complete /dynamics group", "no /validation group"):
        assert what in page, f"note '{what}' missing"


def test_report_from_a_tiny_study(tmp_path):
    """The whole chain: `thermex synth` + `thermex study tests/data/study_tiny.toml`, then the
    report of that results file (THERMEX_CLI names the binary; ctest sets it)."""
    cli = os.environ.get("THERMEX_CLI")
    if not cli or not os.access(cli, os.X_OK):
        pytest.skip("THERMEX_CLI not set or not executable")
    shutil.copy(os.path.join(ROOT, "tests", "data", "study_tiny.toml"), tmp_path)
    for args in (["--seed", "0", "synth", "--rows", "120", "-o", "synth.csv"],
                 ["--threads", "2", "--quiet", "study", "study_tiny.toml", "-o", "tiny.h5"]):
        proc = subprocess.run([cli] + args, cwd=tmp_path, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, f"thermex {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    results = str(tmp_path / "tiny.h5")
    expected = expected_figures(results)
    for family in ("spearman", "null", "parity", "beeswarm", "dependence", "dynamics",
                   "ternary", "validation"):
        assert family in expected.values(), f"the tiny study gives no {family} figure"
    page = check_report(results, str(tmp_path / "tiny_report"))
    assert "tiny test study" in page and "SYNTHETIC data" in page


def test_real_results_when_given(tmp_path):
    results = os.environ.get("THERMEX_STUDY_RESULTS")
    if not results:
        pytest.skip("THERMEX_STUDY_RESULTS not set")
    check_report(results, str(tmp_path / "real_report"))


def test_sweep_thinning_reads_blockwise_and_keeps_the_coarse_grid():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from report_lib import ternary
    fr = make_fixture.simplex(3, 0.002)  # 125,751 points, 500 steps per edge
    rows = ternary.thin_rows(fr, 0.002, block=10_000)
    # 500 steps: the smallest divisor leaving <= 150 steps per edge is 4 (125 steps)
    assert len(rows) == 126 * 127 // 2, len(rows)
    assert np.all(np.diff(rows) > 0), "rows sorted and unique"
    counts = np.rint(fr[rows] / 0.002).astype(int)
    assert np.all(counts % 4 == 0), "every kept point lies on the coarse grid"
    np.testing.assert_array_equal(ternary.read_rows(fr, rows, block=7_000), fr[rows])
    assert len(ternary.thin_rows(fr[:100], 0.02)) == 100, "a coarse grid is kept whole"
