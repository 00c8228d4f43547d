"""Shared helpers for the issue-3 import acceptance tests (run with /usr/bin/python3).

Every test script is called as `script.py TILED_BINARY SCRATCH_DIR [CASE ...]`; it runs the
named cases (all of them without names), prints PASS/FAIL per case and exits 1 when one
failed. Each case gets its own empty directory under SCRATCH_DIR.
"""
import http.client
import json
import math
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
import unicodedata
import zipfile

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

# The demo province lies around here; fixtures are placed in Bình Dương.
VI_NAMES = ["Thủ Dầu Một", "Bến Cát", "Khu công nghiệp Mỹ Phước"]
EARTH_R = 6378137.0


class Fail(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def check_eq(got, want, what):
    if got != want:
        raise Fail(f"{what}: got {got!r}, want {want!r}")


# ---------------------------------------------------------------------------- running tiled

class Result:
    def __init__(self, args, rc, out, err, seconds):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds
        self.report = None
        if out.strip().startswith("{"):
            try:
                self.report = json.loads(out)
            except ValueError:
                self.report = None

    def describe(self):
        return (f"`{' '.join(self.args)}` -> exit {self.rc}\n  stdout: {self.out[:2000]!r}\n"
                f"  stderr: {self.err[:2000]!r}")


class Env:
    def __init__(self, tiled, scratch, case):
        self.tiled = os.path.abspath(tiled)
        self.scratch = os.path.abspath(scratch)
        script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        self.dir = os.path.join(self.scratch, script, case)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.procs = []  # processes to kill at the end of the case

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, *args, timeout=180, env=None):
        argv = [self.tiled] + [str(a) for a in args]
        t0 = time.monotonic()
        p = subprocess.run(argv, capture_output=True, timeout=timeout, env=env,
                           stdin=subprocess.DEVNULL)
        dt = time.monotonic() - t0
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"), dt)

    def import_(self, store, layer, source, *opts, source_layer=None, json_out=True,
                timeout=180):
        args = ["import", "--store", store, "--layer", layer]
        if json_out:
            args.append("--json")
        args += list(opts)
        args.append(source)
        if source_layer is not None:
            args.append(source_layer)
        return self.run(*args, timeout=timeout)

    def import_ok(self, store, layer, source, *opts, source_layer=None):
        r = self.import_(store, layer, source, *opts, source_layer=source_layer)
        check(r.rc == 0, "import failed: " + r.describe())
        check(r.report is not None, "import --json printed no JSON object: " + r.describe())
        return r.report

    def import_fails(self, store, layer, source, *opts, source_layer=None, rc=None,
                     contains=(), json_out=False):
        """The import must be refused with ONE stderr line `tiled import: <message>`."""
        r = self.import_(store, layer, source, *opts, source_layer=source_layer,
                         json_out=json_out)
        check(r.rc != 0, "import should have failed: " + r.describe())
        if rc is not None:
            check(r.rc == rc, f"exit status {r.rc}, want {rc}: " + r.describe())
        lines = [ln for ln in r.err.splitlines() if ln.strip()]
        check(len(lines) == 1, "want exactly one line on stderr: " + r.describe())
        check(lines[0].startswith("tiled import: "),
              "stderr line must start with 'tiled import: ': " + r.describe())
        msg = lines[0]
        for c in contains:
            alts = c if isinstance(c, (tuple, list)) else (c,)
            check(any(a.lower() in msg.lower() for a in alts),
                  f"message should contain {' or '.join(repr(a) for a in alts)}: {msg!r}")
        return msg

    def layers(self, store):
        r = self.run("layers", "--store", store, "--json")
        check(r.rc == 0, "tiled layers failed: " + r.describe())
        try:
            return json.loads(r.out)
        except ValueError:
            raise Fail("tiled layers --json is not JSON: " + r.describe())

    def layer_info(self, store, name):
        for li in self.layers(store):
            if li.get("name") == name:
                return li
        return None

    def cleanup(self):
        for p in self.procs:
            stop_process(p)
        self.procs = []


