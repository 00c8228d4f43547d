#!/usr/bin/python3
"""Issue 3 acceptance: one test per bad input. Each imports into layer `zoning` of a store
written by `tiled demo --scale small` and asserts the refusal (exit status, ONE stderr line
`tiled import: <message>` with the expected words) and that the store is unchanged: the rows
of tiled_layers and tiled_versions, the list of schema objects in sqlite_master and the
feature counts of every version table and layer view are identical before and after.
The HTTP cases do the same through `POST /admin/layers/zoning` of a running `tiled serve`."""
import os
import re
import struct
import sys
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Server, assert_unchanged, auth, check, check_eq, demo_store,  # noqa: E402
                    iconv, main, ogr, snapshot, square_wkt, write_dbf, write_layer)

TOKEN = "s3cret-import-token"
LAYER = "zoning"


def base(env):
    store = demo_store(env, env.path("store.gpkg"))
    return store, snapshot(store)


def small_shp(env, name="xa", n=3, epsg=4326):
    shp = env.path(name + ".shp")
    feats = [({"id": i + 1, "ten": f"xa {i + 1}"}, square_wkt(106.6 + 0.02 * i, 10.95))
             for i in range(n)]
    write_layer(shp, "ESRI Shapefile", feats, [("id", ogr.OFTInteger), ("ten", ogr.OFTString, 40)],
                ogr.wkbPolygon, epsg=epsg, layer=name, lco=["ENCODING=UTF-8"])
    return shp


