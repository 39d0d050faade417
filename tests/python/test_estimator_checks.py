"""scikit-learn's estimator conformance checks (check_estimator) on thermex.SVR."""

import pytest

import thermex

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402


# Every check of scikit-learn's check_estimator applies to a regressor without sample weights,
# and all of them pass: none is skipped.
@parametrize_with_checks([thermex.SVR()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
