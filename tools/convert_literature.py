#!/usr/bin/env python3
"""Converts the hand-collected literature seed table (literature_dsc.csv as delivered, with the
provenance notes in literature_dsc.md) to the thermex DSC schema (data/SCHEMA.md).

Usage: tools/convert_literature.py SOURCE.csv [OUT.csv]   (OUT defaults to data/literature_dsc.csv)

Every number is copied unchanged. The columns the source table does not have (charge_method,
washed, electrolyte_class, method, onset/peak definition, heat basis) are set per row from the
source's notes and the pitfalls section of literature_dsc.md; PITFALLS below says which and why.
The script refuses to run on a source whose rows differ from the 11 rows it was written for, so
a changed source is noticed instead of silently mislabelled.
"""
import csv
import sys

# Canonical column order of the schema (src/io/dsc_csv_columns.cpp, data/SCHEMA.md).
COLUMNS = [
    "record_id", "origin", "source_doi", "where_in_source", "read_from", "material_class",
    "formula", "li_pristine", "ni", "co", "mn", "al", "dopants", "coating", "charge_method",
    "li_charged", "cutoff_voltage_V", "washed", "electrolyte_present", "electrolyte_ratio",
    "electrolyte_amount_note", "electrolyte_class", "electrolyte_composition", "additive",
    "method", "crucible", "scan_rate_C_per_min", "active_frac", "carbon_frac", "binder_frac",
    "onset_definition", "peak_definition", "heat_basis", "onset_C", "peak_C",
    "max_heat_flow_W_per_g", "total_heat_J_per_g", "notes",
]

# Source column -> schema column, where the name changed.
RENAMED = {
    "li_content": "li_charged",
    "other_dopants": "dopants",
    "electrolyte_amount": "electrolyte_amount_note",
}

