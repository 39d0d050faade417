"""thermex.select: Spearman redundancy with the kinds priority, null-importance evidence,
determinism and errors."""

import numpy as np
import pytest

import thermex


@pytest.fixture(scope="module")
def screening_data():
    rng = np.random.default_rng(21)
    n = 200
    a = rng.uniform(size=n)
    b = rng.uniform(size=n)
    dup = 2.0 * a + 0.001 * rng.normal(size=n)  # a monotone copy of a: |rho| ~ 1
    noise = rng.normal(size=n)
    x = np.column_stack([dup, a, b, noise])
    y = 3.0 * a + 2.0 * b ** 2 + 0.05 * rng.normal(size=n)
    return x, y, ["a_dup", "a", "b", "noise"]


FAST = dict(shuffles=20, forest={"n_trees": 20, "max_depth": 4}, seed=3)


def test_kinds_priority_keeps_the_fundamental_feature(screening_data):
    x, y, names = screening_data
    s = thermex.select(x, y, names, kinds={"a_dup": "derived", "a": "content"}, **FAST)
    assert s.reasons["a_dup"] == "spearman"
    drop = next(d for d in s.dropped if d.name == "a_dup")
    assert drop.partner == "a" and abs(drop.rho) > 0.99
    assert "a" in s.kept and "b" in s.kept
    assert s.candidates == names and s.spearman_rho.shape == (4, 4)
    # Default kinds (all 'condition'): the earlier column wins the tie instead.
    s2 = thermex.select(x, y, names, **FAST)
    assert next(d for d in s2.dropped if d.reason == "spearman").name == "a"


def test_null_importance_evidence_is_consistent(screening_data):
    x, y, names = screening_data
    s = thermex.select(x, y, names, kinds={"a_dup": "derived"}, **FAST)
    assert s.importance_features == ["a", "b", "noise"]
    assert s.null.shape == (20, 3) and s.actual.shape == (3,)
    for j, f in enumerate(s.importance_features):
        q = np.quantile(s.null[:, j], s.quantile)  # numpy's linear rule, as the engine
        assert s.null_quantile[j] == pytest.approx(q, rel=1e-12), f
        kept = s.actual[j] >= s.null_quantile[j] and s.actual[j] > 0
        assert (f in s.kept) == kept, f
        p = (1 + np.sum(s.null[:, j] >= s.actual[j])) / 21
        assert s.p_value[j] == pytest.approx(p, rel=1e-12), f
    for d in s.dropped:
        if d.reason == "null_importance":
            assert d.actual < d.null_quantile or d.actual == 0
    again = thermex.select(x, y, names, kinds={"a_dup": "derived"}, **FAST)
    np.testing.assert_array_equal(again.null, s.null)  # seeded: the same bytes


def test_dataframe_input_and_frame(screening_data):
    pd = pytest.importorskip("pandas")
    x, y, names = screening_data
    s = thermex.select(pd.DataFrame(x, columns=names), pd.Series(y), **FAST)
    assert s.candidates == names
    frame = s.importance_frame()
    assert list(frame.index) == s.importance_features


def test_errors(screening_data):
    x, y, names = screening_data
    bad = x.copy()
    bad[9, 2] = np.inf
    with pytest.raises(ValueError, match=r"inf at row 9, column 'b'"):
        thermex.select(bad, y, names, **FAST)
    with pytest.raises(ValueError, match="kinds"):
        thermex.select(x, y, names, kinds="target", **FAST)
    with pytest.raises(ValueError, match="forest"):
        thermex.select(x, y, names, shuffles=5, forest={"trees": 3})
    with pytest.raises(ValueError, match="spearman"):
        thermex.select(x, y, names, spearman_threshold=1.5, **FAST)