def stop_process(p, sig=signal.SIGTERM, wait=5.0):
    """Stop a process we started, by its PID only."""
    if p.poll() is not None:
        return
    try:
        os.kill(p.pid, sig)
        p.wait(timeout=wait)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=10)


# ---------------------------------------------------------------------------- the store

def demo_store(env, dest, scale="small"):
    """A store written by `tiled demo` (independent of the importer), copied per case."""
    cache = demo_cache(env, scale)
    for suf in ("-wal", "-shm"):
        if os.path.exists(dest + suf):
            os.unlink(dest + suf)
    shutil.copyfile(cache, dest)
    return dest


def demo_cache(env, scale):
    """The demo store of this tiled binary, written once per scratch dir and binary build."""
    st = os.stat(env.tiled)
    key = f"{int(st.st_mtime)}-{st.st_size}"
    cache = os.path.join(env.scratch, f"_demo_{scale}_{key}.gpkg")
    if not os.path.exists(cache):
        for old in os.listdir(env.scratch):
            if old.startswith(f"_demo_{scale}_") and old.endswith(".gpkg") and \
                    os.path.join(env.scratch, old) != cache:
                os.unlink(os.path.join(env.scratch, old))
        tmp = cache + f".tmp{os.getpid()}"
        for suf in ("", "-wal", "-shm"):
            if os.path.exists(tmp + suf):
                os.unlink(tmp + suf)
        r = env.run("demo", "--store", tmp, "--scale", scale, timeout=240)
        check(r.rc == 0, "tiled demo failed: " + r.describe())
        checkpoint(tmp)
        os.replace(tmp, cache)
        for suf in ("-wal", "-shm", ".lock"):
            if os.path.exists(tmp + suf):
                os.unlink(tmp + suf)
    return cache


def checkpoint(store):
    """Fold the WAL into the main file so the file can be copied alone."""
    con = sqlite3.connect(store)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def snapshot(store):
    """Everything that 'store unchanged' compares: catalog rows, the list of schema objects,
    per-version-table and per-layer (view) feature counts."""
    check(os.path.exists(store), f"store {store} does not exist")
    con = sqlite3.connect(store, timeout=30)
    try:
        layers = con.execute("SELECT * FROM tiled_layers ORDER BY name").fetchall()
        versions = con.execute("SELECT * FROM tiled_versions ORDER BY layer, version").fetchall()
        master = con.execute("SELECT type, name, tbl_name FROM sqlite_master "
                             "ORDER BY type, name").fetchall()
        vcols = [d[1] for d in con.execute("PRAGMA table_info(tiled_versions)")]
        ti = vcols.index("table_name")
        counts = {}
        for row in versions:
            counts[row[ti]] = con.execute(f'SELECT count(*) FROM "{row[ti]}"').fetchone()[0]
    finally:
        con.close()
    view_counts = {}
    ds = ogr.Open(store)
    for row in layers:
        lyr = ds.GetLayerByName(row[0])
        view_counts[row[0]] = lyr.GetFeatureCount() if lyr is not None else None
    ds = None
    return {"tiled_layers": layers, "tiled_versions": versions, "sqlite_master": master,
            "table_counts": counts, "layer_counts": view_counts}


def assert_unchanged(before, after):
    for k in before:
        if before[k] != after[k]:
            b, a = before[k], after[k]
            if isinstance(b, list):
                extra = [x for x in a if x not in b]
                gone = [x for x in b if x not in a]
                raise Fail(f"store changed: {k}: new {extra[:10]!r}, gone {gone[:10]!r}")
            raise Fail(f"store changed: {k}: before {b!r}, after {a!r}")


