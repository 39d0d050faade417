"""Tolerant readers for a thermex study results file (layout: data/RESULTS.md).

Every figure family reads through these helpers so that a missing group or dataset becomes
`None` (and the figure is skipped with a note) instead of an exception. thermex writes strings
as variable-length UTF-8, which h5py returns as `bytes`; the helpers decode them.
"""

import numpy as np

# Display names and units of the feature-table targets (data/FEATURES.md), used when the file
# carries no label/unit attributes of its own.
TARGET_LABELS = {
    "onset_C": ("onset temperature", "°C"),
    "peak_C": ("peak temperature", "°C"),
    "max_heat_flow_W_per_g": ("max heat flow", "W/g"),
    "log10_max_heat_flow": ("log10 max heat flow", "log10(W/g)"),
    "total_heat_J_per_g": ("total heat", "J/g"),
}


def text(value):
    """Returns `value` (bytes, numpy bytes/str scalar or str) as a Python str."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value[()])
    return str(value)


def node(h5, path):
    """Returns the group or dataset at `path`, or None when it does not exist."""
    try:
        return h5[path] if path in h5 else None
    except (KeyError, ValueError):
        return None


def group(h5, path):
    """Returns the group at `path`, or None when absent or not a group."""
    g = node(h5, path)
    return g if g is not None and hasattr(g, "keys") else None


def children(h5, path):
    """Names of the subgroups of `path` (empty when the group is absent). Targets come in the
    study's stage order (/dynamics stage_names), the rest by name: h5py lists links by name
    unless the file tracks creation order."""
    g = group(h5, path)
    if g is None:
        return []
    names = [k for k in g.keys() if hasattr(g[k], "keys")]
    order = strings(h5, "/dynamics/stage_names") or []
    rank = {t: i for i, t in enumerate(order)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), names.index(n)))


def strings(h5, path):
    """A string dataset as a list of str, or None when absent."""
    d = node(h5, path)
    if d is None or hasattr(d, "keys"):
        return None
    return [text(v) for v in np.atleast_1d(d[()])]


def array(h5, path, dtype=float):
    """A numeric dataset as a numpy array of `dtype`, or None when absent or not numeric."""
    d = node(h5, path)
    if d is None or hasattr(d, "keys"):
        return None
    try:
        return np.asarray(d[()], dtype=dtype)
    except (TypeError, ValueError):
        return None


def attr(obj, name, default=None):
    """Attribute `name` of an h5py object (str decoded, 1-element arrays unwrapped)."""
    if obj is None or name not in obj.attrs:
        return default
    v = obj.attrs[name]
    if isinstance(v, np.ndarray):
        if v.size == 1:
            v = v.reshape(())[()]
        else:
            return [text(x) if isinstance(x, (bytes, np.bytes_, str)) else x for x in v]
    if isinstance(v, (bytes, np.bytes_, str)):
        return text(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def first_present(h5, paths, reader=array):
    """Reads the first of `paths` that exists with `reader`; None when none does."""
    for p in paths:
        v = reader(h5, p)
        if v is not None:
            return v
    return None


def target_label(h5, target):
    """(label, unit) of a target: attributes in the file first, then FEATURES.md's table."""
    label, unit = TARGET_LABELS.get(target, (target, ""))
    for path in (f"/metrics/{target}", f"/features/{target}"):
        obj = node(h5, path)
        if obj is not None:
            label = attr(obj, "label", label) or label
            unit = attr(obj, "unit", unit) if attr(obj, "unit") is not None else unit
    return label, unit


def axis_label(label, unit):
    """'label (unit)' or just 'label' when there is no unit."""
    return f"{label} ({unit})" if unit else label


def targets(h5):
    """The study's targets in stage order: /dynamics stage_names, else the union of the
    per-target groups under /metrics, /selection, /shap, in file order."""
    order = strings(h5, "/dynamics/stage_names") or []
    seen = list(order)
    for top in ("/metrics", "/selection", "/shap", "/bootstrap"):
        for t in children(h5, top):
            if t not in seen:
                seen.append(t)
    return seen
