#!/usr/bin/python3
"""Issue 3 acceptance: legacy Vietnamese text. The .dbf files are written byte by byte with
text encoded by glibc iconv (TCVN5712-1 = TCVN3, CP1258), no .cpg and LDID 0, so nothing in
the file names its encoding; `--encoding` must convert to UTF-8. A .cpg must be honoured
without --encoding. Stored text must be exactly the (NFC) UTF-8 strings."""
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (check, check_eq, iconv, main, ogr, read_layer, square_wkt,  # noqa: E402
                    write_dbf, write_layer)

NAMES = ["Thủ Dầu Một", "Bến Cát", "Khu công nghiệp"]
TYPES = ["Thành phố", "Thị xã", "Khu công nghiệp Việt Nam – Singapore"]


def legacy_shp(env, name, enc, cpg=None):
    shp = env.path(name + ".shp")
    feats = [({"id": i + 1}, square_wkt(106.6 + 0.02 * i, 11.0)) for i in range(len(NAMES))]
    write_layer(shp, "ESRI Shapefile", feats, [("id", ogr.OFTInteger)], ogr.wkbPolygon,
                epsg=4326, layer=name)
    recs = [[i + 1, iconv(NAMES[i], enc), iconv(TYPES[i].replace("–", "-"), enc)]
            for i in range(len(NAMES))]
    for r in recs:
        check(any(b >= 0x80 for b in r[1]), f"fixture: {enc} bytes are ASCII: {r[1]!r}")
        try:
            r[1].decode("utf-8")
            raise AssertionError(f"fixture: {enc} bytes {r[1]!r} happen to be valid UTF-8")
        except UnicodeDecodeError:
            pass
    write_dbf(env.path(name + ".dbf"), [("id", "N", 9, 0), ("ten", "C", 60, 0),
                                        ("loai", "C", 80, 0)], recs)
    cpath = env.path(name + ".cpg")
    if os.path.exists(cpath):
        os.unlink(cpath)
    if cpg is not None:
        with open(cpath, "w") as fh:
            fh.write(cpg)
    return shp


def check_text(store, layer):
    feats, types, _ = read_layer(store, layer)
    check_eq(len(feats), len(NAMES), "features")
    check(all(k in types for k in ("id", "ten", "loai")),
          f"field names changed: stored {sorted(types)}, want id, ten, loai")
    got = {int(f["id"]): f for f in feats}
    for i, want in enumerate(NAMES):
        f = got.get(i + 1)
        check(f is not None, f"feature id {i + 1} missing")
        t = f.get("ten")
        check(t == want, f"feature {i + 1} ten: got {t!r}, want {want!r}"
              + (" (same after NFC: stored text is not NFC-composed)"
                 if isinstance(t, str) and unicodedata.normalize("NFC", t) == want else ""))
        want2 = TYPES[i].replace("–", "-")
        check(f.get("loai") == want2, f"feature {i + 1} loai: got {f.get('loai')!r}, want {want2!r}")


def case_tcvn3(env):
    shp = legacy_shp(env, "xa_tcvn3", "TCVN5712-1")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "xa", shp, "--encoding", "TCVN5712-1")
    check_eq(rep.get("written"), 3, "written")
    check_text(store, "xa")
    check("tcvn" in str(rep.get("encoding", "")).lower(),
          f"report encoding {rep.get('encoding')!r}, want TCVN5712-1")


def case_cp1258(env):
    shp = legacy_shp(env, "xa_cp1258", "CP1258")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "xa", shp, "--encoding", "CP1258")
    check_text(store, "xa")
    check("1258" in str(rep.get("encoding", "")),
          f"report encoding {rep.get('encoding')!r}, want CP1258")


def case_cpg(env):
    # the .cpg says 1258 (as ArcGIS writes it): no --encoding needed
    shp = legacy_shp(env, "xa_cpg", "CP1258", cpg="1258\n")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "xa", shp)
    check_text(store, "xa")
    check("1258" in str(rep.get("encoding", "")),
          f"report encoding {rep.get('encoding')!r}, want the .cpg's CP1258")


CASES = {"tcvn3": case_tcvn3, "cp1258": case_cp1258, "cpg": case_cpg}

if __name__ == "__main__":
    main(CASES)
