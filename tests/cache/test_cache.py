"""Issue 5 tile cache acceptance: hits survive restarts, a new version drops only the tiles
its changes touch, --no-cache renders every time, the size bound evicts, `tiled seed`
fills the cache `tiled serve` reads. Run: test_cache.py TILED SCRATCH [CASE ...]."""
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "import"))
from common import Server, check, check_eq, demo_store, main  # noqa: E402
from osgeo import ogr  # noqa: E402

TDM = (106.655, 10.985)       # Thủ Dầu Một
FAR = (106.45, 11.40)         # Dầu Tiếng, far north-west


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.log(math.tan(r) + 1.0 / math.cos(r)) / math.pi) / 2.0 * n)
    return z, x, y


def url(t, layers="zoning"):
    return f"/tiles/{layers}/{t[0]}/{t[1]}/{t[2]}.png"


def get(srv, t, headers=None):
    st, h, body = srv.request("GET", url(t), headers=headers)
    check(st in (200, 304), f"GET {url(t)}: {st} {body[:200]!r}")
    return st, h.get("etag"), body


def cache(srv):
    h = srv.health()
    return h.get("cache") or {}, h.get("tiles_rendered")


def case_hit_restart(env):
    store = demo_store(env, env.path("s.gpkg"))
    a = tile_of(*TDM, 14)
    srv = Server(env, store)
    _, e1, b1 = get(srv, a)
    _, e2, b2 = get(srv, a)
    c, rendered = cache(srv)
    check_eq(rendered, 1, "tiles rendered after two requests of one tile")
    check_eq((c.get("hits"), c.get("misses")), (1, 1), "cache hits, misses")
    check(e1 == e2 and b1 == b2, "a cached tile differs from the rendered one")
    srv.stop()
    srv = Server(env, store)  # a restart: the tiles on disk are found again
    _, e3, b3 = get(srv, a)
    c, rendered = cache(srv)
    check_eq(rendered, 0, "tiles rendered after a restart")
    check(e3 == e1 and b3 == b1, "the tile after a restart differs")
    st, _, _ = get(srv, a, {"If-None-Match": e1})
    check_eq(st, 304, "If-None-Match with the tile's ETag")
    srv.stop()


def modified_copy(store, path, near):
    """The zoning layer as GeoJSON with one parcel near `near` turned into water (W)."""
    src = ogr.Open(store)
    lyr = src.GetLayerByName("zoning")
    drv = ogr.GetDriverByName("GeoJSON")
    out = drv.CreateDataSource(path)
    ol = out.CreateLayer("zoning", lyr.GetSpatialRef(), ogr.wkbMultiPolygon)
    defn = lyr.GetLayerDefn()
    for i in range(defn.GetFieldCount()):
        ol.CreateField(defn.GetFieldDefn(i))
    pt = ogr.Geometry(ogr.wkbPoint)
    pt.AddPoint_2D(*near)
    best, best_d = None, 1e9
    for f in lyr:
        g = f.GetGeometryRef()
        d = g.Distance(pt)
        if d < best_d and f.GetField("zone_code") != "W":
            best, best_d = f.GetFID(), d
    lyr.ResetReading()
    changed = None
    for f in lyr:
        nf = ogr.Feature(ol.GetLayerDefn())
        for i in range(defn.GetFieldCount()):
            nf.SetField(i, f.GetField(i))
        nf.SetGeometry(f.GetGeometryRef())
        if f.GetFID() == best:
            nf.SetField("zone_code", "W")
            changed = f.GetGeometryRef().PointOnSurface()
        ol.CreateFeature(nf)
    out = None
    return changed.GetX(), changed.GetY()


def case_partial(env):
    store = demo_store(env, env.path("s.gpkg"))
    srv = Server(env, store)
    geo = env.path("zoning-v2.geojson")
    lon, lat = modified_copy(store, geo, TDM)
    near = tile_of(lon, lat, 15)
    far = tile_of(*FAR, 15)
    _, e_near, b_near = get(srv, near)
    _, e_far, b_far = get(srv, far)
    _, r0 = cache(srv)
    r = env.import_(store, "zoning", geo)
    check(r.rc == 0, "import of the modified zoning failed: " + r.describe())
    for _ in range(100):
        hl = srv.health_layer("zoning")
        if hl and hl.get("version") == 2:
            break
        subprocess.run(["sleep", "0.05"])
    check_eq(srv.health_layer("zoning").get("version"), 2, "version served after the import")
    _, e_near2, b_near2 = get(srv, near)
    _, e_far2, b_far2 = get(srv, far)
    c, r1 = cache(srv)
    check(e_near2 != e_near and b_near2 != b_near,
          f"the tile over the changed parcel {near} kept its old ETag or bytes")
    check(e_far2 == e_far and b_far2 == b_far, f"the far tile {far} changed: {e_far} {e_far2}")
    check_eq(r1 - r0, 1, "tiles rendered after the import (only the changed one)")
    st, _, _ = get(srv, far, {"If-None-Match": e_far})
    check_eq(st, 304, "the far tile's old ETag after the import")
    srv.stop()


