#!/usr/bin/python3
"""Issue 3 acceptance: a running `tiled serve` picks up new versions within 1 s (tiles keep
answering 200 during the import), rollback (CLI and HTTP), --keep pruning, --dry-run
publishing nothing, and the HTTP upload (auth, report, versions)."""
import math
import os
import subprocess
import sys
import threading
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Server, assert_unchanged, auth, catalog, check, check_eq,  # noqa: E402
                    demo_store, main, ogr, snapshot, write_layer)

LAYER = "zoning"
TOKEN = "live-test-token-0123456789"
PICKUP_S = 1.0


def tile_of(lon, lat, z):
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.log(math.tan(r) + 1.0 / math.cos(r)) / math.pi) / 2.0 * n)
    return f"/tiles/{LAYER}/{z}/{x}/{y}.png"


CX, CY = 106.70, 11.05
TILE = tile_of(CX, CY, 13)


def parcels(env, name, n=6, shift=0.0):
    """n parcels around the test tile's centre, attribute zone_code as in the demo."""
    src = env.path(name + ".geojson")
    feats = []
    for i in range(n):
        x = CX - 0.02 + 0.007 * i + shift
        feats.append(({"zone_code": "IND" if i % 2 else "GR", "so_thua": i + 1},
                      f"POLYGON (({x:.6f} {CY - 0.01:.6f},{x + 0.006:.6f} {CY - 0.01:.6f},"
                      f"{x + 0.006:.6f} {CY + 0.01:.6f},{x:.6f} {CY + 0.01:.6f},"
                      f"{x:.6f} {CY - 0.01:.6f}))"))
    write_layer(src, "GeoJSON", feats, [("zone_code", ogr.OFTString), ("so_thua", ogr.OFTInteger)],
                ogr.wkbPolygon, epsg=4326)
    return src


def wait_version(srv, layer, version, limit=5.0):
    """Seconds until /health shows the layer at version (polling every 10 ms), or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        h = srv.health_layer(layer)
        if h is not None and h.get("version") == version:
            return time.monotonic() - t0, h
        time.sleep(0.01)
    return None, srv.health_layer(layer)


def tile(srv):
    st, _, body = srv.request("GET", TILE)
    check(st == 200 and body[:8] == b"\x89PNG\r\n\x1a\n", f"GET {TILE}: {st} {body[:100]!r}")
    return body


class TileHammer(threading.Thread):
    """GETs the test tile in a loop until stopped; records every status."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv, self.stop_flag, self.statuses, self.errors = srv, False, [], []

    def run(self):
        while not self.stop_flag:
            try:
                st, _, _ = self.srv.request("GET", TILE, timeout=10)
                self.statuses.append(st)
            except Exception as e:  # noqa: BLE001
                self.errors.append(repr(e))


def case_pickup(env):
    store = demo_store(env, env.path("store.gpkg"))
    srv = Server(env, store)
    v1_tile = tile(srv)
    hammer = TileHammer(srv)
    hammer.start()
    try:
        src = parcels(env, "dot_moi")
        rep = env.import_ok(store, LAYER, src)
        check_eq(rep["version"], 2, "version")
        delay, h = wait_version(srv, LAYER, 2)  # polling starts as the import exits
        check(delay is not None, f"/health still shows {h} 5 s after the import")
        print(f"  pick-up delay after the import exited: {delay:.3f} s", flush=True)
        check(delay <= PICKUP_S, f"new version seen after {delay:.3f} s (> {PICKUP_S} s)")
        check_eq(h.get("features"), 6, "/health features of v2")
        # a brand-new layer too
        rep = env.import_ok(store, "thua_moi", src)
        delay2, h2 = wait_version(srv, "thua_moi", 1)
        check(delay2 is not None and delay2 <= PICKUP_S,
              f"new layer seen after {delay2} s: {h2}")
        print(f"  new layer pick-up delay: {delay2:.3f} s", flush=True)
    finally:
        hammer.stop_flag = True
        hammer.join(30)
    check(not hammer.errors, f"tile requests failed during the import: {hammer.errors[:3]}")
    bad = [s for s in hammer.statuses if s != 200]
    check(hammer.statuses and not bad, f"{len(bad)} of {len(hammer.statuses)} tile requests "
                                       f"during the import were not 200: {bad[:5]}")
    print(f"  {len(hammer.statuses)} tile requests during the import, all 200", flush=True)
    v2_tile = tile(srv)
    check(v2_tile != v1_tile, "the tile did not change with the new version")
    srv.stop()