def catalog(store, layer):
    con = sqlite3.connect(store, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        lrow = con.execute("SELECT * FROM tiled_layers WHERE name=?", (layer,)).fetchone()
        vrows = con.execute("SELECT * FROM tiled_versions WHERE layer=? ORDER BY version",
                            (layer,)).fetchall()
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE ? ESCAPE '\\'",
            (layer.replace("_", "\\_") + "\\_\\_v%",))]
        return (dict(lrow) if lrow else None), [dict(v) for v in vrows], sorted(tables)
    finally:
        con.close()


def read_layer(store, layer):
    """The published features through the spatial view named after the layer:
    a list of dicts {field: value, ..., '_geom': ogr.Geometry} and the field types."""
    ds = ogr.Open(store)
    check(ds is not None, f"OGR cannot open the store {store}")
    lyr = ds.GetLayerByName(layer)
    check(lyr is not None, f"the store has no layer (spatial view) named {layer!r}")
    defn = lyr.GetLayerDefn()
    types = {}
    for i in range(defn.GetFieldCount()):
        fd = defn.GetFieldDefn(i)
        types[fd.GetName()] = fd.GetType()
    srs = lyr.GetSpatialRef()
    feats = []
    for f in lyr:
        d = {}
        for name in types:
            d[name] = f.GetField(name)
        g = f.GetGeometryRef()
        d["_geom"] = g.Clone() if g is not None else None
        feats.append(d)
    ds = None
    return feats, types, srs


def srs_is_4326(srs):
    if srs is None:
        return False
    ref = osr.SpatialReference()
    ref.ImportFromEPSG(4326)
    return bool(srs.IsSame(ref)) or (srs.GetAuthorityCode(None) == "4326")


def field_type_ok(ogr_type, kind):
    if kind == "int":
        return ogr_type in (ogr.OFTInteger, ogr.OFTInteger64)
    if kind == "real":
        return ogr_type == ogr.OFTReal
    if kind == "date":
        return ogr_type in (ogr.OFTDate, ogr.OFTDateTime)
    if kind == "str":
        return ogr_type == ogr.OFTString
    raise ValueError(kind)


TYPE_NAMES = {ogr.OFTInteger: "Integer", ogr.OFTInteger64: "Integer64", ogr.OFTReal: "Real",
              ogr.OFTString: "String", ogr.OFTDate: "Date", ogr.OFTDateTime: "DateTime"}


def nfc(s):
    return unicodedata.normalize("NFC", s) if isinstance(s, str) else s


# ---------------------------------------------------------------------------- geometry

def points_of(g):
    out = []
    if g is None:
        return out
    n = g.GetGeometryCount()
    if n:
        for i in range(n):
            out += points_of(g.GetGeometryRef(i))
    else:
        for i in range(g.GetPointCount()):
            out.append((g.GetX(i), g.GetY(i)))
    return out


def max_vertex_gap(a, b):
    """Symmetric vertex Hausdorff distance (degrees) between two geometries: insensitive to
    ring start point, orientation and Polygon/MultiPolygon wrapping."""
    pa, pb = points_of(a), points_of(b)
    if not pa or not pb:
        return math.inf

    def one(p, q):
        return max(min(math.hypot(x - u, y - v) for (u, v) in q) for (x, y) in p)

    return max(one(pa, pb), one(pb, pa))


def family(g):
    t = ogr.GT_Flatten(g.GetGeometryType())
    return {ogr.wkbPoint: "point", ogr.wkbMultiPoint: "point", ogr.wkbLineString: "line",
            ogr.wkbMultiLineString: "line", ogr.wkbPolygon: "polygon",
            ogr.wkbMultiPolygon: "polygon"}.get(t, ogr.GeometryTypeToName(t))


def metres(lon1, lat1, lon2, lat2):
    """Distance in metres between two close lon/lat points (local equirectangular)."""
    dy = math.radians(lat2 - lat1) * EARTH_R
    dx = math.radians(lon2 - lon1) * EARTH_R * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def transform_xy(pairs, src_epsg, dst_epsg=4326):
    s, t = osr.SpatialReference(), osr.SpatialReference()
    s.ImportFromEPSG(src_epsg)
    t.ImportFromEPSG(dst_epsg)
    for r in (s, t):
        r.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(s, t)
    return [tuple(ct.TransformPoint(x, y)[:2]) for (x, y) in pairs]


