"""Figure bookkeeping: fixed canvas sizes, saving PNG + SVG, and the list of figures and notes
that index.html is built from.

Sizes are fixed per figure family (inches at DPI) and figures are saved without
`bbox_inches="tight"`, so a PNG's pixel size is known in advance (the test checks it) and the
page layout does not jump between runs. Layout uses matplotlib's constrained layout so labels do
not overlap or fall off the canvas.
"""

import os
import re

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402

DPI = 120

# (width, height) in inches per family; width * DPI and height * DPI are whole pixels.
SIZES = {
    "spearman": (11.0, 10.0),
    "null": (14.0, 10.0),
    "parity": (6.5, 6.0),
    "ternary": (12.0, 5.5),
    "ternary4": (14.0, 9.0),
    "beeswarm": (9.0, 7.0),
    "dependence": (11.0, 8.5),
    "dynamics": (11.0, 6.5),
    "validation": (12.0, 4.5),
}


def pixel_size(family):
    """(width, height) in pixels of a PNG of `family`."""
    w, h = SIZES[family]
    return round(w * DPI), round(h * DPI)


def new_figure(family, constrained=True, **kwargs):
    """A matplotlib figure of the family's size; constrained layout unless `constrained` is
    False (grids of many small panels: constrained layout costs seconds there, fixed margins
    do as well)."""
    layout = "constrained" if constrained else None
    return plt.figure(figsize=SIZES[family], dpi=DPI, layout=layout, **kwargs)


def slug(text):
    """A file-name-safe version of `text` ("onset_C" stays, "a/b c" -> "a_b_c")."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "x"


class Entry:
    """One figure of the report: files, family, section, title and caption."""

    def __init__(self, name, family, section, title, caption):
        self.name = name
        self.family = family
        self.section = section
        self.title = title
        self.caption = caption

    @property
    def png(self):
        """File name of the PNG, relative to the report folder."""
        return self.name + ".png"

    @property
    def svg(self):
        """File name of the SVG, relative to the report folder."""
        return self.name + ".svg"


class Report:
    """Collects the figures written into `outdir` and the notes on what was skipped."""

    def __init__(self, outdir, provenance):
        self.outdir = outdir
        self.provenance = provenance
        self.entries = []
        self.notes = []  # (section, text)
        os.makedirs(outdir, exist_ok=True)

    def save(self, fig, name, family, section, title, caption):
        """Writes `fig` as NAME.png and NAME.svg, closes it and records the entry. The caption
        gets the provenance line appended. Returns the Entry."""
        name = slug(name)
        fig.savefig(os.path.join(self.outdir, name + ".png"), dpi=DPI)
        fig.savefig(os.path.join(self.outdir, name + ".svg"))
        plt.close(fig)
        entry = Entry(name, family, section, title, f"{caption} [{self.provenance.short()}]")
        self.entries.append(entry)
        return entry

    def note(self, section, text):
        """Records why something was not drawn (shown in index.html under `section`)."""
        self.notes.append((section, text))
