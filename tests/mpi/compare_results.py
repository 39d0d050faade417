#!/usr/bin/env python3
"""Exits 0 when two study results files hold the same datasets outside /provenance, bit for bit
(NaN equal to NaN); prints the first differences otherwise. Usage: compare_results.py A.h5 B.h5"""
import sys

import h5py
import numpy as np


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("provenance"):
                found[name] = obj[()]
        f.visititems(visit)
    return found


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes()  # bitwise: NaN payloads and -0.0 included
    return bool(np.array_equal(a, b))


def main():
    a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
    problems = sorted(set(a) ^ set(b))
    problems += [name for name in sorted(set(a) & set(b)) if not same(a[name], b[name])]
    for name in problems[:20]:
        print(f"differs or missing: /{name}")
    print(f"{len(a)} datasets compared, {len(problems)} differ")
    return 1 if problems or not a else 0


if __name__ == "__main__":
    sys.exit(main())
