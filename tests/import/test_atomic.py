#!/usr/bin/python3
"""Issue 3 acceptance: atomic versions.

sigkill: the medium demo store (`tiled demo --scale medium`, ~100k zoning parcels) is exported
to a Shapefile and imported as a new version of `zoning`; the import is SIGKILLed at several
points (fixed times and just before its end, timed by a --dry-run of the same import) while a
`tiled serve` runs on the store. After each kill: the store opens (`tiled layers --json`
exits 0, PRAGMA quick_check ok), the previous version is still current with its feature
count, tiled_versions lists no half version, the layer view still has the old count, and the
running server still serves the old version. Finally a full import publishes version N+1 and
leaves no table of an interrupted writer behind.

concurrent: two imports of the same layer at the same time: one wins, the other is refused at
once with "another import"; the store is consistent afterwards."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Fail, Server, catalog, check, check_eq, demo_cache, main,  # noqa: E402
                    snapshot, stop_process)

LAYER = "zoning"
TILE = "/tiles/zoning/12/3262/1920.png"


def medium_source(env):
    """medium demo store copy + its zoning layer exported to a Shapefile (cached)."""
    cache = demo_cache(env, "medium")
    src = cache[:-5] + "_zoning.shp"
    if not os.path.exists(src):
        tmp_dir = cache[:-5] + f"_exp{os.getpid()}"
        os.makedirs(tmp_dir, exist_ok=True)
        tmp = os.path.join(tmp_dir, os.path.basename(src))
        p = subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", tmp,
                            cache, LAYER], capture_output=True)
        check(p.returncode == 0, f"ogr2ogr export failed: {p.stderr.decode()[-500:]}")
        base = tmp[:-4]
        for ext in (".dbf", ".shx", ".prj", ".cpg", ".shp"):  # .shp last: it marks complete
            if os.path.exists(base + ext):
                os.replace(base + ext, src[:-4] + ext)
        os.rmdir(tmp_dir)
    store = env.path("store.gpkg")
    shutil.copyfile(cache, store)
    return store, src


def state(env, store):
    li = env.layer_info(store, LAYER)
    check(li is not None, f"tiled layers does not list {LAYER}")
    return li


def quick_check(store):
    con = sqlite3.connect(store, timeout=30)
    try:
        r = con.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        con.close()
    check(r == "ok", f"PRAGMA quick_check: {r}")


def check_intact(env, store, srv, base_li, base_snap, label):
    li = state(env, store)
    check_eq(li.get("version"), base_li["version"], f"{label}: current version")
    check_eq(li.get("features"), base_li["features"], f"{label}: features")
    got_vs = sorted(v.get("version") for v in li.get("versions", []))
    want_vs = sorted(v.get("version") for v in base_li.get("versions", []))
    check_eq(got_vs, want_vs, f"{label}: versions listed by tiled layers (a half version?)")
    snap = snapshot(store)
    check_eq(snap["tiled_layers"], base_snap["tiled_layers"], f"{label}: tiled_layers rows")
    check_eq(snap["tiled_versions"], base_snap["tiled_versions"], f"{label}: tiled_versions rows")
    check_eq(snap["layer_counts"], base_snap["layer_counts"], f"{label}: layer view counts")
    quick_check(store)
    h = srv.health_layer(LAYER)
    check(h is not None and h.get("version") == base_li["version"] and
          h.get("features") == base_li["features"], f"{label}: /health zoning {h}")
    st, _, body = srv.request("GET", TILE)
    check(st == 200 and body[:8] == b"\x89PNG\r\n\x1a\n", f"{label}: tile {TILE}: {st}")
    orphans = [t for (ty, t, _) in snap["sqlite_master"]
               if ty == "table" and t.startswith(LAYER + "__v") and
               t not in snap["table_counts"]]
    return orphans


def check_published(env, store, srv, base_li, v_new, n, label):
    """the whole new version is published: listed with all its features beside the old
    ones, the layer view has them all, and the running server picks it up."""
    li = state(env, store)
    check_eq(li.get("version"), v_new, f"{label}: current version")
    check_eq(li.get("features"), n, f"{label}: features of the new version")
    got_vs = sorted(v.get("version") for v in li.get("versions", []))
    want_vs = sorted([v.get("version") for v in base_li.get("versions", [])] + [v_new])
    check_eq(got_vs, want_vs, f"{label}: versions listed by tiled layers")
    snap = snapshot(store)
    check_eq(snap["layer_counts"].get(LAYER), n, f"{label}: layer view count")
    quick_check(store)
    t1 = time.monotonic()
    h = None
    while time.monotonic() - t1 < 5:
        h = srv.health_layer(LAYER)
        if h and h.get("version") == v_new:
            break
        time.sleep(0.05)
    check(h is not None and h.get("version") == v_new and h.get("features") == n,
          f"{label}: /health zoning {h}")


def rebase(env, store, finished, at, why):
    """an import published after all: its version is the baseline of the next kills."""
    li = state(env, store)
    finished.append(at)
    print(f"  {why} at {at:.2f} s: v{li['version']} is whole and the new baseline",
          flush=True)
    return li, snapshot(store), li["version"]


def start_import(env, store, src, *extra):
    argv = [env.tiled, "import", "--store", store, "--layer", LAYER, "--json"] + list(extra) + [src]
    out = open(env.path(f"import-{time.monotonic_ns()}.out"), "w+b")
    err = open(env.path(f"import-{time.monotonic_ns()}.err"), "w+b")
    p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    env.procs.append(p)
    return p, out, err


def read_back(fh):
    fh.flush()
    fh.seek(0)
    return fh.read().decode("utf-8", "replace")


def case_sigkill(env):
    store, src = medium_source(env)
    srv = Server(env, store)
    base_li = state(env, store)
    base_snap = snapshot(store)
    n0 = base_li["features"]
    v0 = base_li["version"]
    print(f"  store: {LAYER} v{v0} {n0} features; source {src}", flush=True)

    # a --dry-run does everything but publish: nothing changes
    r = env.import_(store, LAYER, src, "--dry-run", timeout=240)
    check(r.rc == 0 and r.report is not None, "dry-run failed: " + r.describe())
    check_eq(r.report.get("dry_run"), True, "dry-run report dry_run")
    check_eq(r.report.get("version"), v0 + 1, "dry-run report version")
    check_eq(r.report.get("written"), n0, "dry-run written (the export of the same layer)")
    check_intact(env, store, srv, base_li, base_snap, "after --dry-run")
    print(f"  dry-run: {r.seconds:.2f} s", flush=True)

    # how long a whole import takes: time one on a throw-away copy of the store
    scratch_store = env.path("timing.gpkg")
    shutil.copyfile(store, scratch_store)
    t_full = 1e9
    for _ in range(2):  # the faster of two: the machine is shared and noisy
        t0 = time.monotonic()
        r = env.import_(scratch_store, LAYER, src, timeout=240)
        check(r.rc == 0 and r.report is not None, "import into a copy failed: " + r.describe())
        t_full = min(t_full, time.monotonic() - t0)
    os.unlink(scratch_store)
    print(f"  a whole import takes {t_full:.2f} s", flush=True)

    points = [0.2, 0.5, 1.0, 2.0, 4.0] + [t_full * f for f in (0.25, 0.5, 0.7, 0.85, 0.95)]
    points = [x for x in sorted(points) if x < t_full * 0.96]
    dedup = []
    for x in points:
        if not dedup or x - dedup[-1] > 0.08:
            dedup.append(x)
    points = dedup
    killed, finished = [], []
    for at in points:
        p, out, err = start_import(env, store, src)
        deadline = time.monotonic() + at
        while time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.01)
        if p.poll() is not None:
            # faster than measured (a noisy machine): a whole import, which must have
            # published one version; it becomes the baseline for the next kills
            check_eq(p.returncode, 0, f"import meant to be killed at {at:.2f} s: exit status "
                     f"{read_back(err)[-300:]}")
            check_eq(state(env, store).get("version"), v0 + 1,
                     f"early-finished import at {at:.2f} s")
            base_li, base_snap, v0 = rebase(env, store, finished, at,
                                            "the import finished before the kill")
            continue
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        check_eq(p.returncode, -signal.SIGKILL, f"import killed at {at:.2f} s: exit status")
        li = state(env, store)
        if li.get("version") == v0 + 1:
            # the kill came after the publishing commit (while the process was pruning,
            # writing its report or, in a sanitizer build, checking for leaks at exit):
            # all of the new version, never part of it, is the other atomic outcome
            check_published(env, store, srv, base_li, v0 + 1, n0, f"killed at {at:.2f} s")
            base_li, base_snap, v0 = rebase(env, store, finished, at,
                                            "killed after the publishing commit")
            continue
        orphans = check_intact(env, store, srv, base_li, base_snap, f"killed at {at:.2f} s")
        killed.append(at)
        print(f"  killed at {at:.2f} s: v{v0} still current, {n0} features; "
              f"tables of the interrupted writer: {orphans or 'none'}", flush=True)

    check(len(killed) >= 4, f"only {len(killed)} imports were killed mid-way ({killed}); "
          f"finished early: {finished}")
    # a full import now publishes N+1, and drops what the interrupted writers left
    r = env.import_(store, LAYER, src, timeout=240)
    check(r.rc == 0 and r.report is not None, "the full import after the kills failed: "
          + r.describe())
    check_eq(r.report.get("version"), v0 + 1, "version published after the kills")
    check_eq(r.report.get("written"), n0, "written")
    li = state(env, store)
    check_eq(li.get("version"), v0 + 1, "tiled layers version after the full import")
    check_eq(li.get("features"), n0, "tiled layers features after the full import")
    lrow, vrows, tables = catalog(store, LAYER)
    check_eq(lrow["current_version"], v0 + 1, "tiled_layers.current_version")
    referenced = {v["table_name"] for v in vrows}
    stray = [t for t in tables if t not in referenced and not t.startswith("rtree_")]
    check(not stray, f"tables of interrupted writers left after a full import: {stray}")
    quick_check(store)
    # the server picks the new version up (issue: within 1 s)
    t1 = time.monotonic()
    while time.monotonic() - t1 < 5:
        h = srv.health_layer(LAYER)
        if h and h.get("version") == v0 + 1:
            break
        time.sleep(0.05)
    check(h and h.get("version") == v0 + 1 and h.get("features") == n0, f"/health: {h}")
    print(f"  kills at {killed}; full import {r.seconds:.2f} s published v{v0 + 1}", flush=True)
    srv.stop()


def case_concurrent(env):
    store, src = medium_source(env)
    base_li = state(env, store)
    v0, n0 = base_li["version"], base_li["features"]

    # A starts; B starts while A is surely running: B is refused at once
    pa, outa, erra = start_import(env, store, src)
    time.sleep(0.5)
    check(pa.poll() is None, f"import A ended within 0.5 s: {read_back(erra)}")
    t0 = time.monotonic()
    rb = env.import_(store, LAYER, src, timeout=240)
    tb = time.monotonic() - t0
    a_running = pa.poll() is None
    pa.wait(timeout=240)
    check(pa.returncode == 0, f"import A failed: {pa.returncode} {read_back(erra)}")
    check(rb.rc != 0, "import B succeeded while A was running: " + rb.describe())
    lines = [ln for ln in rb.err.splitlines() if ln.strip()]
    check(len(lines) == 1 and lines[0].startswith("tiled import: ") and
          "another import" in lines[0].lower(), "import B's refusal: " + rb.describe())
    check(a_running and tb < 2.0, f"import B took {tb:.2f} s to be refused (A still running: "
                                  f"{a_running}); it should fail at once")
    li = state(env, store)
    check_eq(li.get("version"), v0 + 1, "version after A")
    check_eq(li.get("features"), n0, "features after A")
    check_eq(sorted(v["version"] for v in li["versions"]), sorted(
        [v["version"] for v in base_li["versions"]] + [v0 + 1]), "versions after A and B")
    print(f"  B refused in {tb:.2f} s: {lines[0]}", flush=True)

    # both at the same instant: exactly one wins
    snap0 = snapshot(store)
    procs = [start_import(env, store, src) for _ in range(2)]
    for p, _, _ in procs:
        p.wait(timeout=240)
    rcs = [p.returncode for p, _, _ in procs]
    errs = [read_back(e) for _, _, e in procs]
    check(sorted(x == 0 for x in rcs) == [False, True],
          f"two simultaneous imports: exit statuses {rcs}, stderr {errs}")
    loser = errs[rcs.index(next(x for x in rcs if x != 0))]
    check("another import" in loser.lower(), f"the loser's message: {loser!r}")
    li = state(env, store)
    check_eq(li.get("version"), v0 + 2, "version after the race")
    check_eq(li.get("features"), n0, "features after the race")
    lrow, vrows, tables = catalog(store, LAYER)
    before = sum(1 for r in snap0["tiled_versions"] if r[0] == LAYER)
    check_eq(len(vrows), before + 1, "zoning versions after the race")
    quick_check(store)
    for p, _, _ in procs:
        stop_process(p)
    stop_process(pa)


CASES = {"sigkill": case_sigkill, "concurrent": case_concurrent}

if __name__ == "__main__":
    main(CASES)