def case_rollback(env):
    store = demo_store(env, env.path("store.gpkg"))
    srv = Server(env, store)
    v1_tile = tile(srv)
    n1 = env.layer_info(store, LAYER)["features"]
    env.import_ok(store, LAYER, parcels(env, "dot_2"))
    check(wait_version(srv, LAYER, 2)[0] is not None, "v2 not picked up")
    v2_tile = tile(srv)
    check(v2_tile != v1_tile, "v2's tile equals v1's")
    r = env.run("rollback", "--store", store, "--layer", LAYER, "--version", "1")
    check(r.rc == 0, "rollback failed: " + r.describe())
    t_done = time.monotonic()
    li = env.layer_info(store, LAYER)
    check_eq(li["version"], 1, "current version after rollback")
    check_eq(li["features"], n1, "features after rollback")
    cur = [v["version"] for v in li["versions"] if v.get("current")]
    check_eq(cur, [1], "versions marked current")
    check(2 in [v["version"] for v in li["versions"]], "rollback dropped version 2")
    delay, h = wait_version(srv, LAYER, 1)
    check(delay is not None, f"/health after rollback: {h}")
    print(f"  rollback seen by the server after {time.monotonic() - t_done:.3f} s", flush=True)
    check(time.monotonic() - t_done <= PICKUP_S + 0.2, "rollback pick-up too slow")
    check_eq(h.get("features"), n1, "/health features after rollback")
    check(tile(srv) == v1_tile, "the tile after rollback differs from version 1's tile")
    # unknown version: refused, names the number, nothing changes
    before = snapshot(store)
    r = env.run("rollback", "--store", store, "--layer", LAYER, "--version", "42")
    check(r.rc != 0, "rollback to version 42 succeeded: " + r.describe())
    check("42" in r.err, "message should name version 42: " + r.describe())
    check_eq(len([x for x in r.err.splitlines() if x.strip()]), 1, "stderr lines")
    assert_unchanged(before, snapshot(store))
    # and forward again
    r = env.run("rollback", "--store", store, "--layer", LAYER, "--version", "2")
    check(r.rc == 0, "rollback to 2 failed: " + r.describe())
    check(wait_version(srv, LAYER, 2)[0] is not None, "roll forward to v2 not picked up")
    check(tile(srv) == v2_tile, "the tile after rolling forward differs from version 2's")
    srv.stop()


def case_keep(env):
    store = demo_store(env, env.path("store.gpkg"))
    src = parcels(env, "dot")
    # default --keep 5: v1 (demo) + 6 imports = 7 versions, the newest 5 are kept
    for i in range(6):
        rep = env.import_ok(store, LAYER, src)
        check_eq(rep["version"], i + 2, "version")
    lrow, vrows, tables = catalog(store, LAYER)
    check_eq([v["version"] for v in vrows], [3, 4, 5, 6, 7], "kept versions (default --keep 5)")
    check_eq(sorted(tables), sorted(v["table_name"] for v in vrows),
             "version tables left (dropped with their catalog rows?)")
    li = env.layer_info(store, LAYER)
    check_eq(sorted(v["version"] for v in li["versions"]), [3, 4, 5, 6, 7], "tiled layers versions")
    # --keep 2
    rep = env.import_ok(store, LAYER, src, "--keep", "2")
    check_eq(rep["version"], 8, "version")
    lrow, vrows, tables = catalog(store, LAYER)
    check_eq([v["version"] for v in vrows], [7, 8], "kept versions (--keep 2)")
    check_eq(sorted(tables), ["zoning__v7", "zoning__v8"], "version tables (--keep 2)")
    check_eq(lrow["current_version"], 8, "current version")
    # other layers untouched
    for other in ("roads", "districts"):
        _, ov, ot = catalog(store, other)
        check_eq([v["version"] for v in ov], [1], f"{other} versions")
    # a pruned version cannot be rolled back to
    r = env.run("rollback", "--store", store, "--layer", LAYER, "--version", "3")
    check(r.rc != 0 and "3" in r.err, "rollback to pruned version 3: " + r.describe())
    ds = ogr.Open(store)
    check_eq(ds.GetLayerByName(LAYER).GetFeatureCount(), 6, "features in the view")
    ds = None