# Per source row (1-based, file order): the source's first 40 characters of `notes` (to detect
# a changed source), the schema columns the source table lacks, and a sentence appended to the
# notes when a value was inferred rather than read.
PITFALLS = [
    ("Baba, Okada, Yamaki, Solid State Ionics", dict(
        charge_method="chemical", washed="unknown", electrolyte_class="none", method="DSC",
        onset_definition="baseline", peak_definition="unspecified", heat_basis="oxide"),
     "Schema: onset_definition=baseline because the source gives the temperature where the "
     "peak 'begins'; heat_basis=oxide because heats are 'based on cathode weight'."),
    ("Baba, Okada, Yamaki, Solid State Ionics", dict(
        charge_method="chemical", washed="unknown", electrolyte_class="carbonate_lipf6",
        method="DSC", onset_definition="baseline", peak_definition="unspecified",
        heat_basis="oxide"),
     "Schema: onset_definition=baseline ('beginning' of the peak); heat_basis=oxide "
     "('per g cathode')."),
    ("Duh, Lee, Chen, Kao (Thermochim. Acta). 'D", dict(
        charge_method="unknown", washed="unknown", electrolyte_class="solvent_only", method="DSC",
        onset_definition="unspecified", peak_definition="unspecified", heat_basis="unspecified"),
     "Schema: electrolyte_class=solvent_only (EC without salt); onset definition not stated."),
    ("Duh, Lee, Chen, Kao (Thermochim. Acta). D", dict(
        charge_method="unknown", washed="unknown", electrolyte_class="solvent_only", method="DSC",
        onset_definition="unspecified", peak_definition="strongest", heat_basis="unspecified"),
     "Schema: peak_definition=strongest (the 'strong peak' of four, not necessarily the "
     "first); electrolyte_class=solvent_only (EC without salt)."),
    ("Belharouak, Vissers, Amine, 'Thermal stab", dict(
        charge_method="electrochemical", washed="unknown", electrolyte_class="solvent_only",
        method="DSC", onset_definition="unspecified", peak_definition="unspecified",
        heat_basis="unspecified"),
     "Schema: peak_definition=unspecified because the source does not say whether the "
     "temperature is an onset or a peak; electrolyte_class=solvent_only (EC without salt)."),
    ("Belharouak, Vissers, Amine, 'Thermal stab", dict(
        charge_method="electrochemical", washed="unknown", electrolyte_class="carbonate_lipf6",
        method="DSC", onset_definition="unspecified", peak_definition="unspecified",
        heat_basis="unspecified"),
     "Schema: peak_definition=unspecified (onset or peak not stated); "
     "electrolyte_class=carbonate_lipf6 assumed for 'LiPF6 dissolved in electrolyte' in a "
     "study of EC-based cell components (solvents not stated in the abstract)."),
    ("Belharouak, Vissers, Amine, 'Thermal stab", dict(
        charge_method="electrochemical", washed="unknown", electrolyte_class="salt_only",
        method="DSC", onset_definition="unspecified", peak_definition="unspecified",
        heat_basis="unspecified"),
     "Schema: peak_definition=unspecified (onset or peak not stated); "
     "electrolyte_class=salt_only (solid LiPF6, no solvent)."),
    ("Belharouak, Vissers, Amine, 'Thermal stab", dict(
        charge_method="electrochemical", washed="unknown", electrolyte_class="none",
        method="DSC", onset_definition="unspecified", peak_definition="unspecified",
        heat_basis="unspecified"),
     "Schema: peak_definition=unspecified (onset or peak not stated); electrolyte_class=none "
     "(PVDF binder only)."),
    ("'Oxygen evolution in overcharged LixNi1/3", dict(
        charge_method="electrochemical", washed="yes", electrolyte_class="none", method="DSC",
        onset_definition="unspecified", peak_definition="first", heat_basis="unspecified"),
     "Schema: peak_definition=first (239 C is the first of the two exothermic peaks); "
     "washed=yes as stated."),
    ("Maleki et al., 'Thermal stability studies", dict(
        charge_method="electrochemical", washed="no", electrolyte_class="unknown", method="DSC",
        onset_definition="unspecified", peak_definition="unspecified", heat_basis="electrode"),
     "Schema: washed=no (unwashed PE); heat_basis=electrode because the heat is per g of "
     "positive electrode taken from cells; electrolyte_class=unknown (cell electrolyte not "
     "stated in the abstract)."),
    ("Zhong, Gong, Wang, Xu, Chen, Front. Energy", dict(
        charge_method="electrochemical", washed="unknown", electrolyte_class="none",
        method="C80", onset_definition="unspecified", peak_definition="unspecified",
        heat_basis="unspecified"),
     "Schema: method=C80 (Calvet microcalorimeter, not DSC); total_heat_J_per_g is the "
     "magnitude of the reported -88 J/g (source sign negative for exothermic)."),
]


def convert(rows):
    if len(rows) != len(PITFALLS):
        sys.exit(f"expected {len(PITFALLS)} source rows, found {len(rows)}")
    out = []
    for i, (row, (notes_start, extra, sentence)) in enumerate(zip(rows, PITFALLS), start=1):
        if not row["notes"].startswith(notes_start):
            sys.exit(f"source row {i} is not the row this script was written for: {row['notes'][:40]!r}")
        rec = {c: "" for c in COLUMNS}
        for key, value in row.items():
            rec[RENAMED.get(key, key)] = value.strip()
        unknown = set(rec) - set(COLUMNS)
        if unknown:
            sys.exit(f"source column(s) not mapped: {sorted(unknown)}")
        rec.update(extra)
        rec["record_id"] = f"lit-{i:04d}"
        rec["origin"] = "literature"
        rec["notes"] = f"{rec['notes']} {sentence}"
        out.append(rec)
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    target = sys.argv[2] if len(sys.argv) == 3 else "data/literature_dsc.csv"
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    records = convert(rows)
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    print(f"{target}: {len(records)} rows")


if __name__ == "__main__":
    main()
