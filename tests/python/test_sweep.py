"""thermex.sweep and thermex.composition_features: the grid, agreement with SVR.predict on rows
built from the engine's own featurization, bootstrap statistics against numpy, the optimum, the
feature-source table and errors."""

import itertools

import numpy as np
import pytest

import thermex

pd = pytest.importorskip("pandas")  # feature names come from DataFrame columns

ELEMENTS = ["Ni", "Co", "Mn"]
ONSET_FEATURES = ["ni", "co", "en_tm_wmean", "radius_tm_wstd", "cutoff_voltage_V",
                  "electrolyte_class=carbonate_lipf6", "scan_rate_C_per_min"]
HEAT_FEATURES = ["mn", "phi_tm_wmean", "cutoff_voltage_V", "li_charged_missing"]


@pytest.fixture(scope="module")
def training():
    """A seeded training frame of NCM compositions with conditions and two targets."""
    rng = np.random.default_rng(11)
    n = 80
    amounts = rng.dirichlet([2.0, 1.0, 1.0], size=n)
    comp = thermex.composition_features(amounts, ELEMENTS)
    frame = pd.DataFrame(comp, columns=thermex.composition_feature_names())
    frame["cutoff_voltage_V"] = rng.choice([4.2, 4.3, 4.5], size=n)
    frame["electrolyte_class=carbonate_lipf6"] = rng.integers(0, 2, size=n).astype(float)
    frame["scan_rate_C_per_min"] = rng.choice([2.0, 5.0, 10.0], size=n)
    frame["li_charged_missing"] = rng.integers(0, 2, size=n).astype(float)
    onset = (300 - 80 * frame["ni"] + 30 * frame["co"] - 20 * (frame["cutoff_voltage_V"] - 4.3)
             + 5 * frame["electrolyte_class=carbonate_lipf6"] + rng.normal(0, 2, n))
    heat = 10 ** (1.0 + 0.8 * frame["ni"] - 0.3 * frame["mn"] + rng.normal(0, 0.03, n))
    return frame, onset.to_numpy(), heat.to_numpy()


@pytest.fixture(scope="module")
def models(training):
    frame, onset, heat = training
    m_onset = thermex.SVR(C=50.0, epsilon=0.5, device="cpu").fit(frame[ONSET_FEATURES], onset)
    m_heat = thermex.SVR(C=10.0, epsilon=0.01, log_target=True, device="cpu").fit(
        frame[HEAT_FEATURES], heat)
    rng = np.random.default_rng(5)
    problems = [{"C": 50.0, "epsilon": 0.5, "rows": rng.integers(0, len(frame), size=len(frame))}
                for _ in range(7)]
    boot = thermex.fit_many(frame[ONSET_FEATURES], onset, problems, device="cpu")
    return m_onset, m_heat, boot


SETTINGS = dict(fixed={"cutoff_voltage_V": 4.3}, levels={"electrolyte_class": "carbonate_lipf6"},
                defaults={"scan_rate_C_per_min": 5.0})


def explicit_rows(fractions, features, values):
    """Feature rows of the grid points built independently of the sweep: the engine's
    composition features of each point plus the constant value of every other feature."""
    comp = pd.DataFrame(thermex.composition_features(fractions, ELEMENTS),
                        columns=thermex.composition_feature_names())
    out = pd.DataFrame(index=range(len(fractions)))
    for f in features:
        out[f] = comp[f] if f in comp else values[f]
    return out


def test_composition_features_forms_agree():
    names = thermex.composition_feature_names()
    from_formula = thermex.composition_features("LiNi0.6Co0.2Mn0.2O2")
    from_dict = thermex.composition_features({"Ni": 0.6, "Co": 0.2, "Mn": 0.2})
    from_array = thermex.composition_features(np.array([[0.6, 0.2, 0.2]]), ELEMENTS)
    assert list(from_formula) == names and from_array.shape == (1, len(names))
    for j, n in enumerate(names):
        assert from_dict[n] == pytest.approx(from_formula[n], rel=1e-12, abs=1e-15), n
        assert from_array[0, j] == pytest.approx(from_formula[n], rel=1e-12, abs=1e-15), n
    assert from_formula["ni"] == pytest.approx(0.6) and from_formula["al"] == 0.0
    with pytest.raises(ValueError, match="Xx"):
        thermex.composition_features({"Xx": 1.0})
    with pytest.raises(ValueError, match="row 1"):
        thermex.composition_features(np.array([[1.0, 0, 0], [0.5, -0.1, 0.6]]), ELEMENTS)