def srs(epsg):
    r = osr.SpatialReference()
    r.ImportFromEPSG(epsg)
    r.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return r


# ---------------------------------------------------------------------------- fixtures

def write_layer(path, driver, features, fields, geom_type, epsg=None, layer="data", lco=None,
                dsco=None, update=False, wkt_srs=None):
    """features: list of (dict attrs, WKT). fields: list of (name, ogr type[, width, prec])."""
    drv = ogr.GetDriverByName(driver)
    if update:
        ds = ogr.Open(path, 1)
    else:
        if os.path.exists(path):
            drv.DeleteDataSource(path)
        ds = drv.CreateDataSource(path, options=dsco or [])
    ref = None
    if wkt_srs is not None:
        ref = osr.SpatialReference()
        ref.ImportFromWkt(wkt_srs)
    elif epsg is not None:
        ref = srs(epsg)
    lyr = ds.CreateLayer(layer, ref, geom_type, options=lco or [])
    for fdef in fields:
        fd = ogr.FieldDefn(fdef[0], fdef[1])
        if len(fdef) > 2:
            fd.SetWidth(fdef[2])
        if len(fdef) > 3:
            fd.SetPrecision(fdef[3])
        lyr.CreateField(fd)
    for attrs, wkt in features:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in attrs.items():
            if isinstance(v, tuple):  # date (y, m, d)
                f.SetField(k, v[0], v[1], v[2], 0, 0, 0, 0)
            elif v is not None:
                f.SetField(k, v)
        if wkt is not None:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return path


def square_wkt(lon, lat, d=0.01):
    return (f"POLYGON (({lon:.9f} {lat:.9f},{lon + d:.9f} {lat:.9f},{lon + d:.9f} "
            f"{lat + d * 0.7:.9f},{lon:.9f} {lat + d:.9f},{lon:.9f} {lat:.9f}))")


def zip_files(zpath, files, arc_dir=""):
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, os.path.join(arc_dir, os.path.basename(f)))
    return zpath


def shp_parts(shp):
    base = shp[:-4]
    return [base + e for e in (".shp", ".shx", ".dbf", ".prj", ".cpg") if os.path.exists(base + e)]


def write_dbf(path, fields, records, ldid=0):
    """A dBase III file written byte by byte: fields = [(name, 'C'|'N', len, dec)],
    records = lists of bytes/str/int values; str is ASCII, bytes are written as-is."""
    nrec = len(records)
    reclen = 1 + sum(f[2] for f in fields)
    hdrlen = 32 + 32 * len(fields) + 1
    hdr = bytearray(32)
    hdr[0] = 0x03
    hdr[1:4] = bytes([124, 1, 1])
    hdr[4:8] = nrec.to_bytes(4, "little")
    hdr[8:10] = hdrlen.to_bytes(2, "little")
    hdr[10:12] = reclen.to_bytes(2, "little")
    hdr[29] = ldid
    out = bytearray(hdr)
    for name, typ, ln, dec in fields:
        fd = bytearray(32)
        nb = name.encode("ascii")[:10]
        fd[0:len(nb)] = nb
        fd[11] = ord(typ)
        fd[16] = ln
        fd[17] = dec
        out += fd
    out += b"\x0d"
    for rec in records:
        out += b" "
        for (name, typ, ln, dec), v in zip(fields, rec):
            if isinstance(v, str):
                v = v.encode("ascii")
            if isinstance(v, int):
                b = str(v).encode().rjust(ln)
            else:
                b = v.ljust(ln, b" ")
            check(len(b) == ln, f"dbf value too long for {name}: {v!r}")
            out += b
    out += b"\x1a"
    with open(path, "wb") as fh:
        fh.write(out)


