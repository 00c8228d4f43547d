#!/usr/bin/env bash
# Issue 3 benchmark (not a test): import the medium demo zoning layer (~100k parcels) as a
# VN-2000 (EPSG:9210) Shapefile with `tiled import`, against
# `ogr2ogr -f GPKG -t_srs EPSG:4326` of the same file; RUNS runs of each, alternating, in the
# same go; prints every run, the medians and the ratio tiled/ogr2ogr (target <= 1.0).
#
#   bench/import/run.sh                 # builds the release tiled if TILED is not given
#   TILED=build/ci/tiled/tiled RUNS=5 bench/import/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
WORK=${WORK:-build/bench-import}
PY=/usr/bin/python3
if [ -z "${TILED:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target tiled >/dev/null
  TILED=build/release/tiled/tiled
fi
mkdir -p "$WORK"

if [ ! -f "$WORK/medium.gpkg" ]; then
  echo "bench: writing the medium demo store (once)"
  "$TILED" demo --store "$WORK/medium.tmp.gpkg" --scale medium
  "$PY" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$WORK/medium.tmp.gpkg"
  mv "$WORK/medium.tmp.gpkg" "$WORK/medium.gpkg"
  rm -f "$WORK/medium.tmp.gpkg-wal" "$WORK/medium.tmp.gpkg-shm" "$WORK/medium.tmp.gpkg.lock"
fi
if [ ! -f "$WORK/zoning_9210.shp" ]; then
  echo "bench: exporting zoning to a VN-2000 / TM-3 105-45 (EPSG:9210) Shapefile (once)"
  ogr2ogr -t_srs EPSG:9210 -lco ENCODING=UTF-8 "$WORK/zoning_9210_tmp.shp" "$WORK/medium.gpkg" zoning
  for ext in dbf shx prj cpg shp; do  # .shp last: its presence marks a complete export
    mv "$WORK/zoning_9210_tmp.$ext" "$WORK/zoning_9210.$ext"
  done
fi

exec "$PY" - "$TILED" "$WORK" "$RUNS" <<'PYEOF'
import json, os, statistics, subprocess, sys, time

tiled, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = os.path.join(work, "zoning_9210.shp")
fresh = os.path.join(work, "fresh.gpkg")
out = os.path.join(work, "out.gpkg")


def clean(path):
    for suf in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(path + suf):
            os.unlink(path + suf)


def timed(argv):
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({p.returncode}): {p.stderr.decode()[-1000:]}")
    return dt, p.stdout.decode()


def cpu_info():
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


print(f"bench: {src} ({os.path.getsize(src) / 1e6:.1f} MB .shp), {runs} runs each, "
      f"{os.cpu_count()} CPUs ({cpu_info()})")
t_tiled, t_ogr, report = [], [], None
for i in range(runs):
    clean(fresh)
    dt, so = timed([tiled, "import", "--store", fresh, "--layer", "zoning", "--json", src])
    report = json.loads(so)
    t_tiled.append(dt)
    clean(out)
    dt2, _ = timed(["ogr2ogr", "-f", "GPKG", "-t_srs", "EPSG:4326", out, src])
    t_ogr.append(dt2)
    print(f"  run {i + 1}: tiled import {dt:6.2f} s   ogr2ogr {dt2:6.2f} s")
mt, mo = statistics.median(t_tiled), statistics.median(t_ogr)
print(f"tiled import: read {report['read']}, written {report['written']}, repaired "
      f"{report['repaired']}, rejected {report['rejected']}, transformation "
      f"{report['transformation']}, version {report['version']}")
print(f"median: tiled import {mt:.2f} s, ogr2ogr {mo:.2f} s, ratio tiled/ogr2ogr {mt / mo:.2f} "
      f"(target <= 1.0)")
clean(fresh)
clean(out)
PYEOF
