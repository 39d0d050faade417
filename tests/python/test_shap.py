"""thermex.shap_values / shap_result / explain: efficiency, agreement with a brute-force
Shapley computation written here from the definition, Monte Carlo error bars, players, errors,
and (when the shap package is installed) shap's ExactExplainer."""

from itertools import combinations
from math import factorial

import numpy as np
import pytest

import thermex


@pytest.fixture(scope="module")
def fitted(small_regression):
    x, y = small_regression
    return thermex.SVR(C=3.0, epsilon=0.05).fit(x, y), x


def _brute_force_shapley(model, x_rows, background):
    """Interventional Shapley values from the definition: v(S) = mean_b f(x_S, b_~S)."""
    n, d = x_rows.shape
    out = np.zeros((n, d))
    for r in range(n):
        def v(subset):
            z = background.copy()
            z[:, list(subset)] = x_rows[r, list(subset)]
            return model.predict(z).mean()

        values = {s: v(s) for k in range(d + 1) for s in combinations(range(d), k)}
        for i in range(d):
            others = [j for j in range(d) if j != i]
            for k in range(d):
                w = factorial(k) * factorial(d - k - 1) / factorial(d)
                for s in combinations(others, k):
                    with_i = tuple(sorted(s + (i,)))
                    out[r, i] += w * (values[with_i] - values[s])
    return out


def test_exact_efficiency(fitted):
    m, x = fitted
    r = thermex.shap_result(m, x[:30], x[:60])
    assert r.values.shape == (30, 4)
    gap = np.abs(r.values.sum(axis=1) - (r.fx - r.base_value))
    assert np.isfinite(gap).all() and gap.max() <= 1e-10 * max(1.0, np.abs(r.fx).max())
    np.testing.assert_allclose(r.fx, m.predict(x[:30]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.base_value, m.predict(x[:60]).mean(), rtol=1e-12)


def test_exact_equals_definition_and_bruteforce(fitted):
    m, x = fitted
    bg = x[:25]
    exact = thermex.shap_values(m, x[:6], bg, method="exact")
    brute = thermex.shap_values(m, x[:6], bg, method="bruteforce")
    reference = _brute_force_shapley(m, x[:6], bg)
    np.testing.assert_allclose(exact, brute, rtol=0, atol=1e-10)
    np.testing.assert_allclose(exact, reference, rtol=0, atol=1e-10)


def test_chunked_rows_equal_one_call(fitted):
    m, x = fitted
    whole = thermex.shap_values(m, x, x[:20])
    parts = np.vstack([thermex.shap_values(m, x[i:i + 7], x[:20]) for i in range(0, len(x), 7)])
    np.testing.assert_array_equal(whole, parts)


@pytest.mark.parametrize("method", ["permutation", "kernel"])
def test_monte_carlo_within_error_bars(fitted, method):
    m, x = fitted
    exact = thermex.shap_values(m, x[:10], x[:30])
    r = thermex.shap_result(m, x[:10], x[:30], method=method, samples=64, seed=11)
    assert (r.std_errors > 0).any() and (r.samples_used == 64).all()
    # 4 sigma per entry (STYLE.md section 6) plus rounding for entries with a zero error bar.
    assert (np.abs(r.values - exact) <= 4 * r.std_errors + 1e-9).all()
    again = thermex.shap_values(m, x[:10], x[:30], method=method, samples=64, seed=11)
    np.testing.assert_array_equal(r.values, again)  # seeded: the same bytes


def test_grouped_players(fitted):
    m, x = fitted
    r = thermex.shap_result(m, x[:5], x[:20], players={"a": [0, 1], "c": [2], "d": [3]})
    assert r.values.shape == (5, 3) and r.feature_names == ["a", "c", "d"]
    assert np.abs(r.values.sum(axis=1) - (r.fx - r.base_value)).max() <= 1e-10


def test_dataframe_names_label_players(small_regression):
    pd = pytest.importorskip("pandas")
    x, y = small_regression
    df = pd.DataFrame(x, columns=["ni", "co", "mn", "v"])
    m = thermex.SVR().fit(df, y)
    r = thermex.shap_result(m, df.iloc[:4], df.iloc[:10], players={"tm": ["ni", "co", "mn"],
                                                                   "v": ["v"]})
    assert r.feature_names == ["tm", "v"]


def test_errors(fitted):
    m, x = fitted
    bad = x[:5].copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN at row 3, column x1"):
        thermex.shap_values(m, bad, x[:10])
    with pytest.raises(ValueError, match="method"):
        thermex.shap_values(m, x[:5], x[:10], method="tree")
    with pytest.raises(ValueError, match="features"):
        thermex.shap_values(m, x[:5, :3], x[:10])
    with pytest.raises(ValueError):
        thermex.shap_values(thermex.SVR(), x[:5])  # not fitted
    with pytest.raises(ValueError):
        thermex.shap_values(m, x[:5], x[:10], players={"a": [0, 1]})  # not a partition


def test_matches_shap_exact_explainer(fitted):
    shap = pytest.importorskip("shap")
    m, x = fitted
    bg = x[:20]
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    ref = shap.explainers.Exact(m.predict, masker)(x[:5])
    ours = thermex.shap_values(m, x[:5], bg)
    np.testing.assert_allclose(ours, ref.values, rtol=0, atol=1e-8)


def test_explain_returns_shap_explanation(fitted):
    shap = pytest.importorskip("shap")
    m, x = fitted
    e = thermex.explain(m, x[:5], x[:20])
    assert isinstance(e, shap.Explanation)
    assert e.values.shape == (5, 4) and list(e.feature_names) == ["x0", "x1", "x2", "x3"]
    np.testing.assert_array_equal(e.data, x[:5])


def test_integer_background_weights_equal_repeated_rows(fitted):
    m, x = fitted
    bg = x[:6]
    weights = np.array([1, 3, 0, 2, 1, 1], dtype=np.float64)
    repeated = np.repeat(bg, weights.astype(int), axis=0)
    weighted = thermex.shap_result(m, x[10:14], bg, background_weights=weights)
    plain = thermex.shap_result(m, x[10:14], repeated)
    np.testing.assert_allclose(weighted.values, plain.values, rtol=0, atol=1e-12)
    assert weighted.base_value == pytest.approx(plain.base_value, rel=1e-12)
