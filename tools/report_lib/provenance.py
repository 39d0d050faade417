"""Provenance of a results file: what every caption and the index page say about where the
numbers come from (thermex version, commit, seed, config name) and whether they are synthetic."""

import tomllib

from . import h5util as hu


class Provenance:
    """Version, commit, seed, config name, device and the synthetic-data flag of one file."""

    def __init__(self, h5, path):
        p = hu.group(h5, "/provenance")
        self.path = path
        self.version = hu.attr(p, "thermex_version", "unknown")
        self.commit = hu.attr(p, "git_commit", "unknown")
        self.seed = hu.attr(p, "seed", "unknown")
        self.device = hu.attr(p, "device", "unknown")
        self.created = hu.attr(p, "created_utc", "")
        self.config_toml = hu.attr(p, "config_toml", "") or ""
        self.config = _parse_toml(self.config_toml)
        self.seed = hu.attr(p, "seed_text", self.seed)  # exact for seeds >= 2^63
        self.config_name = (hu.attr(p, "study_name") or hu.attr(p, "config_name")
                            or (self.config.get("study") or {}).get("name")
                            or self.config.get("name") or hu.attr(p, "config_path") or "unknown")
        self.config_path = hu.attr(p, "config_path", "")
        self.stages = _stage_table(h5)
        self.synthetic_reasons = _synthetic_reasons(h5, self.config)

    @property
    def synthetic(self):
        """True when a dataset label, a record origin or a source says 'synthetic'."""
        return bool(self.synthetic_reasons)

    def short(self):
        """One line for figure captions."""
        commit = str(self.commit)[:12]
        line = (f"thermex {self.version}, commit {commit}, seed {self.seed}, "
                f"config '{self.config_name}'")
        return line + (" — SYNTHETIC data" if self.synthetic else "")


def _parse_toml(text):
    """The config as a dict; {} when it is absent or does not parse (the report still renders)."""
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _stage_table(h5):
    """[(stage, seconds, reused)] from /provenance, empty when absent."""
    names = hu.strings(h5, "/provenance/stage_names") or []
    secs = hu.array(h5, "/provenance/stage_seconds")
    reused = hu.array(h5, "/provenance/stage_reused")
    rows = []
    for i, n in enumerate(names):
        s = float(secs[i]) if secs is not None and i < len(secs) else float("nan")
        r = bool(reused[i]) if reused is not None and i < len(reused) else False
        rows.append((n, s, r))
    return rows


def _synthetic_reasons(h5, config):
    """Why the data count as synthetic: config dataset labels/paths, /data origin, source or
    dataset columns, /provenance attributes. Each reason names where it was found."""
    reasons = []  # record counts first: they say how much of the data is synthetic
    for col in ("origin", "dataset", "dataset_label", "source"):
        values = hu.strings(h5, f"/data/{col}")
        if values:
            n = sum("synth" in v.lower() for v in values)
            if n:
                reasons.append(f"/data/{col}: {n} of {len(values)} records synthetic")
    for i, d in enumerate(config.get("datasets", []) or []):
        if isinstance(d, dict):
            for key in ("label", "path"):
                if "synth" in str(d.get(key, "")).lower():
                    reasons.append(f"config datasets[{i}].{key} = '{d.get(key)}'")
                    break
    for path in ("/provenance/dataset_labels", "/provenance/dataset_paths"):
        for lab in hu.strings(h5, path) or []:
            if "synth" in lab.lower():
                reasons.append(f"{path}: '{lab}'")
    for lab in hu.children(h5, "/import"):
        if "synth" in lab.lower():
            reasons.append(f"/import/{lab}")
    return reasons