def png_bytes():
    """A real 1x1 PNG."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"\x00\xff\x00\x00\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def refused(env, store, before, source, *opts, rc, contains):
    msg = env.import_fails(store, LAYER, source, *opts, rc=rc, contains=contains)
    print(f"  refused: {msg}", flush=True)
    assert_unchanged(before, snapshot(store))
    # the previous version is still what `tiled layers` shows
    li = env.layer_info(store, LAYER)
    check(li is not None and li.get("version") == 1, f"tiled layers after the refusal: {li}")
    return msg


def case_truncated_shp(env):
    store, before = base(env)
    shp = small_shp(env, "cat_ngang", n=40)
    size = os.path.getsize(shp)
    with open(shp, "r+b") as fh:
        fh.truncate(size * 6 // 10)
    refused(env, store, before, shp, rc=2, contains=("cat_ngang.shp",))


def case_missing_dbf(env):
    store, before = base(env)
    shp = small_shp(env, "thieu_dbf")
    os.unlink(env.path("thieu_dbf.dbf"))
    refused(env, store, before, shp, rc=2, contains=("thieu_dbf", ".dbf"))


def case_missing_prj(env):
    store, before = base(env)
    shp = small_shp(env, "khong_prj")
    os.unlink(env.path("khong_prj.prj"))
    refused(env, store, before, shp, rc=9, contains=("khong_prj.shp", "--s-srs"))


def case_unknown_srs(env):
    store, before = base(env)
    shp = small_shp(env, "xa")
    refused(env, store, before, shp, "--s-srs", "EPSG:999999", rc=9, contains=("EPSG:999999",))
    refused(env, store, before, shp, "--s-srs", "VN2000-KHONG-CO", rc=9,
            contains=("VN2000-KHONG-CO",))


def tcvn_shp(env, name):
    """A Shapefile whose .dbf holds TCVN3 bytes in field ten_xa of the 4th feature (FID 3,
    1-based record 4); no .cpg, LDID 0: nothing says which encoding it is."""
    shp = small_shp(env, name, n=5)
    bad = iconv("Thủ Dầu Một", "TCVN5712-1")
    recs = [[i + 1, f"xa {i + 1}".encode()] for i in range(5)]
    recs[3][1] = bad
    write_dbf(env.path(name + ".dbf"), [("id", "N", 9, 0), ("ten_xa", "C", 40, 0)], recs)
    for ext in (".cpg",):
        if os.path.exists(env.path(name + ext)):
            os.unlink(env.path(name + ext))
    return shp


def case_bad_utf8(env):
    store, before = base(env)
    shp = tcvn_shp(env, "tcvn_xa")
    msg = refused(env, store, before, shp, rc=2, contains=("UTF-8", "ten_xa"))
    # the feature: OGR FID 3 (0-based) or record 4 (1-based)
    check(re.search(r"(?<![\w.])[34](?![\w.])", msg),
          f"message does not name the feature (FID 3 / record 4): {msg!r}")


def case_unknown_encoding(env):
    store, before = base(env)
    shp = tcvn_shp(env, "tcvn_xa")
    refused(env, store, before, shp, "--encoding", "TCVN-KHONG-CO", rc=2,
            contains=("TCVN-KHONG-CO",))


def case_only_invalid(env):
    store, before = base(env)
    src = env.path("thang_hang.geojson")
    # every polygon's points lie on one line of constant latitude or longitude (exactly
    # collinear in binary floating point): invalid, and MakeValid leaves no area to keep
    feats = []
    for i in range(1, 5):
        a = 106.6 + 0.01 * i
        if i % 2:
            w = f"POLYGON (({a:.2f} 10.9, {a + 0.005:.3f} 10.9, {a + 0.009:.3f} 10.9, {a:.2f} 10.9))"
        else:
            w = f"POLYGON (({a:.2f} 10.9, {a:.2f} 10.905, {a:.2f} 10.909, {a:.2f} 10.9))"
        feats.append(({"id": i}, w))
    write_layer(src, "GeoJSON", feats, [("id", ogr.OFTInteger)], ogr.wkbPolygon, epsg=4326)
    refused(env, store, before, src, rc=2, contains=("rejected",))


def case_empty_layer(env):
    store, before = base(env)
    src = env.path("rong.geojson")
    with open(src, "w") as fh:
        fh.write('{"type": "FeatureCollection", "features": []}\n')
    refused(env, store, before, src, rc=2, contains=("no features",))
    shp = small_shp(env, "rong_shp", n=0)
    refused(env, store, before, shp, rc=2, contains=("no features",))


def case_png_geojson(env):
    store, before = base(env)
    src = env.path("anh_chup.geojson")
    with open(src, "wb") as fh:
        fh.write(png_bytes())
    refused(env, store, before, src, rc=2, contains=("anh_chup.geojson",))


def upload_refused(env, status, body, query="", token=TOKEN, conf=(), bad_file=True):
    store, before = base(env)
    srv = Server(env, store, [f"admin_token = {TOKEN}"] + list(conf))
    try:
        h0 = srv.health_layer(LAYER)
        st, doc, raw = srv.json("POST", f"/admin/layers/{LAYER}{query}", body=body,
                                headers=auth(token) if token else {}, timeout=120)
        check_eq(st, status, f"HTTP status (body {raw[:300]!r})")
        print(f"  HTTP {st}: {raw[:300].decode('utf-8', 'replace')}", flush=True)
        check(isinstance(doc, dict) and "error" in doc,
              f"error answer is not JSON {{error, detail}}: {raw[:300]!r}")
        if bad_file:
            check(doc.get("detail"), f"400 without a detail: {doc}")
        check_eq(srv.health_layer(LAYER), h0, "/health zoning after the refused upload")
    finally:
        srv.stop()
    assert_unchanged(before, snapshot(store))
    return doc


def case_http_empty(env):
    upload_refused(env, 400, b"", "?filename=rong.geojson")
    upload_refused(env, 400, b"")


def case_http_png(env):
    upload_refused(env, 400, png_bytes(), "?filename=anh_chup.geojson")
    upload_refused(env, 400, png_bytes())


def case_http_zipbomb(env):
    """A 300 MB CSV deflated to a few hundred kB; the limit is 1 MiB, so only the
    uncompressed total can trip it: 413."""
    z = env.path("bom.zip")
    line = b"1,106.65,10.95,Khu cong nghiep\n"
    block = line * (1 << 15)
    total = 0
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bom.csv", "w", force_zip64=True) as fh:
            fh.write(b"id,lon,lat,ten\n")
            while total < 300 * 1024 * 1024:
                fh.write(block)
                total += len(block)
    size = os.path.getsize(z)
    check(size < 1024 * 1024, f"fixture: the zip is {size} bytes, should be < 1 MiB")
    with open(z, "rb") as fh:
        body = fh.read()
    upload_refused(env, 413, body, "?filename=bom.zip", conf=["upload_max_bytes = 1048576"],
                   bad_file=False)
    # a body over the limit itself: 413 too
    upload_refused(env, 413, b"x" * (2 * 1024 * 1024), "?filename=big.csv",
                   conf=["upload_max_bytes = 1048576"], bad_file=False)


CASES = {"truncated_shp": case_truncated_shp, "missing_dbf": case_missing_dbf,
         "missing_prj": case_missing_prj, "unknown_srs": case_unknown_srs,
         "bad_utf8": case_bad_utf8, "unknown_encoding": case_unknown_encoding,
         "only_invalid": case_only_invalid, "empty_layer": case_empty_layer,
         "png_geojson": case_png_geojson, "http_empty": case_http_empty,
         "http_png": case_http_png, "http_zipbomb": case_http_zipbomb}

if __name__ == "__main__":
    main(CASES)
