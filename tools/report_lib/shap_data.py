"""SHAP results of one target from /shap/<target> (write_shap_h5's layout, src/io/shap_h5.cpp,
plus the study's feature_values, feature_values_std, feature_names and record_id)."""

import numpy as np

from . import h5util as hu


class ShapData:
    """Values (rows x players), player names and columns, and the explained rows' features."""

    def __init__(self, h5, target):
        g = f"/shap/{target}"
        self.target = target
        self.values = hu.array(h5, g + "/values")
        self.players = hu.strings(h5, g + "/player_names")
        grp = hu.group(h5, g)
        self.method = hu.attr(grp, "method", "")
        self.base_value = hu.attr(grp, "base_value")
        label, unit = hu.target_label(h5, target)
        self.target_label = label
        log10 = hu.attr(grp, "log10_target", 0) or target.startswith("log10")
        # SHAP values are in model output units: log10 of the target when fitted in log10.
        if log10 and not unit.startswith("log10"):
            unit = f"log10({unit})" if unit else "log10"
        self.unit = unit
        self.feature_names = hu.first_present(
            h5, [g + "/feature_names", f"/models/{target}/feature_names",
                 f"/models/{target}/model/feature_names", f"/selection/{target}/kept"],
            reader=hu.strings)
        self.feature_values = hu.array(h5, g + "/feature_values")
        self.feature_values_std = hu.array(h5, g + "/feature_values_std")
        self.columns = self._player_columns(h5, g)

    def ok(self):
        """True when values and player names are present and agree in shape."""
        return (self.values is not None and self.players is not None and self.values.ndim == 2
                and self.values.shape[1] == len(self.players) and self.values.shape[0] > 0)

    @property
    def rows(self):
        """Number of explained rows."""
        return self.values.shape[0]

    def _player_columns(self, h5, g):
        """Per player, the indices of its feature columns (player_columns/player_offsets); when
        absent, matched by name: a column is a player's when it is the name or 'name=level'."""
        cols = hu.array(h5, g + "/player_columns", dtype=np.int64)
        offs = hu.array(h5, g + "/player_offsets", dtype=np.int64)
        if self.players is None:
            return None
        if cols is not None and offs is not None and len(offs) == len(self.players) + 1:
            return [list(cols[offs[p]:offs[p + 1]]) for p in range(len(self.players))]
        names = self.feature_names or []
        return [[i for i, c in enumerate(names) if c == p or c.startswith(p + "=")]
                for p in self.players]

    def player_index(self, name):
        """Index of player `name`, or None when the model has no such player."""
        return self.players.index(name) if self.players and name in self.players else None

    def colour_values(self, p):
        """Per-row colour value of player p (z-score), or None when the player is a group of
        several columns or no standardized values were stored."""
        z = self.feature_values_std
        if z is None or z.ndim != 2 or z.shape[0] != self.rows:
            return None
        if z.shape[1] == len(self.players) and (self.feature_names is None
                                                 or z.shape[1] != len(self.feature_names)):
            return z[:, p]
        cols = self.columns[p] if self.columns else []
        if len(cols) == 1 and cols[0] < z.shape[1]:
            return z[:, cols[0]]
        return None

    def raw_values(self, p):
        """Raw feature values of a one-column player (rows), or None."""
        v = self.feature_values
        cols = self.columns[p] if self.columns else []
        if v is None or v.ndim != 2 or v.shape[0] != self.rows or len(cols) != 1 \
                or cols[0] >= v.shape[1]:
            return None
        return v[:, cols[0]]

    def levels(self, p):
        """(level names, per-row level index) of a one-hot group player, or None. Rows with
        every kept column 0 (levels dropped by screening or unseen) form one more level,
        "not <level>" for a one-column group, else "other levels"."""
        v = self.feature_values
        cols = self.columns[p] if self.columns else []
        names = self.feature_names
        if v is None or names is None or not cols or max(cols) >= v.shape[1] \
                or max(cols) >= len(names):
            return None
        block = v[:, cols]
        levels = [names[c].split("=", 1)[-1] for c in cols]
        idx = np.where(block.max(axis=1) > 0.5, block.argmax(axis=1), len(levels))
        if (idx == len(levels)).any():
            levels.append(f"not {levels[0]}" if len(levels) == 1 else "other levels")
        return levels, idx