def test_grid_size_and_fractions(models):
    m_onset, _, _ = models
    r = thermex.sweep(m_onset, ELEMENTS, step=0.1, **SETTINGS)
    assert r.fractions.shape == (66, 3)
    np.testing.assert_allclose(r.fractions.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    counts = np.rint(r.fractions * 10)
    np.testing.assert_allclose(r.fractions * 10, counts, rtol=0, atol=1e-9)
    assert len({tuple(c) for c in counts.astype(int)}) == 66  # every point once
    assert tuple(counts[0]) == (0, 0, 10) and tuple(counts[-1]) == (10, 0, 0)
    assert r.prediction["target"].shape == (66,) and r.boot_mean == {}
    assert r["target"].boot_mean is None and r.divisions == 10
    # k = 4 at step 0.25: C(4 + 3, 3) = 35 points.
    comp_only = thermex.SVR(device="cpu").fit(
        pd.DataFrame({"ni": [0.2, 0.5, 0.9], "al": [0.0, 0.05, 0.1]}), [1.0, 2.0, 3.0])
    assert thermex.sweep(comp_only, ["Ni", "Co", "Mn", "Al"], 0.25).fractions.shape == (35, 4)


def test_predictions_equal_predict_on_explicit_rows(models):
    m_onset, m_heat, _ = models
    r = thermex.sweep({"onset_C": m_onset, "max_heat_flow_W_per_g": m_heat}, ELEMENTS,
                      step=0.05, chunk=17, **SETTINGS)
    values = {"cutoff_voltage_V": 4.3, "electrolyte_class=carbonate_lipf6": 1.0,
              "scan_rate_C_per_min": 5.0, "li_charged_missing": 0.0}
    for name, model, feats in (("onset_C", m_onset, ONSET_FEATURES),
                               ("max_heat_flow_W_per_g", m_heat, HEAT_FEATURES)):
        expected = model.predict(explicit_rows(r.fractions, feats, values))
        got = r.prediction[name]
        assert got.shape == expected.shape
        bad = np.flatnonzero(~(np.abs(got - expected) <= 1e-10 * np.abs(expected)))
        assert bad.size == 0, f"{name}: point {bad[:1]} {got[bad[:1]]} != {expected[bad[:1]]}"
    # The chunk size does not change a byte.
    again = thermex.sweep({"onset_C": m_onset, "max_heat_flow_W_per_g": m_heat}, ELEMENTS,
                          step=0.05, chunk=100000, **SETTINGS)
    np.testing.assert_array_equal(again.prediction["onset_C"], r.prediction["onset_C"])
    # Where each feature came from.
    source = {f.name: (f.source, f.value) for f in r.features}
    assert source["ni"][0] == "composition" and np.isnan(source["ni"][1])
    assert source["cutoff_voltage_V"] == ("fixed", 4.3)
    assert source["electrolyte_class=carbonate_lipf6"] == ("level", 1.0)
    assert source["scan_rate_C_per_min"] == ("default", 5.0)
    assert source["li_charged_missing"] == ("indicator", 0.0)
    assert list(r.feature_frame()["name"]) == [f.name for f in r.features]


def test_replica_statistics_equal_numpy(models):
    m_onset, _, boot = models
    r = thermex.sweep({"onset_C": m_onset}, ELEMENTS, step=0.1,
                      replicas={"onset_C": boot}, ci=0.9, **SETTINGS)
    t = r["onset_C"]
    assert t.replicas == 7 and r.quantile_lo == pytest.approx(0.05)
    values = {"cutoff_voltage_V": 4.3, "electrolyte_class=carbonate_lipf6": 1.0,
              "scan_rate_C_per_min": 5.0}
    rows = explicit_rows(r.fractions, ONSET_FEATURES, values)
    preds = np.stack([b.predict(rows) for b in boot])  # (B, N)
    for what, expected in (("boot_mean", preds.mean(axis=0)), ("boot_std", preds.std(axis=0)),
                           ("boot_lo", np.percentile(preds, 5.0, axis=0)),
                           ("boot_hi", np.percentile(preds, 95.0, axis=0))):
        got = getattr(t, what)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10, err_msg=what)
    assert (t.boot_lo <= t.boot_hi).all()
    frame = r.to_frame()
    assert list(frame.columns) == ELEMENTS + ["onset_C", "onset_C_boot_mean", "onset_C_boot_std",
                                              "onset_C_boot_lo", "onset_C_boot_hi"]
    np.testing.assert_array_equal(frame["onset_C_boot_hi"].to_numpy(), t.boot_hi)


