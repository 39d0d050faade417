#!/usr/bin/env bash
# Times the whole default study (data/configs/paper.toml, every stage recomputed with --force)
# as one process and writes bench/results/<date>-study-<device>.json: wall, user and system
# seconds and peak memory from /usr/bin/time, the per-stage seconds from the results file's
# provenance, the thread count, host CPU and commit.
#   bench/study_timing.sh [thermex binary, default build/auto/thermex] [device label]
set -euo pipefail
cd "$(dirname "$0")/.."
thermex="${1:-build/auto/thermex}"
label="${2:-cpu-$(uname -m)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/time -f '%e %U %S %M' -o "$work/time" \
  "$thermex" -q study data/configs/paper.toml -o "$work/study.h5" --force >/dev/null
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
out="bench/results/$(date -u +%Y-%m-%d)-study-${label}.json"
"$py" - "$work/study.h5" "$work/time" "$out" "$label" <<'PY'
import json, os, platform, subprocess, sys
import h5py
results, timefile, out, label = sys.argv[1:5]
wall, user, sys_s, rss_kb = open(timefile).read().split()
with h5py.File(results, "r") as f:
    p = f["provenance"]
    names = [n.decode() for n in p["stage_names"][()]]
    seconds = [float(s) for s in p["stage_seconds"][()]]
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in p.attrs.items()}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
doc = {
    "date": subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True, text=True).stdout.strip(),
    "device": label, "cpu": cpu, "cores": os.cpu_count(),
    "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
    "config": "data/configs/paper.toml",
    "threads": str(attrs.get("threads", "")), "thermex_device": str(attrs.get("device", "")),
    "wall_s": float(wall), "user_s": float(user), "sys_s": float(sys_s), "peak_rss_MiB": int(rss_kb) / 1024,
    "stages_s": dict(zip(names, seconds)),
}
json.dump(doc, open(out, "w"), indent=2)
print(json.dumps(doc, indent=2))
PY