def iconv(text, enc):
    p = subprocess.run(["iconv", "-f", "UTF-8", "-t", enc], input=text.encode("utf-8"),
                       capture_output=True, check=True)
    return p.stdout


# ---------------------------------------------------------------------------- HTTP daemon

class Server:
    """`tiled serve` on 127.0.0.1:0 with a config file; stop() kills it by PID."""

    def __init__(self, env, store, config_lines=(), extra=()):
        self.env = env
        self.conf = env.path(f"tiled-{len(env.procs)}.conf")
        with open(self.conf, "w") as fh:
            fh.write("# written by the import acceptance tests\n")
            for ln in config_lines:
                fh.write(ln + "\n")
        self.errpath = env.path(f"serve-{len(env.procs)}.err")
        self.errf = open(self.errpath, "wb")
        argv = [env.tiled, "serve", "--store", store, "--listen", "127.0.0.1:0"]
        if config_lines:  # (tests that need no config still run on a daemon without --config)
            argv += ["--config", self.conf]
        argv += list(extra)
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.errf,
                                  stdin=subprocess.DEVNULL)
        env.procs.append(self.p)
        line = b""
        deadline = time.monotonic() + 60
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(left, 0))
            if not r:
                break
            ch = os.read(self.p.stdout.fileno(), 1)
            if not ch:
                break
            line += ch
        m = re.match(rb"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            raise Fail(f"tiled serve did not print 'listening on ...' (got {line!r}); "
                       f"stderr: {self.stderr()[-2000:]!r}")
        self.port = int(m.group(1))

    def stderr(self):
        try:
            with open(self.errpath, "rb") as fh:
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None, timeout=60):
        """(status, headers dict (lower-case names), body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = dict(headers or {})
            if body is not None and "Content-Length" not in h:
                h["Content-Length"] = str(len(body))
            try:
                c.request(method, path, body=body, headers=h)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (413) before it reads the whole body
            resp = c.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None, timeout=60):
        st, h, data = self.request(method, path, body, headers, timeout)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return st, doc, data

    def health(self):
        st, doc, data = self.json("GET", "/health", timeout=10)
        check(st == 200 and doc is not None, f"GET /health: {st} {data[:300]!r}")
        return doc

    def health_layer(self, name):
        for li in self.health().get("layers", []):
            if li.get("name") == name:
                return li
        return None

    def stop(self):
        stop_process(self.p)
        self.errf.close()


def auth(token):
    return {"Authorization": "Bearer " + token}


# ---------------------------------------------------------------------------- the runner

def main(cases):
    """cases: dict name -> function(env)."""
    if len(sys.argv) < 3:
        sys.stderr.write(f"usage: {sys.argv[0]} TILED SCRATCH [CASE ...]\n"
                         f"cases: {', '.join(cases)}\n")
        sys.exit(2)
    tiled, scratch = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or list(cases)
    for n in names:
        if n not in cases:
            sys.stderr.write(f"unknown case {n}; cases: {', '.join(cases)}\n")
            sys.exit(2)
    os.makedirs(scratch, exist_ok=True)
    failed = []
    for n in names:
        env = Env(tiled, scratch, n)
        t0 = time.monotonic()
        try:
            cases[n](env)
            print(f"PASS {n} ({time.monotonic() - t0:.1f} s)", flush=True)
        except Fail as e:
            failed.append(n)
            print(f"FAIL {n}: {e}", flush=True)
        except Exception:  # noqa: BLE001 - a crash in a case is a failure of that case
            failed.append(n)
            print(f"FAIL {n}: unexpected error\n{traceback.format_exc()}", flush=True)
        finally:
            env.cleanup()
    if failed:
        print(f"{len(failed)} of {len(names)} failed: {' '.join(failed)}", flush=True)
        sys.exit(1)
    print(f"all {len(names)} passed", flush=True)