def test_optimum_direction_domain_and_neighbourhood(models):
    m_onset, m_heat, boot = models
    r = thermex.sweep({"onset_C": m_onset, "max_heat_flow_W_per_g": m_heat}, ELEMENTS,
                      step=0.1, replicas={"onset_C": boot}, neighbourhood=0.1, **SETTINGS)
    onset, heat = r.optimum["onset_C"], r.optimum["max_heat_flow_W_per_g"]
    assert onset.maximize and not heat.maximize  # later onset / less heat is safer
    assert onset.index == int(np.argmax(r.prediction["onset_C"]))
    assert heat.index == int(np.argmin(r.prediction["max_heat_flow_W_per_g"]))
    assert onset.boot_lo == r["onset_C"].boot_lo[onset.index] and np.isnan(heat.boot_lo)
    counts = np.rint(r.fractions * 10).astype(int)
    near = np.abs(counts - counts[onset.index]).max(axis=1) <= 1
    assert onset.neighbourhood_count == near.sum()
    assert onset.neighbourhood_max == r.prediction["onset_C"][near].max()
    np.testing.assert_array_equal(onset.fractions, r.fractions[onset.index])
    # A domain restricts the search, not the predictions.
    box = {"Ni": (0.0, 0.3), "Co": (0.0, 1.0), "Mn": (0.0, 1.0)}
    d = thermex.sweep(m_onset, ELEMENTS, step=0.1, domain=box, maximize=False, **SETTINGS)
    o = d.optimum["target"]
    inside = r.fractions[:, 0] <= 0.3 + 1e-9
    assert o.in_domain and not o.maximize and r.fractions[o.index, 0] <= 0.3 + 1e-9
    assert o.value == d.prediction["target"][inside].min()
    assert o.grid_value == d.prediction["target"].min()


def test_errors(models):
    m_onset, m_heat, _ = models
    with pytest.raises(ValueError, match="scan_rate_C_per_min"):
        thermex.sweep(m_onset, ELEMENTS, 0.1, fixed={"cutoff_voltage_V": 4.3},
                      levels={"electrolyte_class": "carbonate_lipf6"})
    with pytest.raises(ValueError, match="Xx"):
        thermex.sweep(m_heat, ["Ni", "Xx"], 0.1, fixed={"cutoff_voltage_V": 4.3})
    with pytest.raises(ValueError, match="'step'"):
        thermex.sweep(m_heat, ELEMENTS, 0.3, fixed={"cutoff_voltage_V": 4.3})
    with pytest.raises(ValueError, match="'step'"):
        thermex.sweep(m_heat, ELEMENTS, 0.0, fixed={"cutoff_voltage_V": 4.3})
    with pytest.raises(ValueError, match="levels.electrolyte_class"):
        thermex.sweep(m_onset, ELEMENTS, 0.1, levels={"electrolyte_class": "water"},
                      **{k: v for k, v in SETTINGS.items() if k != "levels"})
    with pytest.raises(ValueError, match="fixed.bogus"):
        thermex.sweep(m_heat, ELEMENTS, 0.1, fixed={"cutoff_voltage_V": 4.3, "bogus": 1.0})
    with pytest.raises(ValueError, match="'ci'"):
        thermex.sweep(m_heat, ELEMENTS, 0.1, fixed={"cutoff_voltage_V": 4.3}, ci=1.5)
    unnamed = thermex.SVR(device="cpu").fit(np.eye(3), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="no feature names"):
        thermex.sweep(unnamed, ELEMENTS, 0.1)
    with pytest.raises(ValueError, match="elements"):
        thermex.sweep(m_heat, "NiCoMn", 0.1)
    with pytest.raises(ValueError, match="replicas"):
        thermex.sweep({"a": m_heat}, ELEMENTS, 0.1, replicas={"b": [m_heat]})


def test_grid_order_is_lexicographic_by_counts(models):
    _, m_heat, _ = models
    r = thermex.sweep(m_heat, ELEMENTS, 0.25, fixed={"cutoff_voltage_V": 4.3})
    m = 4
    expected = sorted(c for c in itertools.product(range(m + 1), repeat=3) if sum(c) == m)
    np.testing.assert_array_equal(np.rint(r.fractions * m).astype(int), np.array(expected))
