#!/usr/bin/python3
"""Issue 3 acceptance: one test per source format. Each case writes its fixture with OGR (or
byte by byte where OGR would not write what surveyors deliver), imports it with
`tiled import --json` into a fresh store and checks, by reading the store with OGR through the
layer's spatial view: the feature count, attribute values (Vietnamese text, int, real, date)
and their types where the format carries types, and every vertex within 1e-7 degrees."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (VI_NAMES, Fail, check, check_eq, family, field_type_ok, main,  # noqa: E402
                    max_vertex_gap, nfc, ogr, read_layer, shp_parts, square_wkt, srs_is_4326,
                    transform_xy, write_layer, zip_files, TYPE_NAMES)

# id, ten, dan_so, dien_tich, ngay, (lon, lat) of the south-west corner
ROWS = [
    (1, VI_NAMES[0], 321563, 118.912, (2024, 5, 1), (106.6512347, 10.9801234)),
    (2, VI_NAMES[1], 203794, 234.375, (2023, 12, 31), (106.5912349, 11.1407651)),
    (3, VI_NAMES[2], 4521, 12.5, (2019, 1, 15), (106.6012341, 11.0503217)),
]
FIELDS = [("id", ogr.OFTInteger), ("ten", ogr.OFTString, 80), ("dan_so", ogr.OFTInteger),
          ("dien_tich", ogr.OFTReal, 12, 3), ("ngay", ogr.OFTDate)]
KINDS = {"id": "int", "ten": "str", "dan_so": "int", "dien_tich": "real", "ngay": "date"}


def attrs(row, with_date=True):
    d = {"id": row[0], "ten": row[1], "dan_so": row[2], "dien_tich": row[3]}
    if with_date:
        d["ngay"] = row[4]
    return d


def polys_4326():
    return [(attrs(r), square_wkt(*r[5])) for r in ROWS]


def points_4326():
    return [(attrs(r), f"POINT ({r[5][0]:.9f} {r[5][1]:.9f})") for r in ROWS]


def to_utm(wkt):
    g = ogr.CreateGeometryFromWkt(wkt)
    from common import srs
    g.AssignSpatialReference(srs(4326))
    g.TransformTo(srs(32648))
    return g.ExportToWkt()


def value_eq(got, want):
    if isinstance(want, tuple):  # a date
        return got is not None and str(got).replace("-", "/")[:10] == \
            f"{want[0]:04d}/{want[1]:02d}/{want[2]:02d}"
    if isinstance(want, bool) or want is None:
        return got == want
    if isinstance(want, int):
        try:
            return int(got) == want
        except (TypeError, ValueError):
            return False
    if isinstance(want, float):
        try:
            return abs(float(got) - want) < 1e-9
        except (TypeError, ValueError):
            return False
    return nfc(got) == nfc(want)


def field_lookup(feat, name, ci=False):
    if name in feat:
        return feat[name]
    if ci:
        for k in feat:
            if k.lower() == name.lower():
                return feat[k]
    raise Fail(f"stored layer has no field {name!r} (fields: {[k for k in feat if k != '_geom']})")


def verify(env, store, layer, rep, expected, fam, typed=(), key="id", tol=1e-7, version=1,
           ci_fields=()):
    """expected: list of (attrs, WKT in EPSG:4326). typed: fields whose OGR type must hold."""
    n = len(expected)
    check_eq(rep.get("layer"), layer, "report layer")
    check_eq(rep.get("version"), version, "report version")
    check_eq(rep.get("dry_run"), False, "report dry_run")
    check_eq(rep.get("read"), n, "report read")
    check_eq(rep.get("written"), n, "report written")
    check_eq(rep.get("rejected"), 0, "report rejected")
    check_eq(rep.get("repaired"), 0, "report repaired")
    for k in ("source", "driver", "source_crs", "pipeline", "encoding", "fields", "extent",
              "seconds", "repairs", "rejections", "notes", "transformation", "source_layer"):
        check(k in rep, f"report lacks {k!r}: {rep}")
    rep_fields = {f.get("name") for f in rep["fields"]}
    for name in expected[0][0]:
        check(name in rep_fields or (name in ci_fields and name.lower() in
                                     {x.lower() for x in rep_fields if x}),
              f"report fields {sorted(x for x in rep_fields if x)} lack {name!r}")
    # extent of the expected geometries
    xs, ys = [], []
    for _, wkt in expected:
        e = ogr.CreateGeometryFromWkt(wkt).GetEnvelope()
        xs += [e[0], e[1]]
        ys += [e[2], e[3]]
    want_ext = [min(xs), min(ys), max(xs), max(ys)]
    ext = rep["extent"]
    check(isinstance(ext, list) and len(ext) == 4 and
          all(abs(a - b) < 1e-6 for a, b in zip(ext, want_ext)),
          f"report extent {ext}, want {want_ext}")

    feats, types, ref = read_layer(store, layer)
    check_eq(len(feats), n, "features in the store's layer view")
    check(srs_is_4326(ref), f"stored layer CRS is not EPSG:4326: {ref.ExportToWkt() if ref else None}")
    for name in typed:
        check(name in types, f"stored layer lacks field {name!r}: {sorted(types)}")
        check(field_type_ok(types[name], KINDS[name]),
              f"field {name!r} stored as {TYPE_NAMES.get(types[name], types[name])}, "
              f"want {KINDS[name]}")
    by_key = {}
    for f in feats:
        try:
            by_key[int(field_lookup(f, key))] = f
        except (TypeError, ValueError):
            raise Fail(f"stored {key!r} is not an integer: {f}")
    for a, wkt in expected:
        f = by_key.get(a[key])
        check(f is not None, f"feature {key}={a[key]} missing from the store")
        for name, want in a.items():
            got = field_lookup(f, name, ci=name in ci_fields)
            check(value_eq(got, want), f"feature {a[key]} field {name!r}: got {got!r}, want {want!r}")
        g = f["_geom"]
        check(g is not None, f"feature {a[key]} has no geometry")
        check(g.IsValid(), f"feature {a[key]} geometry is not valid")
        want_g = ogr.CreateGeometryFromWkt(wkt)
        check_eq(family(g), fam, f"feature {a[key]} geometry family")
        gap = max_vertex_gap(g, want_g)
        check(gap <= tol, f"feature {a[key]}: vertices off by {gap:.3g} deg (> {tol}): "
                          f"{g.ExportToWkt()[:200]} vs {wkt[:200]}")

    li = env.layer_info(store, layer)
    check(li is not None, f"tiled layers does not list {layer}")
    check_eq(li.get("version"), version, "tiled layers version")
    check_eq(li.get("features"), n, "tiled layers features")
    vs = li.get("versions")
    check(isinstance(vs, list) and vs, f"tiled layers lists no versions: {li}")
    cur = [v for v in vs if v.get("current")]
    check(len(cur) == 1 and cur[0].get("version") == version and cur[0].get("features") == n,
          f"tiled layers versions: {vs}")


def case_shp(env):
    shp = env.path("xa.shp")
    write_layer(shp, "ESRI Shapefile", [(a, to_utm(w)) for a, w in polys_4326()], FIELDS,
                ogr.wkbPolygon, epsg=32648, layer="xa", lco=["ENCODING=UTF-8"])
    check(os.path.exists(env.path("xa.prj")), "fixture: no .prj written")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "xa", shp)
    verify(env, store, "xa", rep, polys_4326(), "polygon", typed=KINDS)
    check("ESRI" in rep["driver"] or "Shapefile" in rep["driver"], f"driver {rep['driver']}")


def case_shp_zip(env):
    os.makedirs(env.path("src"))
    shp = env.path("src", "ranh_xa.shp")
    write_layer(shp, "ESRI Shapefile", [(a, to_utm(w)) for a, w in polys_4326()], FIELDS,
                ogr.wkbPolygon, epsg=32648, layer="ranh_xa", lco=["ENCODING=UTF-8"])
    z = zip_files(env.path("ranh_xa.zip"), shp_parts(shp))
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "ranh_xa", z)
    verify(env, store, "ranh_xa", rep, polys_4326(), "polygon", typed=KINDS)


def case_gpkg(env):
    src = env.path("khao_sat.gpkg")
    write_layer(src, "GPKG", polys_4326(), FIELDS, ogr.wkbPolygon, epsg=4326, layer="thua_dat")
    write_layer(src, "GPKG", points_4326(), FIELDS, ogr.wkbPoint, epsg=4326, layer="gieng",
                update=True)
    store = env.path("store.gpkg")
    # two layers and no SOURCE_LAYER: refused, listing the names
    env.import_fails(store, "gieng", src, rc=2, contains=("thua_dat", "gieng"))
    rep = env.import_ok(store, "gieng", src, source_layer="gieng")
    check_eq(rep.get("source_layer"), "gieng", "report source_layer")
    verify(env, store, "gieng", rep, points_4326(), "point", typed=KINDS)


def case_geojson(env):
    src = env.path("cong_vien.geojson")
    write_layer(src, "GeoJSON", polys_4326(), FIELDS, ogr.wkbPolygon, epsg=4326,
                layer="cong_vien")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "cong_vien", src)
    verify(env, store, "cong_vien", rep, polys_4326(), "polygon",
           typed=("id", "ten", "dan_so", "dien_tich", "ngay"))


def case_kml(env):
    src = env.path("ranh.kml")
    polys = [(dict(attrs(r, with_date=False), id=r[0] + 10),
              square_wkt(r[5][0] + 0.05, r[5][1])) for r in ROWS]
    write_layer(src, "KML", polys, FIELDS[:4], ogr.wkbPolygon, epsg=4326, layer="ranh")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "ranh", src)
    # KML: 4326 by definition; values must come through (types are not asserted)
    verify(env, store, "ranh", rep, polys, "polygon", typed=("ten",))


def dxf_text(polys):
    """A DXF (AC1015) with closed LWPOLYLINEs on named CAD layers, as CAD software writes."""
    layers = sorted({p[0] for p in polys})
    L = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015", "9", "$INSUNITS", "70",
         "6", "0", "ENDSEC", "0", "SECTION", "2", "TABLES", "0", "TABLE", "2", "LAYER", "70",
         str(len(layers))]
    for name in layers:
        L += ["0", "LAYER", "2", name, "70", "0", "62", "7", "6", "CONTINUOUS"]
    L += ["0", "ENDTAB", "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for i, (layer, pts) in enumerate(polys):
        L += ["0", "LWPOLYLINE", "5", format(0x100 + i, "X"), "100", "AcDbEntity", "8", layer,
              "100", "AcDbPolyline", "90", str(len(pts)), "70", "1"]
        for x, y in pts:
            L += ["10", f"{x:.4f}", "20", f"{y:.4f}"]
    L += ["0", "ENDSEC", "0", "EOF"]
    return "\n".join(L) + "\n"


def case_dxf(env):
    # UTM 48N coordinates (no CRS in a DXF: --s-srs), open rings closed by flag 70=1
    polys = [("QH_DAT_O", [(680000.0, 1210000.0), (680100.0, 1210000.0), (680100.0, 1210070.0),
                           (680000.0, 1210100.0)]),
             ("KCN_RANH", [(681000.0, 1211000.0), (681100.0, 1211000.0), (681050.0, 1211090.0)]),
             ("QH_DAT_O", [(682000.5, 1212000.25), (682200.0, 1212000.0), (682200.0, 1212150.0),
                           (682000.0, 1212150.0)])]
    src = env.path("ban_ve.dxf")
    with open(src, "w") as fh:
        fh.write(dxf_text(polys))
    expected = []
    for i, (layer, pts) in enumerate(polys):
        ll = transform_xy(pts + [pts[0]], 32648)
        wkt = "POLYGON ((" + ",".join(f"{x:.10f} {y:.10f}" for x, y in ll) + "))"
        expected.append(({"Layer": layer}, wkt))
    store = env.path("store.gpkg")
    # no CRS in a DXF: refused without --s-srs
    env.import_fails(store, "ban_ve", src, rc=9, contains=("ban_ve.dxf", "--s-srs"))
    rep = env.import_ok(store, "ban_ve", src, "--s-srs", "EPSG:32648")
    check_eq(rep.get("read"), 3, "report read")
    check_eq(rep.get("written"), 3, "report written")
    feats, types, _ = read_layer(store, "ban_ve")
    check_eq(len(feats), 3, "features")
    lname = [k for k in types if k.lower() == "layer"]
    check(lname, f"the CAD layer name is not kept as a 'Layer' attribute: {sorted(types)}")
    remaining = list(expected)
    for f in feats:
        g = f["_geom"]
        check(g is not None and family(g) == "polygon",
              f"closed LWPOLYLINE did not become a polygon: {g.ExportToWkt() if g else None}")
        match = [e for e in remaining if e[0]["Layer"] == f[lname[0]] and
                 max_vertex_gap(g, ogr.CreateGeometryFromWkt(e[1])) <= 1e-7]
        check(match, f"stored {f[lname[0]]!r} {g.ExportToWkt()[:160]} matches no drawn polygon")
        remaining.remove(match[0])


def csv_quote(s):
    return '"' + str(s).replace('"', '""') + '"'


def case_csv_wkt(env):
    src = env.path("thua.csv")
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("id,ten,dien_tich,WKT\n")
        for (a, w) in polys_4326():
            fh.write(f"{a['id']},{csv_quote(a['ten'])},{a['dien_tich']},{csv_quote(to_utm(w))}\n")
    store = env.path("store.gpkg")
    # WKT and no --s-srs: refused like a Shapefile without .prj
    env.import_fails(store, "thua", src, rc=9, contains=("thua.csv", "--s-srs"))
    rep = env.import_ok(store, "thua", src, "--s-srs", "EPSG:32648")
    exp = [({"id": a["id"], "ten": a["ten"], "dien_tich": a["dien_tich"]}, w)
           for a, w in polys_4326()]
    verify(env, store, "thua", rep, exp, "polygon", typed=("ten",))


def case_csv_lonlat(env):
    src = env.path("gieng.csv")
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("id,ten,lon,lat\n")
        for r in ROWS:
            fh.write(f"{r[0]},{csv_quote(r[1])},{r[5][0]:.9f},{r[5][1]:.9f}\n")
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "gieng", src)
    exp = [({"id": r[0], "ten": r[1]}, f"POINT ({r[5][0]:.9f} {r[5][1]:.9f})") for r in ROWS]
    verify(env, store, "gieng", rep, exp, "point", typed=("ten",))


def case_tab(env):
    src = env.path("ranh_kcn.tab")
    # MapInfo stores integer coordinates scaled to the table's bounds: with the default
    # world bounds the grid is ~5e-7 deg, so the fixture declares tight bounds (~5e-10 deg)
    write_layer(src, "MapInfo File", polys_4326(), FIELDS, ogr.wkbPolygon, epsg=4326,
                layer="ranh_kcn", lco=["BOUNDS=105,10,108,12"])
    store = env.path("store.gpkg")
    rep = env.import_ok(store, "ranh_kcn", src)
    verify(env, store, "ranh_kcn", rep, polys_4326(), "polygon", typed=KINDS)


CASES = {"shp": case_shp, "shp_zip": case_shp_zip, "gpkg": case_gpkg, "geojson": case_geojson,
         "kml": case_kml, "dxf": case_dxf, "csv_wkt": case_csv_wkt,
         "csv_lonlat": case_csv_lonlat, "tab": case_tab}

if __name__ == "__main__":
    main(CASES)
