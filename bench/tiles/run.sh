#!/usr/bin/env bash
# bench/tiles/run.sh -- tiled against MapServer 8 and Mapnik 3.1 on the same data,
# in one interleaved run (issue 5, deliverable 1).  See bench/README.md.
#
#   bench/tiles/run.sh [--rounds N] [--scale small|medium] [--large] [--spread]
#                      [--outdir DIR] [--tiled BIN [--tiled-src DIR]] [--store S] [--tiles FILE]
#                      [--no-style] [--no-inproc] [--wrk-secs N] [--wrk-runs N] [--wrk-check-secs N]
#
# Builds tiled (Release) into OUTDIR/build unless --tiled names a binary, writes
# the demo store with `tiled demo` (kept in OUTDIR/data and reused), attaches
# ../shared/bench/styles/binhduong.sld, and drives the reference rig in
# ../shared/bench (RIG=... to move it).  Results: OUTDIR/results-SCALE/summary.md.
# OUTDIR defaults to ${TMPDIR:-/tmp}/tiled-bench (outside the repository).
# Missing Debian packages: bench/tiles/setup.sh (run automatically when a tool is missing).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUTDIR="${TMPDIR:-/tmp}/tiled-bench"
TILED=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) OUTDIR="$2"; shift 2;;
    --tiled) TILED="$2"; shift 2;;
    --rounds|--scale|--store|--tiles|--style|--tiled-src|--wrk-secs|--wrk-runs|--wrk-check-secs|--seed|--warmup) ARGS+=("$1" "$2"); shift 2;;
    --large|--spread|--no-style|--no-inproc) ARGS+=("$1"); shift;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
RIG="${RIG:-$(cd "$REPO/../shared/bench" 2>/dev/null && pwd || true)}"
[ -n "$RIG" ] && [ -f "$RIG/bench_all.py" ] || { echo "run.sh: reference rig not found (set RIG=/path/to/shared/bench)" >&2; exit 2; }

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
case "$OUTDIR/" in "$REPO"/*) echo "run.sh: --outdir must be outside the repository" >&2; exit 2;; esac

for t in mapserv shptree shapeindex spawn-fcgi nginx wrk ogr2ogr fc-match; do
  command -v "$t" >/dev/null 2>&1 || { "$HERE/setup.sh"; break; }
done
/usr/bin/python3 -c 'import osgeo, numpy, shapely, mapnik, mapscript' 2>/dev/null || "$HERE/setup.sh"

if [ -z "$TILED" ]; then
  echo "[bench/tiles] building tiled (Release) in $OUTDIR/build" >&2
  cmake -S "$REPO" -B "$OUTDIR/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$OUTDIR/build" -j2 --target tiled >/dev/null
  TILED="$OUTDIR/build/tiled/tiled"
fi
[ -x "$TILED" ] || { echo "run.sh: no tiled binary at $TILED" >&2; exit 2; }

export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$HERE/bench_tiles.py" --tiled "$TILED" --outdir "$OUTDIR" --rig "$RIG" "${ARGS[@]}"