def case_dry_run(env):
    store = demo_store(env, env.path("store.gpkg"))
    before = snapshot(store)
    src = parcels(env, "thu")
    rep = env.import_ok(store, LAYER, src, "--dry-run")
    check_eq(rep.get("dry_run"), True, "dry_run")
    check_eq(rep.get("version"), 2, "the version it would get")
    check_eq(rep.get("written"), 6, "written (would be)")
    assert_unchanged(before, snapshot(store))
    # a new layer: nothing appears either
    rep = env.import_ok(store, "moi", src, "--dry-run")
    check_eq(rep.get("version"), 1, "the version a new layer would get")
    assert_unchanged(before, snapshot(store))
    # into a store that does not exist: report, and (reasonable reading) no layer published
    fresh = env.path("fresh.gpkg")
    rep = env.import_ok(fresh, "moi", src, "--dry-run")
    check_eq(rep.get("version"), 1, "version in a fresh store")
    if os.path.exists(fresh):
        check(env.layer_info(fresh, "moi") is None, "--dry-run published into a fresh store")


def case_http_upload(env):
    store = demo_store(env, env.path("store.gpkg"))
    srv = Server(env, store, ["admin_token = other-token-0123456789", f"admin_token = {TOKEN}",
                              "upload_max_bytes = 10485760"])
    src = parcels(env, "tai_len")
    with open(src, "rb") as fh:
        body = fh.read()
    before = snapshot(store)
    # 401: no token, wrong token, wrong scheme
    for hdr in ({}, auth("wrong"), {"Authorization": "Basic " + TOKEN}, auth(TOKEN + "x")):
        st, doc, raw = srv.json("POST", f"/admin/layers/{LAYER}?filename=a.geojson", body, hdr)
        check_eq(st, 401, f"upload with {hdr}: {raw[:200]!r}")
        check(isinstance(doc, dict) and "error" in doc, f"401 body: {raw[:200]!r}")
    st, _, raw = srv.json("GET", f"/admin/layers/{LAYER}/versions")
    check_eq(st, 401, f"versions without a token: {raw[:200]!r}")
    st, _, raw = srv.json("POST", f"/admin/layers/{LAYER}/rollback?version=1")
    check_eq(st, 401, f"rollback without a token: {raw[:200]!r}")
    assert_unchanged(before, snapshot(store))
    # 200 with the report (the second configured token works as well)
    st, rep, raw = srv.json("POST", f"/admin/layers/{LAYER}?filename=tai_len.geojson", body,
                            auth(TOKEN))
    check_eq(st, 200, f"upload: {raw[:500]!r}")
    check(isinstance(rep, dict), f"upload answer is not JSON: {raw[:300]!r}")
    check_eq(rep.get("layer"), LAYER, "report layer")
    check_eq(rep.get("version"), 2, "report version")
    check_eq(rep.get("written"), 6, "report written")
    check_eq(rep.get("dry_run"), False, "report dry_run")
    delay, h = wait_version(srv, LAYER, 2)
    check(delay is not None and delay <= PICKUP_S, f"upload pick-up: {delay} {h}")
    check_eq(env.layer_info(store, LAYER)["version"], 2, "tiled layers after the upload")
    # a zipped shapefile with the VN-2000 hint, no filename: read as a zip
    shp = env.path("vn.shp")
    write_layer(shp, "ESRI Shapefile", [({"id": 1}, "POINT (598190.0368 1205542.2107)")],
                [("id", ogr.OFTInteger)], ogr.wkbPoint, epsg=9210, layer="vn")
    os.unlink(env.path("vn.prj"))
    z = env.path("vn.zip")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in (".shp", ".shx", ".dbf"):
            zf.write(env.path("vn" + ext), "vn" + ext)
    with open(z, "rb") as fh:
        zbody = fh.read()
    st, rep, raw = srv.json("POST", "/admin/layers/moc?s_srs=EPSG:9210", zbody, auth(TOKEN))
    check_eq(st, 200, f"zip upload: {raw[:500]!r}")
    check_eq(rep.get("transformation"), "EPSG:6960", "zip upload transformation")
    ext = rep.get("extent")
    check(ext and abs(ext[0] - 106.65) < 1e-6 and abs(ext[1] - 10.90) < 1e-6,
          f"zip upload extent {ext}, want the point 106.65 10.90")
    # versions
    st, vs, raw = srv.json("GET", f"/admin/layers/{LAYER}/versions", headers=auth(TOKEN))
    check_eq(st, 200, f"versions: {raw[:300]!r}")
    lst = vs.get("versions") if isinstance(vs, dict) else vs
    check(isinstance(lst, list) and sorted(v.get("version") for v in lst) == [1, 2],
          f"versions answer: {raw[:500]!r}")
    # rollback over HTTP
    st, doc, raw = srv.json("POST", f"/admin/layers/{LAYER}/rollback?version=1", b"",
                            auth(TOKEN))
    check_eq(st, 200, f"rollback: {raw[:300]!r}")
    delay, h = wait_version(srv, LAYER, 1)
    check(delay is not None and delay <= PICKUP_S, f"HTTP rollback pick-up: {delay} {h}")
    check_eq(env.layer_info(store, LAYER)["version"], 1, "tiled layers after HTTP rollback")
    st, doc, raw = srv.json("POST", f"/admin/layers/{LAYER}/rollback?version=77", b"",
                            auth(TOKEN))
    check(st in (400, 404) and "77" in raw.decode("utf-8", "replace"),
          f"rollback to 77: {st} {raw[:300]!r}")
    srv.stop()


