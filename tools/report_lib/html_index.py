"""index.html: every figure with its caption, the notes on what was skipped, and provenance."""

import html
import os

# Section order on the page (figure modules name their section).
SECTIONS = ["Feature screening", "Model accuracy", "SHAP", "SHAP dependence",
            "Feature-significance dynamics", "Composition sweeps", "Validation"]

STYLE = """body{font-family:sans-serif;max-width:1300px;margin:auto;padding:1em;color:#222}
.banner{background:#c0392b;color:white;padding:.6em 1em;font-weight:bold;font-size:1.2em}
figure{margin:1.5em 0;border-top:1px solid #ccc;padding-top:.5em}
figure img{max-width:100%;height:auto}
figcaption{font-size:.9em;color:#444}
.note{color:#8a4b00} table{border-collapse:collapse} td,th{padding:2px 8px;border:1px solid #ccc}
"""


def write(report, results_path):
    """Writes index.html into the report folder; returns its path."""
    prov = report.provenance
    e = html.escape
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
           f"<title>thermex study report — {e(str(prov.config_name))}</title>",
           f"<style>{STYLE}</style></head><body>"]
    if prov.synthetic:
        out.append("<div class='banner'>SYNTHETIC data: this study uses synthetic records, "
                   "not (only) measurements — "
                   f"{e(_reasons(prov.synthetic_reasons))}</div>")
    out.append(f"<h1>thermex study report — {e(str(prov.config_name))}</h1>")
    out.append(_provenance_table(prov, results_path))
    used = {s for s, _ in report.notes} | {x.section for x in report.entries}
    sections = SECTIONS + sorted(used - set(SECTIONS))
    for section in sections:
        entries = [x for x in report.entries if x.section == section]
        notes = [n for s, n in report.notes if s == section]
        if not entries and not notes:
            continue
        out.append(f"<h2>{e(section)}</h2>")
        for n in notes:
            out.append(f"<p class='note'>Note: {e(n)}</p>")
        for x in entries:
            out.append(f"<figure id='{e(x.name)}'><h3>{e(x.title)}</h3>"
                       f"<a href='{e(x.svg)}'><img src='{e(x.png)}' alt='{e(x.title)}'></a>"
                       f"<figcaption>{e(x.caption)} (<a href='{e(x.svg)}'>SVG</a>, "
                       f"<a href='{e(x.png)}'>PNG</a>)</figcaption></figure>")
    out.append("</body></html>")
    path = os.path.join(report.outdir, "index.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return path


def _reasons(reasons, shown=2):
    """The first `shown` reasons (record counts come first), then how many more there are."""
    more = len(reasons) - shown
    return "; ".join(reasons[:shown]) + (f" (and {more} more indications)" if more > 0 else "")


def _provenance_table(prov, results_path):
    """The provenance block at the top of the page."""
    e = html.escape
    rows = [("results file", os.path.abspath(results_path)), ("thermex version", prov.version),
            ("git commit", prov.commit), ("seed", prov.seed), ("config", prov.config_name),
            ("device", prov.device), ("created (UTC)", prov.created)]
    body = "".join(f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    if prov.stages:
        stages = ", ".join(f"{n} {s:.2f} s{' (reused)' if r else ''}"
                           for n, s, r in prov.stages)
        body += f"<tr><th>stages</th><td>{e(stages)}</td></tr>"
    return f"<table>{body}</table>"