def case_no_cache(env):
    store = demo_store(env, env.path("s.gpkg"))
    srv = Server(env, store, extra=["--no-cache"])
    a = tile_of(*TDM, 13)
    get(srv, a)
    get(srv, a)
    c, rendered = cache(srv)
    check_eq(rendered, 2, "tiles rendered with --no-cache")
    check_eq(c, {}, "cache section of /health with --no-cache")
    srv.stop()


def case_bad_config(env):
    """cache settings out of range or not numbers: `tiled serve` refuses to start, names the
    file, line and key, exits 2, and creates no cache directory."""
    store = demo_store(env, env.path("s.gpkg"))
    cases = [("cache_memory_bytes = -5", "cache_memory_bytes: -5 is out of range"),
             ("cache_memory_bytes = lots", "cache_memory_bytes: 'lots' is not an integer"),
             ("cache_max_bytes = 1e9", "cache_max_bytes: '1e9' is not an integer")]
    for i, (line, want) in enumerate(cases):
        conf = env.path(f"bad{i}.conf")
        with open(conf, "w") as fh:
            fh.write("# cache settings\n" + line + "\n")
        p = subprocess.run([env.tiled, "serve", "--store", store, "--listen", "127.0.0.1:0",
                            "--config", conf], capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        err = p.stderr.decode()
        check_eq(p.returncode, 2, f"exit status for {line!r}: {err}")
        check(f"{conf}:2: {want}" in err, f"message for {line!r}: {err!r}")
        check(not os.path.exists(store + ".tiles"), f"a cache directory appeared for {line!r}")


def case_lru(env):
    store = demo_store(env, env.path("s.gpkg"))
    limit = 150000
    srv = Server(env, store, config_lines=[f"cache_max_bytes = {limit}"])
    z, x0, y0 = tile_of(*TDM, 15)
    for dx in range(8):
        for dy in range(8):
            get(srv, (z, x0 - 4 + dx, y0 - 4 + dy))
    c, _ = cache(srv)
    check(c.get("bytes", 1 << 60) <= limit, f"cache bytes {c.get('bytes')} over the limit {limit}")
    check(c.get("evictions", 0) > 0, f"no evictions: {c}")
    on_disk = 0
    for root, _, files in os.walk(store + ".tiles"):
        on_disk += sum(os.path.getsize(os.path.join(root, f)) for f in files
                       if f.endswith(".tile"))
    check(on_disk <= limit, f"{on_disk} bytes of tiles on disk, limit {limit}")
    srv.stop()


def tile_files(store):
    out = []
    for root, _, files in os.walk(store + ".tiles"):
        out += [os.path.join(root, f) for f in files if f.endswith(".tile")]
    return out


def case_memory(env):
    """the most used tiles are also held in memory, within cache_memory_bytes."""
    store = demo_store(env, env.path("s.gpkg"))
    limit = 200000
    srv = Server(env, store, config_lines=[f"cache_memory_bytes = {limit}"])
    a = tile_of(*TDM, 15)
    _, e1, b1 = get(srv, a)
    c, rendered = cache(srv)
    check_eq((rendered, c.get("memory_tiles"), c.get("memory_bytes"), c.get("memory_max_bytes")),
             (1, 1, len(b1), limit), "rendered, memory tiles, bytes, limit after one tile")
    for f in tile_files(store):  # the copy on disk is gone: the memory one still answers
        os.unlink(f)
    _, e2, b2 = get(srv, a)
    c, rendered = cache(srv)
    check(e2 == e1 and b2 == b1, "the tile from memory differs from the rendered one")
    check_eq((rendered, c.get("hits")), (1, 1), "rendered, hits after a hit in memory")
    z, x0, y0 = a
    for dx in range(6):
        for dy in range(6):
            get(srv, (z, x0 - 3 + dx, y0 - 3 + dy))
    c, _ = cache(srv)
    check(0 < c.get("memory_bytes", 1 << 60) <= limit,
          f"memory bytes {c.get('memory_bytes')} outside (0, {limit}]")
    check(0 < c.get("memory_tiles", 0) < 36, f"memory tiles {c.get('memory_tiles')} of 36")
    srv.stop()
    # a restart: a tile found on disk is read once, then held in memory
    srv = Server(env, store)
    b = (z, x0 + 2, y0 + 2)
    _, _, bb1 = get(srv, b)
    _, _, bb2 = get(srv, b)
    c, rendered = cache(srv)
    check_eq((rendered, c.get("hits"), c.get("memory_tiles"), c.get("memory_bytes")),
             (0, 2, 1, len(bb1)), "after a restart: rendered, hits, memory tiles, bytes")
    check(bb1 == bb2, "the tile read from disk differs from the one from memory")
    srv.stop()
    # cache_memory_bytes = 0: only the disk
    srv = Server(env, store, config_lines=["cache_memory_bytes = 0"])
    get(srv, b)
    c, rendered = cache(srv)
    check_eq((rendered, c.get("hits"), c.get("memory_tiles")), (0, 1, 0),
             "cache_memory_bytes = 0: rendered, hits, memory tiles")
    srv.stop()


def case_seed(env):
    store = demo_store(env, env.path("s.gpkg"))
    r = env.run("seed", "--store", store, "--layers", "zoning", "--zoom", "11-12", "--json")
    check(r.rc == 0 and '"rendered"' in r.out, "tiled seed failed: " + r.describe())
    import json
    doc = json.loads(r.out)
    check(doc["tiles"] > 4 and doc["rendered"] == doc["tiles"], f"seed summary {doc}")
    r2 = env.run("seed", "--store", store, "--layers", "zoning", "--zoom", "11-12", "--json")
    check_eq(json.loads(r2.out)["rendered"], 0, "tiles rendered by a second seed")
    srv = Server(env, store)
    get(srv, tile_of(*TDM, 12))
    c, rendered = cache(srv)
    check_eq(rendered, 0, "tiles rendered by the server for a seeded tile")
    check_eq(c.get("hits"), 1, "cache hits for a seeded tile")
    srv.stop()
    bad = env.run("seed", "--store", store, "--layers", "nope", "--zoom", "11")
    check(bad.rc != 0 and "nope" in bad.err, "seed of an unknown layer: " + bad.describe())
    bad = env.run("seed", "--store", store, "--layers", "zoning", "--zoom", "12-3")
    check(bad.rc == 2 and "--zoom" in bad.err, "seed --zoom 12-3: " + bad.describe())


RED_SLD = """<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"
    xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer><Name>parcels</Name><UserStyle><FeatureTypeStyle><Rule>
    <PolygonSymbolizer><Fill><CssParameter name="fill">#ff0000</CssParameter></Fill>
    </PolygonSymbolizer>
  </Rule></FeatureTypeStyle></UserStyle></NamedLayer>
</StyledLayerDescriptor>
"""


def case_import_style(env):
    """`tiled import --style` attaches the SLD; the served tile is drawn with it; a bad SLD
    refuses the import before anything is written."""
    store = demo_store(env, env.path("s.gpkg"))
    geo = env.path("parcels.geojson")
    modified_copy(store, geo, TDM)
    sld = env.path("red.sld")
    with open(sld, "w") as fh:
        fh.write(RED_SLD)
    r = env.import_(store, "parcels", geo, "--style", sld)
    check(r.rc == 0, "import --style failed: " + r.describe())
    srv = Server(env, store)
    st, _, body = srv.request("GET", url(tile_of(*TDM, 16), "parcels"))
    check_eq(st, 200, "tile status")
    from osgeo import gdal
    gdal.FileFromMemBuffer("/vsimem/t.png", body)
    ds = gdal.Open("/vsimem/t.png")
    px = [ds.GetRasterBand(b).ReadAsArray()[128, 128] for b in (1, 2, 3, 4)]
    ds = None
    gdal.Unlink("/vsimem/t.png")
    check_eq([int(v) for v in px], [255, 0, 0, 255], "centre pixel of a parcels tile (red SLD)")
    srv.stop()
    bad = env.path("bad.sld")
    with open(bad, "w") as fh:
        fh.write("<StyledLayerDescriptor")
    r = env.import_(store, "parcels", geo, "--style", bad)
    check(r.rc == 2 and "bad.sld" in r.err, "import with a broken SLD: " + r.describe())
    check_eq(env.layer_info(store, "parcels").get("version"), 1, "parcels version after refusal")


CASES = {"import_style": case_import_style, "hit_restart": case_hit_restart, "partial": case_partial, "no_cache": case_no_cache,
         "lru": case_lru, "memory": case_memory, "seed": case_seed,
         "bad_config": case_bad_config}

if __name__ == "__main__":
    main(CASES)