def case_upload_busy(env):
    """while an upload is imported the server keeps answering, even with one network
    thread: the import runs on a worker thread (before, every request on that thread
    waited for the whole import)."""
    store = demo_store(env, env.path("store.gpkg"))
    src = env.path("zoning.geojson")
    p = subprocess.run(["ogr2ogr", "-f", "GeoJSON", src, store, LAYER], capture_output=True)
    check(p.returncode == 0, f"ogr2ogr: {p.stderr.decode()[-300:]}")
    with open(src, "rb") as fh:
        body = fh.read()
    srv = Server(env, store, [f"admin_token = {TOKEN}", "upload_max_bytes = 104857600"],
                 ["--threads", "1"])
    result = {}

    def upload():
        t0 = time.monotonic()
        result["answer"] = srv.json("POST", "/admin/layers/copy?filename=z.geojson", body,
                                    auth(TOKEN))
        result["seconds"] = time.monotonic() - t0

    th = threading.Thread(target=upload)
    th.start()
    answered, slowest = 0, 0.0
    while th.is_alive():
        t0 = time.monotonic()
        st, _, _ = srv.request("GET", "/health")
        dt = time.monotonic() - t0
        check_eq(st, 200, "/health during the upload")
        answered += 1
        slowest = max(slowest, dt)  # sent while the upload was running
    th.join()
    st, rep, raw = result["answer"]
    check_eq(st, 200, f"upload: {raw[:300]!r}")
    check_eq(rep.get("written"), env.layer_info(store, LAYER)["features"], "upload written")
    # a /health that had to wait for the import would take about as long as the import
    limit = max(0.15, 0.3 * result["seconds"])
    check(answered >= 5 and slowest < limit,
          f"{answered} /health answers during a {result['seconds']:.2f}-s upload, slowest "
          f"{slowest * 1000:.0f} ms (limit {limit * 1000:.0f}): the import blocks the network "
          f"thread")
    print(f"  {answered} /health answers during the {result['seconds']:.2f}-s upload, slowest "
          f"{slowest * 1000:.0f} ms", flush=True)
    srv.stop()


CASES = {"pickup": case_pickup, "rollback": case_rollback, "keep": case_keep,
         "dry_run": case_dry_run, "http_upload": case_http_upload,
         "upload_busy": case_upload_busy}

if __name__ == "__main__":
    main(CASES)
