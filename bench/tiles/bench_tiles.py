#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""tiled against MapServer 8 and Mapnik 3.1 on the same data, in one run.

A thin driver around the reference rig in ../shared/bench (imported, not
copied): it writes a tiled demo store, attaches the SLD, makes pre-projected
Shapefile copies of the store's layers, instantiates the rig's mapfile and
Mapnik XML against the store, starts every server on 127.0.0.1, writes a
bench_all.py plan with tiled as one more HTTP target and runs it (cold tiles,
1 and 2 clients, interleaved rounds), then measures warm serving with wrk
(tiled with its cache against nginx serving tiled's PNGs from disk) and, with
--large, the large demo store, and with --spread a store of 1M parcels whose
bench tiles hold no more than the medium one.  Every process it starts is stopped by PID.
Results (JSON, Markdown) go to --outdir, outside the repository.

Normally started by bench/tiles/run.sh; see bench/README.md.
"""
import argparse
import atexit
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PY = "/usr/bin/python3"
MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0.0 +lon_0=0.0 +x_0=0.0 +y_0=0.0 "
        "+k=1.0 +units=m +nadgrids=@null +wktext +no_defs +over")
LONGLAT = "+proj=longlat +datum=WGS84 +no_defs"

COMMANDS = []      # every external command run, for the report
STARTED = []       # (label, pid, how-to-stop) of every process started


def log(msg):
    sys.stderr.write("[bench/tiles %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def q(cmd):
    return " ".join(shlex.quote(str(c)) for c in cmd)


def run(cmd, record=True, env=None, **kw):
    if record:
        COMMANDS.append(q(cmd) if not env else
                        " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items()) + " " + q(cmd))
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([str(c) for c in cmd], env=e, **kw)


# ------------------------------------------------------------------ processes
def pid_alive(pid):
    try:
        if pid < 0:
            os.killpg(-pid, 0)
            return True
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_pid(pid, sig=signal.SIGTERM, wait=5.0):
    if pid < 0:   # a process group we created (bench_all.py and its forked workers)
        try:
            os.killpg(-pid, sig)
        except ProcessLookupError:
            return
        try:
            os.waitpid(-pid, 0)
        except ChildProcessError:
            pass
        deadline = time.time() + wait
        while time.time() < deadline:
            try:
                os.killpg(-pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        try:
            os.killpg(-pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            if not pid_alive(pid):
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    except ProcessLookupError:
        pass


def stop_all():
    while STARTED:
        label, pid, sig = STARTED.pop()
        if pid_alive(pid):
            stop_pid(pid, sig)


def stop_label(label):
    for item in list(STARTED):
        if item[0] == label:
            STARTED.remove(item)
            stop_pid(item[1], item[2])


def read_pids(pidfile):
    try:
        return [int(v) for v in open(pidfile).read().split()]
    except (OSError, ValueError):
        return []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http_get(port, path, timeout=60):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        c.close()


def wait_ready(port, path, what, tries=300):
    for _ in range(tries):
        try:
            st, body, _ = http_get(port, path)
            if st == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("not ready: %s (127.0.0.1:%d%s)" % (what, port, path))


ANALYSED = {}  # label -> seconds from exec until /health lists no "pending" analysis


def start_tiled(tiled, store, extra, logpath, label, probe):
    """Start `tiled serve --listen 127.0.0.1:0`; returns (pid, port, seconds until the
    listening line and then the tile `probe` answers 200: serve ready time)."""
    cmd = [tiled, "serve", "--store", store, "--listen", "127.0.0.1:0", "--threads", "2",
           "--quiet"] + extra
    COMMANDS.append(q(cmd))
    t0 = time.perf_counter()
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE,
                         stderr=open(logpath, "w"), text=True)
    STARTED.append((label, p.pid, signal.SIGTERM))
    line = p.stdout.readline()
    dt = time.perf_counter() - t0
    m = re.search(r"127\.0\.0\.1:(\d+)", line or "")
    if not m:
        raise SystemExit("tiled serve did not print its address (%r); see %s" % (line, logpath))
    port = int(m.group(1))
    wait_ready(port, probe, label, tries=6000)
    dt = time.perf_counter() - t0
    # then the analysis of which polygons overlap (fills of the others are batched): the
    # server answers meanwhile, only slower; measuring starts when it is done
    for _ in range(6000):
        st, body, _ = http_get(port, "/health")
        if st == 200 and b'"pending"' not in body:
            break
        time.sleep(0.1)
    ANALYSED[label] = time.perf_counter() - t0
    return p.pid, port, dt


# ------------------------------------------------------------------ data
def mtime(p):
    try:
        return os.path.getmtime(p)
    except OSError:
        return 0


def feature_counts(store, layers):
    """{layer: feature count} of a store's layers, or None when GDAL cannot tell."""
    try:
        from osgeo import ogr
        ds = ogr.Open(store)
        counts = {l: ds.GetLayerByName(l).GetFeatureCount() for l in layers}
        ds = None
        return counts
    except Exception:  # noqa
        return None


def make_store(tiled, store, scale, seed, res):
    if os.path.exists(store):
        log("store %s exists, reused" % store)
        return None
    log("tiled demo --scale %s (store %s)" % (scale, store))
    t0 = time.perf_counter()
    r = run([tiled, "demo", "--store", store, "--scale", scale, "--seed", str(seed), "--json"],
            capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit("tiled demo failed: %s" % r.stderr.strip())
    info = {"seconds": dt}
    try:
        info.update(json.loads(r.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        pass
    json.dump(info, open(os.path.join(res, "demo_%s.json" % scale), "w"), indent=1)
    return info


def attach_style(tiled, store, sld, layers):
    """tiled style set for every layer; returns (ok, message)."""
    msgs = []
    for l in layers:
        r = run([tiled, "style", "set", "--store", store, "--layer", l, sld],
                capture_output=True, text=True)
        if r.returncode != 0:
            return False, "tiled style set --layer %s failed (%d): %s" % (
                l, r.returncode, (r.stderr or r.stdout).strip()[:300])
        msgs.append((r.stdout + r.stderr).strip())
    return True, "; ".join(msgs)


def make_shp(store, shpdir, layers):
    """Pre-projected (EPSG:3857) Shapefile copies of the store's layer views, with
    a MapServer .qix (shptree) and a Mapnik .index (shapeindex)."""
    os.makedirs(shpdir, exist_ok=True)
    for l in layers:
        shp = os.path.join(shpdir, l + ".shp")
        if mtime(shp) < mtime(store):
            for ext in ("shp", "shx", "dbf", "prj", "cpg", "qix", "index"):
                try:
                    os.remove(os.path.join(shpdir, "%s.%s" % (l, ext)))
                except OSError:
                    pass
            r = run(["ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", "-lco", "ENCODING=UTF-8",
                     "-nln", l, shp, store, l], capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit("ogr2ogr %s failed: %s" % (l, r.stderr.strip()))
        base = shp[:-4]
        if not os.path.exists(base + ".qix"):
            run(["shptree", shp], capture_output=True)
        if not os.path.exists(base + ".index"):
            run(["shapeindex", shp], capture_output=True)


def instantiate_styles(rig, rundir, store, shpdir):
    sys.path.insert(0, rig)
    import benchlib  # the rig's
    out = benchlib.instantiate(rundir, {"gpkg": ("gpkg", store), "shp": ("shp", shpdir)})
    # the Shapefile copies are pre-projected: declare EPSG:3857 on their layers
    mp = out["shp"]["map"]
    s = open(mp, encoding="utf-8").read()
    n = s.count('"EPSG:4326"')
    s = s.replace('"EPSG:4326"', '"EPSG:3857"')
    open(mp, "w", encoding="utf-8").write(s)
    xp = out["shp"]["xml"]
    x = open(xp, encoding="utf-8").read()
    m = x.count('srs="%s"' % LONGLAT)
    x = x.replace('srs="%s"' % LONGLAT, 'srs="%s"' % MERC)
    open(xp, "w", encoding="utf-8").write(x)
    if n == 0 or m == 0:
        raise SystemExit("could not switch the SHP styles to EPSG:3857 (%d/%d replacements)" % (n, m))
    return out


# ------------------------------------------------------------------ servers
NGINX_CONF = """worker_processes 2;
pid {run}/nginx.pid;
error_log {run}/nginx_error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 1000000;
  open_file_cache max=2000 inactive=60s;
  open_file_cache_valid 60s;
  client_body_temp_path {run}/nginx_tmp/body;
  fastcgi_temp_path {run}/nginx_tmp/fastcgi;
  proxy_temp_path {run}/nginx_tmp/proxy;
  uwsgi_temp_path {run}/nginx_tmp/uwsgi;
  scgi_temp_path {run}/nginx_tmp/scgi;
  types {{ image/png png; }}
  default_type application/octet-stream;
  fastcgi_buffer_size 32k;
  fastcgi_buffers 64 16k;
  fastcgi_max_temp_file_size 0;
  server {{
    listen 127.0.0.1:{port};
    location /tiles/ {{ alias {static}/; }}
    location = /ms_gpkg {{ include {run}/fastcgi.params; fastcgi_pass unix:{run}/ms_gpkg.sock; }}
    location = /ms_shp  {{ include {run}/fastcgi.params; fastcgi_pass unix:{run}/ms_shp.sock; }}
  }}
}}
"""
FASTCGI_PARAMS = """fastcgi_param QUERY_STRING    $query_string;
fastcgi_param REQUEST_METHOD  $request_method;
fastcgi_param CONTENT_TYPE    $content_type;
fastcgi_param CONTENT_LENGTH  $content_length;
fastcgi_param SCRIPT_NAME     $fastcgi_script_name;
fastcgi_param REQUEST_URI     $request_uri;
fastcgi_param DOCUMENT_URI    $document_uri;
fastcgi_param SERVER_PROTOCOL $server_protocol;
fastcgi_param REMOTE_ADDR     $remote_addr;
fastcgi_param SERVER_ADDR     $server_addr;
fastcgi_param SERVER_PORT     $server_port;
fastcgi_param SERVER_NAME     $server_name;
fastcgi_param HTTP_HOST       $http_host;
"""


def start_anchors(rig, run_dir, static_dir):
    """spawn-fcgi mapserv x2 per source, mapnik_server.py x2 per source, nginx (FastCGI
    proxy + static tiles).  Returns ports."""
    ports = {"nginx": free_port(), "mk_gpkg": free_port(), "mk_shp": free_port()}
    mapserv = shutil.which("mapserv")
    env = {"MAPSERVER_CONFIG_FILE": os.path.join(run_dir, "mapserver.conf")}
    for src in ("gpkg", "shp"):
        sock, pf = os.path.join(run_dir, "ms_%s.sock" % src), os.path.join(run_dir, "ms_%s.pids" % src)
        for f in (sock, pf):
            if os.path.exists(f):
                os.remove(f)
        r = run(["spawn-fcgi", "-s", sock, "-M", "0666", "-F", "2", "-P", pf, "--", mapserv],
                env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("spawn-fcgi failed: %s" % r.stderr)
        for pid in read_pids(pf):
            STARTED.append(("mapserv-" + src, pid, signal.SIGINT))
    for src in ("gpkg", "shp"):
        cmd = [PY, os.path.join(rig, "mapnik_server.py"), "--style", os.path.join(run_dir, "mapnik_%s.xml" % src),
               "--port", str(ports["mk_" + src]), "--workers", "2",
               "--pidfile", os.path.join(run_dir, "mapnik_%s.pids" % src)]
        COMMANDS.append(q(cmd))
        p = subprocess.Popen(cmd, stderr=open(os.path.join(run_dir, "mapnik_%s.log" % src), "w"))
        STARTED.append(("mapnik-" + src, p.pid, signal.SIGTERM))
    os.makedirs(os.path.join(run_dir, "nginx_tmp"), exist_ok=True)
    os.makedirs(static_dir, exist_ok=True)
    open(os.path.join(run_dir, "nginx.conf"), "w").write(
        NGINX_CONF.format(run=run_dir, port=ports["nginx"], static=static_dir))
    open(os.path.join(run_dir, "fastcgi.params"), "w").write(FASTCGI_PARAMS)
    r = run(["nginx", "-p", run_dir + "/", "-e", os.path.join(run_dir, "nginx_error.log"),
             "-c", os.path.join(run_dir, "nginx.conf")], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("nginx failed: %s" % r.stderr)
    for _ in range(50):
        if read_pids(os.path.join(run_dir, "nginx.pid")):
            break
        time.sleep(0.1)
    for pid in read_pids(os.path.join(run_dir, "nginx.pid")):
        STARTED.append(("nginx", pid, signal.SIGQUIT))
    msq = "mode=tile&tilemode=gmap&tile=13048+7691+14&layers=all"
    wait_ready(ports["nginx"], "/ms_gpkg?map=BD_GPKG&" + msq, "mapserv gpkg")
    wait_ready(ports["nginx"], "/ms_shp?map=BD_SHP&" + msq, "mapserv shp")
    wait_ready(ports["mk_gpkg"], "/health", "mapnik gpkg")
    wait_ready(ports["mk_shp"], "/health", "mapnik shp")
    return ports


# ------------------------------------------------------------------ wrk
def wrk(rig, port, tiles, tmpl, secs, conns=64, threads=2):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % secs, "-s", os.path.join(rig, "wrk_tiles.lua"),
           "http://127.0.0.1:%d" % port, "--", tiles, tmpl]
    r = run(cmd, capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit("wrk gave no result: %s %s" % (r.stdout, r.stderr))
    out = json.loads(lines[-1])
    out["non2xx"] = sum(int(v) for v in re.findall(r"Non-2xx or 3xx responses: (\d+)", r.stdout))
    return out


def one_pass(port, path_tmpl, tiles):
    """One sequential pass over the tile list; returns per-tile latencies (s) and bytes."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    lat, nb, errors = [], [], []
    for z, x, y in tiles:
        t0 = time.perf_counter()
        c.request("GET", path_tmpl.format(z=z, x=x, y=y))
        r = c.getresponse()
        b = r.read()
        lat.append(time.perf_counter() - t0)
        nb.append(len(b))
        if r.status != 200:
            errors.append({"tile": "%d/%d/%d" % (z, x, y), "status": r.status,
                           "body": b[:300].decode("utf-8", "replace")})
    c.close()
    return lat, nb, errors


def mem_kb(pid):
    out = {}
    try:
        for line in open("/proc/%d/status" % pid):
            k = line.split(":", 1)[0]
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[k] = int(line.split()[1])
    except OSError:
        pass
    return out


# ------------------------------------------------------------------ picture check
def picture_check(saved, tiles, names, ref="mapnik-gpkg http"):
    """Mean absolute RGB difference (0-255) of each server's PNGs against the
    reference's, every PNG composited over the map background first (tiled draws
    on a transparent background, the anchors paint #f2efe9)."""
    try:
        import numpy as np
        from osgeo import gdal
    except ImportError:
        return None
    gdal.UseExceptions()
    bg = np.array([0xf2, 0xef, 0xe9], dtype=np.float64).reshape(3, 1, 1)

    def load(p):
        a = gdal.Open(p).ReadAsArray().astype(np.float64)
        if a.shape[0] == 4:
            al = a[3:4] / 255.0
            return a[:3] * al + bg * (1 - al)
        return a[:3]

    out = {}
    for n in names:
        if n == ref:
            continue
        per_z = {}
        for z, x, y in tiles:
            pa = os.path.join(saved, slug(n), str(z), str(x), "%d.png" % y)
            pb = os.path.join(saved, slug(ref), str(z), str(x), "%d.png" % y)
            if not (os.path.exists(pa) and os.path.exists(pb)):
                continue
            try:
                d = float(np.abs(load(pa) - load(pb)).mean())
            except Exception:  # noqa
                continue
            per_z.setdefault(z, []).append(d)
        if per_z:
            alld = [v for vs in per_z.values() for v in vs]
            out[n] = {"mean": sum(alld) / len(alld), "n": len(alld),
                      "by_zoom": {str(z): sum(v) / len(v) for z, v in sorted(per_z.items())}}
    return out


SAMPLES = [(10, 815, 479), (12, 3262, 1920), (13, 6523, 3842), (14, 13048, 7691), (15, 26102, 15385),
           (16, 52183, 30757), (17, 104388, 61530)]


def side_by_side(saved, names, outdir, samples=SAMPLES):
    """compare_Z_X_Y.png: the same tile from each server, left to right in `names`
    order, over the map background (for eyes; written only for tiles of the list)."""
    try:
        import numpy as np
        from osgeo import gdal
    except ImportError:
        return []
    gdal.UseExceptions()
    bg = np.array([0xf2, 0xef, 0xe9], dtype=np.float64).reshape(3, 1, 1)
    os.makedirs(outdir, exist_ok=True)
    written = []
    for z, x, y in samples:
        imgs = []
        for n in names:
            pth = os.path.join(saved, slug(n), str(z), str(x), "%d.png" % y)
            if not os.path.exists(pth):
                break
            a = gdal.Open(pth).ReadAsArray().astype(np.float64)
            if a.shape[0] == 4:
                al = a[3:4] / 255.0
                a = a[:3] * al + bg * (1 - al)
            imgs.append(a[:3])
            imgs.append(np.zeros((3, a.shape[1], 4)))
        if len(imgs) != 2 * len(names):
            continue
        row = np.concatenate(imgs[:-1], axis=2).round().astype(np.uint8)
        mem = gdal.GetDriverByName("MEM").Create("", row.shape[2], row.shape[1], 3, gdal.GDT_Byte)
        for b in range(3):
            mem.GetRasterBand(b + 1).WriteArray(row[b])
        out = os.path.join(outdir, "compare_%d_%d_%d.png" % (z, x, y))
        gdal.GetDriverByName("PNG").CreateCopy(out, mem)
        mem = None
        try:
            os.remove(out + ".aux.xml")
        except OSError:
            pass
        written.append(out)
    return written


def slug(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# ------------------------------------------------------------------ report
def cell(cells, target, conc):
    for c in cells:
        if c["target"] == target and c["concurrency"] == conc:
            return c
    return None


def rss_mb(c):
    mem = [m for m in c.get("mem_kb", {}).values() if m]
    if not mem:
        return None, None, 0
    hwm = [m.get("VmHWM") or m.get("ru_maxrss") or 0 for m in mem]
    return max(hwm) / 1024.0, sum(hwm) / 1024.0, len(hwm)


def a_secs(wc):
    for v in wc.values():
        m = re.search(r"-d(\d+)s", v.get("cmd", ""))
        if m:
            return int(m.group(1))
    return 0


def f1(v, nd=1):
    return "-" if v is None else "%.*f" % (nd, v)


def report(res, meta):
    a = json.load(open(os.path.join(res, "anchors.json")))
    cells = a["cells"]
    targets = []
    for c in cells:
        if c["target"] not in targets:
            targets.append(c["target"])
    T = "tiled"
    L = []
    L.append("## tiled vs MapServer 8 / Mapnik 3.1, cold tiles (%s demo data, %d tiles)" % (meta["scale"], a["n_tiles"]))
    L.append("")
    L.append("Run %s, %d rounds (+%d warm-up pass per target), interleaved; median pass throughput; "
             "latencies over all %d measured requests per cell; loadavg before %s, after %s.  "
             "tiled style: %s.  tiled %s." % (
                 a["started"], a["rounds"], a["warmup"], a["n_tiles"] * a["rounds"],
                 "/".join("%.2f" % v for v in a["loadavg_before"]),
                 "/".join("%.2f" % v for v in a["loadavg_after"]),
                 meta["style_note"], meta["tiled_version"]))
    L.append("")
    L.append("| server, data source | 1 client tiles/s | p50 / p95 / p99 ms | 2 clients tiles/s | p50 / p95 / p99 ms "
             "| 2 conns, wrk req/s | peak RSS MB (per process; sum) | PNG mean KB | tiled ÷ this: 1 client / 2 clients / wrk |")
    L.append("|---|---:|---|---:|---|---:|---:|---:|---:|")
    wc = meta.get("wrk_c2", {})
    t1, t2 = cell(cells, T, 1), cell(cells, T, 2)
    for name in targets:
        c1, c2 = cell(cells, name, 1), cell(cells, name, 2)
        r = [c for c in (c1, c2) if c]
        m1, msum, n = rss_mb(r[0])
        lab = meta["labels"].get(name, name)

        def lat(c):
            return "-" if not c else "%.1f / %.1f / %.1f" % (c["lat_ms"]["p50"], c["lat_ms"]["p95"], c["lat_ms"]["p99"])

        def tp(c):
            return "-" if not c else "**%.1f**" % c["tiles_per_s_median_pass"]

        def ratio(t, c):
            if not t or not c:
                return "-"
            return "%.2f×" % (t["tiles_per_s_median_pass"] / c["tiles_per_s_median_pass"])
        wr = wc.get(name, {}).get("requests_per_s")
        wt = wc.get(T, {}).get("requests_per_s")
        rat = "" if name == T else "%s / %s / %s" % (ratio(t1, c1), ratio(t2, c2),
                                                     "%.2f×" % (wt / wr) if wr and wt else "-")
        rss = "-" if m1 is None else ("%.0f" % m1 if n == 1 else "%.0f; %.0f (%d)" % (m1, msum, n))
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            lab, tp(c1), lat(c1), tp(c2), lat(c2), f1(wr), rss, f1(r[0]["png_bytes"]["mean"] / 1024.0), rat))
    w = meta.get("warm")
    if w:
        L.append("| nginx, tiled's PNGs from disk (wrk -t2 -c64, %d s, median of %d) | | | **%.0f req/s** | %.2f ms p50 (wrk) | | | %s | %s |" % (
            w["secs"], w["runs"], w["nginx_rps"], w["nginx_p50"], f1(w["png_mean"] / 1024.0),
            "warm: %.2f×" % (w["tiled_rps"] / w["nginx_rps"])))
        L.append("| tiled warm (%s; wrk -t2 -c64, %d s, median of %d) | | | **%.0f req/s** | %.2f ms p50 (wrk) | | | | |" % (
            w["cache_note"], w["secs"], w["runs"], w["tiled_rps"], w["tiled_p50"]))
    L.append("")
    L.append("Median latency by zoom, 1 client (ms):")
    L.append("")
    zs = sorted({int(z) for c in cells for z in c["p50_ms_by_zoom"]})
    L.append("| server | " + " | ".join("z%d" % z for z in zs) + " |")
    L.append("|---|" + "---:|" * len(zs))
    for name in targets:
        c = cell(cells, name, 1)
        if c:
            L.append("| %s | " % meta["labels"].get(name, name) + " | ".join(
                f1(c["p50_ms_by_zoom"].get(str(z))) for z in zs) + " |")
    # targets
    L.append("")
    L.append("### Against the issue 5 targets")
    L.append("")
    ms = [n for n in targets if n.startswith("mapserver") or n.startswith("mapscript")]
    best = None
    for n in ms:
        c = cell(cells, n, 2)
        if c and (best is None or c["tiles_per_s_median_pass"] > best[1]["tiles_per_s_median_pass"]):
            best = (n, c)
    if t2 and best:
        r = t2["tiles_per_s_median_pass"] / best[1]["tiles_per_s_median_pass"]
        L.append("- Cold, 2 clients: tiled %.1f tiles/s vs MapServer's best configuration (%s) %.1f → **%.2f×** "
                 "(target ≥ 3.0×: %s)." % (t2["tiles_per_s_median_pass"], meta["labels"].get(best[0], best[0]),
                                          best[1]["tiles_per_s_median_pass"], r, "met" if r >= 3.0 else "NOT met"))
        wms = [(n, wc[n]["requests_per_s"]) for n in ms if n in wc]
        if wc.get(T) and wms:
            bw = max(wms, key=lambda v: v[1])
            rw = wc[T]["requests_per_s"] / bw[1]
            L.append("  With wrk as the client (-t2 -c2, %d s per target and round, interleaved, median): tiled %.1f req/s vs %s %.1f → "
                     "**%.2f×** (%s); MapScript in-process has no HTTP, so no wrk figure." % (
                         a_secs(wc), wc[T]["requests_per_s"], meta["labels"].get(bw[0], bw[0]), bw[1], rw,
                         "met" if rw >= 3.0 else "NOT met"))
        fc = [(n, cell(cells, n, 2)) for n in ms if "fcgi" in n and cell(cells, n, 2)]
        if fc:
            bf = max(fc, key=lambda v: v[1]["tiles_per_s_median_pass"])
            L.append("  Against MapServer FastCGI (the HTTP server configuration, %s %.1f tiles/s): %.2f×." % (
                meta["labels"].get(bf[0], bf[0]), bf[1]["tiles_per_s_median_pass"],
                t2["tiles_per_s_median_pass"] / bf[1]["tiles_per_s_median_pass"]))
        p95 = t2["lat_ms"]["p95"]
        meds = ", ".join("%s %.1f" % (meta["labels"].get(n, n), cell(cells, n, 2)["lat_ms"]["p50"])
                         for n in ms if cell(cells, n, 2))
        worst_ok = all(p95 < cell(cells, n, 2)["lat_ms"]["p50"] for n in ms if cell(cells, n, 2))
        L.append("- tiled p95 (2 clients) %.1f ms vs MapServer medians (2 clients: %s ms): below the best "
                 "configuration's median: %s; below every MapServer median: %s." % (
                     p95, meds, "yes" if p95 < best[1]["lat_ms"]["p50"] else "NO", "yes" if worst_ok else "NO"))
    if w:
        r = w["tiled_rps"] / w["nginx_rps"]
        L.append("- Warm: tiled %.0f req/s vs nginx %.0f req/s → **%.2f×** (target ≥ 0.8×: %s). %s" % (
            w["tiled_rps"], w["nginx_rps"], r, "met" if r >= 0.8 else "NOT met", w["cache_detail"]))
    lg = meta.get("large")
    if lg:
        base = lg.get("scale", "medium")  # the run's own store, what the target compares with
        L.append("- Large demo data (%s zoning parcels): serve ready in %.2f s (target < 10 s: %s; %s %.2f s), "
                 "RSS after load %.0f MB, peak %.0f MB after a pass (target < 4 GB: %s), median cold tile "
                 "(1 client) %.2f ms vs %s %.2f ms → %.2f× (target ≤ 1.5× medium: %s)." % (
                     lg.get("zoning", "?"), lg["ready_s"], "met" if lg["ready_s"] < 10 else "NOT met",
                     base, lg["medium_ready_s"], lg["rss_loaded_mb"], lg["hwm_mb"],
                     "met" if lg["hwm_mb"] < 4096 else "NOT met", lg["p50_ms"], base, lg["medium_p50_ms"],
                     lg["p50_ms"] / lg["medium_p50_ms"], "met" if lg["p50_ms"] / lg["medium_p50_ms"] <= 1.5 else "NOT met"))
        if lg.get("analysed_s"):
            L.append("  (Measured after the overlap analysis, done %.2f s after exec; the server answers "
                     "during it, with fills drawn one by one.)" % lg["analysed_s"])
        for e in lg.get("error_tiles", []):
            L.append("  Large: tile %s answered %d: `%s`." % (e["tile"], e["status"], e["body"].strip()))
    lv = meta.get("large_vs")
    if lv and all(k in lv for k in ("tiled medium", "tiled large", "mapscript-shp medium", "mapscript-shp large")):
        tm, tl, mm, ml = (lv[k] for k in ("tiled medium", "tiled large", "mapscript-shp medium", "mapscript-shp large"))
        base = meta.get("scale", "medium")  # the run's own store ("tiled medium": that store)
        L.append("- Large ÷ %s, each renderer against itself (1 client, interleaved, same tiles): tiled "
                 "%.2f / %.2f ms median → **%.2f×**; MapServer MapScript SHP (its fastest configuration) "
                 "%.2f / %.2f ms → **%.2f×**.  PNG mean (the tiles' content) grows %.2f× (tiled %.1f → %.1f KB) "
                 "and %.2f× (MapServer %.1f → %.1f KB).  tiled ÷ MapServer on the large store: %.2f× faster "
                 "per tile (%.2f× on %s)." % (
                     base, tm["p50_ms"], tl["p50_ms"], tl["p50_ms"] / tm["p50_ms"], mm["p50_ms"], ml["p50_ms"],
                     ml["p50_ms"] / mm["p50_ms"], tl["png_mean"] / tm["png_mean"], tm["png_mean"] / 1024,
                     tl["png_mean"] / 1024, ml["png_mean"] / mm["png_mean"], mm["png_mean"] / 1024,
                     ml["png_mean"] / 1024, ml["p50_ms"] / tl["p50_ms"], mm["p50_ms"] / tm["p50_ms"], base))
        zs = sorted(tm["by_zoom"], key=int)
        zm = [" / ".join(f1(c["by_zoom"][z], 1) for z in zs) for c in (tm, tl, mm, ml)]
        L.append("  Per-zoom medians, ms (z%s-z%s): tiled %s %s; tiled large %s; MapScript SHP %s %s; "
                 "large %s." % (zs[0], zs[-1], base, zm[0], zm[1], base, zm[2], zm[3]))
        bad = {k: v["errors"] for k, v in lv.items() if v.get("errors")}
        if bad:
            L.append("  Errors: %s." % bad)
    sp = meta.get("spread")
    if sp:
        L.append("- Dataset size alone (%s parcels: the zoning plus 9 copies further north, so the "
                 "bench tiles hold the same content): ready %.2f s, analysed %.2f s, peak %.0f MB; median cold "
                 "tile (1 client) %.2f ms vs the %s store %.2f ms in the same go → %.2f×; p95 %.2f vs %.2f ms." % (
                     "{:,}".format(sp["zoning"]) if sp.get("zoning") else "?", sp["ready_s"], sp["analysed_s"] or 0, sp["hwm_mb"], sp["p50_ms"], sp.get("scale", "medium"), sp["medium_p50_ms"],
                     sp["p50_ms"] / sp["medium_p50_ms"], sp["p95_ms"], sp["medium_p95_ms"]))
        for e in sp.get("error_tiles", []):
            L.append("  Spread: tile %s answered %d: `%s`." % (e["tile"], e["status"], e["body"].strip()))
    pc = meta.get("picture")
    if pc:
        L.append("")
        L.append("Same map? Mean absolute RGB difference (0-255) against Mapnik GPKG over the %d tiles, every PNG "
                 "composited over the background #f2efe9: " % max(v["n"] for v in pc.values()) +
                 "; ".join("%s %.2f (z10 %s, z17 %s)" % (meta["labels"].get(n, n), v["mean"],
                                                          f1(v["by_zoom"].get("10"), 2), f1(v["by_zoom"].get("17"), 2))
                           for n, v in pc.items()) + ".")
    L.append("")
    L.append("Notes: throughput = tiles / wall time of one pass (median of the rounds); 1 client = one keep-alive "
             "connection (the anchors: one worker process busy; tiled: one of its 2 threads), 2 clients = two "
             "connections.  MapServer FastCGI and Mapnik run 2 worker processes each (peak RSS per process and the "
             "sum); tiled is one process with 2 threads.  mapscript inproc = MapServer's MapScript in 2 forked "
             "Python workers fed directly (no HTTP; latency = render + encode).  The Shapefiles are the store's "
             "layers re-projected to EPSG:3857 with ogr2ogr, indexed with shptree (.qix) and shapeindex (.index).")
    return "\n".join(L)


def run_bench_all(rig, plan_path, out):
    """The rig's bench_all.py over a plan; its exit status."""
    cmd = [PY, os.path.join(rig, "bench_all.py"), plan_path, "-o", out]
    COMMANDS.append(q(cmd))
    # own process group, so that stopping it (Ctrl-C, error) also stops its MapScript workers
    ba = subprocess.Popen(cmd, start_new_session=True)
    STARTED.append(("bench_all", -ba.pid, signal.SIGTERM))
    rc = ba.wait()
    STARTED.remove(("bench_all", -ba.pid, signal.SIGTERM))
    return rc


# ------------------------------------------------------------------ large vs MapServer
def large_vs_mapserver(a, rig, tiled, store, lstore, layers, tiles_file, tpath, probe, run_dir, lrun, res):
    """How does each renderer's cost grow from the medium to the large store? tiled on
    both stores (HTTP, --no-cache) and MapServer MapScript on both stores' Shapefile
    copies (MapServer's fastest configuration), one client each, interleaved rounds."""
    lshp = os.path.splitext(lstore)[0] + "_shp3857"
    log("large vs MapServer: Shapefile copies of the large store in %s" % lshp)
    make_shp(lstore, lshp, layers)
    os.makedirs(lrun, exist_ok=True)
    instantiate_styles(rig, lrun, lstore, lshp)
    ports = {}
    for label, st in (("tiled-medium-lv", store), ("tiled-large-lv", lstore)):
        pid, port, _ = start_tiled(tiled, st, ["--no-cache"], os.path.join(lrun, label + ".log"), label, probe)
        open(os.path.join(lrun, label + ".pids"), "w").write("%d\n" % pid)
        ports[label] = port
    targets = [
        {"name": "tiled medium", "kind": "http", "concurrency": [1],
         "url": "http://127.0.0.1:%d%s" % (ports["tiled-medium-lv"], tpath),
         "pidfile": os.path.join(lrun, "tiled-medium-lv.pids")},
        {"name": "tiled large", "kind": "http", "concurrency": [1],
         "url": "http://127.0.0.1:%d%s" % (ports["tiled-large-lv"], tpath),
         "pidfile": os.path.join(lrun, "tiled-large-lv.pids")},
        {"name": "mapscript-shp medium", "kind": "inproc", "engine": "mapscript", "concurrency": [1],
         "style": os.path.join(run_dir, "ms_shp.map")},
        {"name": "mapscript-shp large", "kind": "inproc", "engine": "mapscript", "concurrency": [1],
         "style": os.path.join(lrun, "ms_shp.map")},
    ]
    plan = {"tiles": tiles_file, "rounds": a.rounds, "warmup": 1, "targets": targets}
    plan_path = os.path.join(lrun, "plan.json")
    json.dump(plan, open(plan_path, "w"), indent=1)
    out = os.path.join(res, "large_vs.json")
    rc = run_bench_all(rig, plan_path, out)
    stop_label("tiled-medium-lv")
    stop_label("tiled-large-lv")
    if rc != 0:
        log("large vs MapServer: bench_all.py failed (%d)" % rc)
        return None
    cells = {c["target"]: c for c in json.load(open(out))["cells"]}
    return {n: {"p50_ms": c["lat_ms"]["p50"], "p95_ms": c["lat_ms"]["p95"], "tps": c.get("tiles_per_s_median_pass"),
                "png_mean": c["png_bytes"]["mean"], "by_zoom": c["p50_ms_by_zoom"], "errors": c["errors"]}
            for n, c in cells.items()}


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiled", required=True, help="the tiled binary")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--tiled-src", default=REPO, help="the source tree the binary was built from (for the report)")
    ap.add_argument("--rig", default=os.path.abspath(os.path.join(REPO, "..", "shared", "bench")))
    ap.add_argument("--scale", default="medium", choices=["small", "medium"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--store", help="an existing tiled store (default: tiled demo --scale S into OUTDIR/data)")
    ap.add_argument("--style", help="SLD attached to every layer (default: RIG/styles/binhduong.sld)")
    ap.add_argument("--no-style", action="store_true", help="keep tiled's built-in look")
    ap.add_argument("--tiles", help="tile list (default: RIG/tiles.txt)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help=">= 1 (the warm-up pass saves the PNGs)")
    ap.add_argument("--no-inproc", action="store_true", help="skip the in-process MapScript cells")
    ap.add_argument("--wrk-secs", type=int, default=10)
    ap.add_argument("--wrk-runs", type=int, default=3)
    ap.add_argument("--wrk-check-secs", type=int, default=5,
                    help="seconds per wrk -t2 -c2 cross-check of every HTTP target, one per round (0: skip)")
    ap.add_argument("--large", action="store_true", help="also the large demo store (a few minutes)")
    ap.add_argument("--spread", action="store_true",
                    help="also a store of 1M parcels whose bench tiles hold the medium's content: the "
                         "medium zoning plus 9 copies 0.8-7.2 deg further north (cost vs dataset size)")
    a = ap.parse_args()

    out = os.path.abspath(a.outdir)
    if (out + "/").startswith(REPO + "/"):
        raise SystemExit("--outdir must be outside the repository")
    rig = os.path.abspath(a.rig)
    tiles_file = os.path.abspath(a.tiles or os.path.join(rig, "tiles.txt"))
    sld = os.path.abspath(a.style or os.path.join(rig, "styles", "binhduong.sld"))
    layers = [l.strip() for l in open(os.path.join(rig, "styles", "binhduong_layers.txt")) if l.strip()]
    layer_path = ",".join(layers)
    data, run_dir, res = (os.path.join(out, d) for d in ("data", "run-" + a.scale, "results-" + a.scale))
    for d in (data, run_dir, res):
        os.makedirs(d, exist_ok=True)
    tiled = os.path.abspath(a.tiled)
    sys.path.insert(0, rig)
    import benchlib
    tiles = benchlib.read_tiles(tiles_file)

    atexit.register(stop_all)
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: sys.exit(130))

    meta = {"scale": a.scale, "labels": {}}
    try:
        meta["tiled_version"] = "at " + subprocess.run(
            ["git", "-C", a.tiled_src, "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    except OSError:
        meta["tiled_version"] = ""
    meta["tiled_version"] += " (%s)" % tiled

    # 1. data
    store = os.path.abspath(a.store) if a.store else os.path.join(data, "binhduong-%s-s%d.gpkg" % (a.scale, a.seed))
    if not a.store:
        make_store(tiled, store, a.scale, a.seed, res)
    if a.no_style:
        meta["style_note"] = "tiled's built-in look (--no-style)"
    else:
        ok, msg = attach_style(tiled, store, sld, layers)
        meta["style_note"] = ("%s attached to the %d layers with `tiled style set`" % (os.path.basename(sld), len(layers))
                              if ok else "tiled's built-in look: " + msg)
        log(meta["style_note"] + ("" if ok else ""))
    shpdir = os.path.splitext(store)[0] + "_shp3857"
    log("Shapefile copies (EPSG:3857) + .qix/.index in %s" % shpdir)
    make_shp(store, shpdir, layers)
    counts = feature_counts(store, layers) or {}
    json.dump({"gpkg": os.path.basename(store), "bytes": os.path.getsize(store), "counts": counts},
              open(os.path.join(res, "dataset.json"), "w"), indent=1)
    instantiate_styles(rig, run_dir, store, shpdir)

    # 2. servers
    saved = os.path.join(run_dir, "saved")
    shutil.rmtree(saved, ignore_errors=True)
    static = os.path.join(saved, "tiled")
    ports = start_anchors(rig, run_dir, static)
    cold_args = ["--no-cache"]
    tpath = "/tiles/%s/{z}/{x}/{y}.png" % layer_path
    probe = tpath.format(z=14, x=13048, y=7691)
    tpid, tport, ready_s = start_tiled(tiled, store, cold_args, os.path.join(run_dir, "tiled_cold.log"),
                                       "tiled-cold", probe)
    open(os.path.join(run_dir, "tiled.pids"), "w").write("%d\n" % tpid)
    log("servers up: tiled :%d (ready %.2f s), nginx :%d, mapnik :%d/:%d" % (
        tport, ready_s, ports["nginx"], ports["mk_gpkg"], ports["mk_shp"]))

    # 3. plan + bench_all.py (one interleaved run)
    msu = "mode=tile&tilemode=gmap&tile={x}+{y}+{z}&layers=all"
    targets = [
        {"name": "tiled", "kind": "http", "engine_label": "tiled", "source": "tiled store (in-memory snapshot)",
         "url": "http://127.0.0.1:%d%s" % (tport, tpath), "pidfile": os.path.join(run_dir, "tiled.pids"),
         "save": "tiled"},
        {"name": "mapserver-gpkg fcgi", "kind": "http", "engine_label": "mapserver", "source": "gpkg",
         "url": "http://127.0.0.1:%d/ms_gpkg?map=BD_GPKG&%s" % (ports["nginx"], msu),
         "pidfile": os.path.join(run_dir, "ms_gpkg.pids"), "save": "mapserver_gpkg_fcgi"},
        {"name": "mapserver-shp fcgi", "kind": "http", "engine_label": "mapserver", "source": "shp+qix (EPSG:3857)",
         "url": "http://127.0.0.1:%d/ms_shp?map=BD_SHP&%s" % (ports["nginx"], msu),
         "pidfile": os.path.join(run_dir, "ms_shp.pids"), "save": "mapserver_shp_fcgi"},
        {"name": "mapnik-gpkg http", "kind": "http", "engine_label": "mapnik", "source": "gpkg (ogr plugin)",
         "url": "http://127.0.0.1:%d/{z}/{x}/{y}.png" % ports["mk_gpkg"],
         "pidfile": os.path.join(run_dir, "mapnik_gpkg.pids"), "save": "mapnik_gpkg_http"},
        {"name": "mapnik-shp http", "kind": "http", "engine_label": "mapnik", "source": "shp+index (EPSG:3857)",
         "url": "http://127.0.0.1:%d/{z}/{x}/{y}.png" % ports["mk_shp"],
         "pidfile": os.path.join(run_dir, "mapnik_shp.pids"), "save": "mapnik_shp_http"},
        {"name": "nginx-static http", "kind": "http", "engine_label": "nginx", "source": "tiled's PNGs from disk",
         "url": "http://127.0.0.1:%d/tiles/{z}/{x}/{y}.png" % ports["nginx"]},
    ]
    if not a.no_inproc:
        targets += [
            {"name": "mapscript-gpkg inproc", "kind": "inproc", "engine": "mapscript", "source": "gpkg",
             "style": os.path.join(run_dir, "ms_gpkg.map")},
            {"name": "mapscript-shp inproc", "kind": "inproc", "engine": "mapscript", "source": "shp+qix (EPSG:3857)",
             "style": os.path.join(run_dir, "ms_shp.map")},
        ]
    meta["labels"] = {
        "tiled": "**tiled** (HTTP, 2 threads, --no-cache)",
        "mapserver-gpkg fcgi": "MapServer FastCGI, GPKG (OGR)",
        "mapserver-shp fcgi": "MapServer FastCGI, SHP 3857 + .qix",
        "mapnik-gpkg http": "Mapnik HTTP, GPKG (ogr plugin)",
        "mapnik-shp http": "Mapnik HTTP, SHP 3857 + .index",
        "mapscript-gpkg inproc": "MapServer MapScript in-process, GPKG",
        "mapscript-shp inproc": "MapServer MapScript in-process, SHP 3857 + .qix",
        "nginx-static http": "(client ceiling: nginx, tiled's PNGs from disk, same client)",
    }
    plan = {"tiles": tiles_file, "rounds": a.rounds, "warmup": max(1, a.warmup), "save_dir": saved, "targets": targets}
    plan_path = os.path.join(run_dir, "plan.json")
    json.dump(plan, open(plan_path, "w"), indent=1)
    log("bench_all.py: %d tiles, %d rounds, %d targets" % (len(tiles), a.rounds, len(targets)))
    rc = run_bench_all(rig, plan_path, os.path.join(res, "anchors.json"))
    if rc != 0:
        raise SystemExit("bench_all.py failed (%d)" % rc)
    medium_p50 = cell(json.load(open(os.path.join(res, "anchors.json")))["cells"], "tiled", 1)["lat_ms"]["p50"]
    # wrk cross-check, 2 connections, duration-bound: the Python client of bench_all.py
    # costs CPU on this 2-core machine, which matters for a server answering in ~2 ms
    # (interleaved too: `rounds` rounds, order rotated, median per target)
    meta["wrk_c2"] = {}
    if a.wrk_check_secs > 0:
        wt = [t for t in targets if t["kind"] == "http" and t["name"] != "nginx-static http"]
        runs = {t["name"]: [] for t in wt}
        for rnd in range(a.rounds):
            k = rnd % len(wt)
            for t in wt[k:] + wt[:k]:
                u = t["url"].split("/", 3)
                port, tmpl = int(u[2].rsplit(":", 1)[1]), "/" + u[3]
                w = wrk(rig, port, tiles_file, tmpl, a.wrk_check_secs, conns=2)
                runs[t["name"]].append(w)
                log("wrk -c2 round %d %-22s %.1f req/s" % (rnd + 1, t["name"], w["requests_per_s"]))
        for n, rs in runs.items():
            rs = sorted(rs, key=lambda r: r["requests_per_s"])
            m = dict(rs[len(rs) // 2])
            m["cmd"] = "wrk -t2 -c2 -d%ds" % a.wrk_check_secs
            m["all_requests_per_s"] = [r["requests_per_s"] for r in runs[n]]
            meta["wrk_c2"][n] = m
        json.dump(meta["wrk_c2"], open(os.path.join(res, "wrk_c2.json"), "w"), indent=1)
    stop_label("tiled-cold")

    # 4. warm: tiled with its cache (one pass first) vs nginx serving tiled's PNGs
    help_txt = subprocess.run([tiled, "serve", "--help"], capture_output=True, text=True)
    help_txt = help_txt.stdout + help_txt.stderr
    warm_args = []
    if re.search(r"--cache[ =]DIR", help_txt):
        cdir = os.path.join(run_dir, "tilecache")
        shutil.rmtree(cdir, ignore_errors=True)
        warm_args = ["--cache", cdir]
    wpid, wport, _ = start_tiled(tiled, store, warm_args, os.path.join(run_dir, "tiled_warm.log"), "tiled-warm", probe)
    l1, nb1, e1 = one_pass(wport, tpath, tiles)
    l2, nb2, e2 = one_pass(wport, tpath, tiles)
    p1, p2 = statistics.median(l1) * 1000, statistics.median(l2) * 1000
    if e1 or e2:
        log("warm passes: %d non-200 answers, e.g. %s" % (len(e1) + len(e2), (e1 or e2)[0]))
    cached = p2 < 0.3 * medium_p50
    n_static = sum(len(fs) for _, _, fs in os.walk(static))
    png_mean = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(static) for f in fs) / max(1, n_static)
    log("warm: first pass p50 %.2f ms, second %.2f ms (%s); %d PNGs of tiled for nginx" % (
        p1, p2, "cached" if cached else "NOT cached", n_static))
    nginx_runs, tiled_runs = [], []
    wtmpl = "/tiles/%s/{z}/{x}/{y}.png" % layer_path
    for i in range(a.wrk_runs):
        nginx_runs.append(wrk(rig, ports["nginx"], tiles_file, "/tiles", a.wrk_secs))
        tiled_runs.append(wrk(rig, wport, tiles_file, wtmpl, a.wrk_secs))
        log("wrk run %d: nginx %.0f req/s, tiled %.0f req/s" % (
            i + 1, nginx_runs[-1]["requests_per_s"], tiled_runs[-1]["requests_per_s"]))
    wmem = mem_kb(wpid)
    stop_label("tiled-warm")

    def med(runs):
        s = sorted(runs, key=lambda r: r["requests_per_s"])
        return s[len(s) // 2]
    mn, mt = med(nginx_runs), med(tiled_runs)
    meta["warm"] = {
        "secs": a.wrk_secs, "runs": a.wrk_runs, "nginx_rps": mn["requests_per_s"], "tiled_rps": mt["requests_per_s"],
        "nginx_p50": mn["lat_ms"]["p50"], "tiled_p50": mt["lat_ms"]["p50"], "png_mean": png_mean,
        "nginx_all": [r["requests_per_s"] for r in nginx_runs], "tiled_all": [r["requests_per_s"] for r in tiled_runs],
        "tiled_errors": sum(sum(r["errors"].values()) + r["non2xx"] for r in tiled_runs),
        "nginx_errors": sum(sum(r["errors"].values()) + r["non2xx"] for r in nginx_runs),
        "tiled_mem_kb": wmem, "serve_args": warm_args,
        "cache_note": ("cache warmed by one pass" if cached else "NO cache: every request rendered"),
        "cache_detail": ("tiled %s: median latency of a second pass over the list %.2f ms (first pass %.2f ms, "
                         "cold 1-client median %.2f ms)%s." % (
            "serves from its cache" if cached else "has no effective tile cache yet", p2, p1, medium_p50,
            "" if cached else ", so the warm figure is rendering throughput under 64 connections")),
    }
    json.dump(meta["warm"], open(os.path.join(res, "warm.json"), "w"), indent=1)

    # 5. picture check (every server's warm-up PNGs)
    meta["picture"] = picture_check(saved, tiles, [t["name"] for t in targets if t["kind"] == "http"
                                                   and t["name"] != "nginx-static http"])
    cmp_names = ["tiled", "mapserver-shp fcgi", "mapnik-gpkg http"]
    meta["compare_pngs"] = side_by_side(saved, cmp_names, os.path.join(run_dir, "compare"),
                                        [t for t in SAMPLES if t in set(tiles)])
    meta["compare_order"] = cmp_names

    # 6. large
    if a.large:
        stop_all()  # free the CPUs and memory of the anchors first
        lstore = os.path.join(data, "binhduong-large-s%d.gpkg" % a.seed)
        info = make_store(tiled, lstore, "large", a.seed, res) or {}
        if not a.no_style:
            attach_style(tiled, lstore, sld, layers)
        lpid, lport, lready = start_tiled(tiled, lstore, ["--no-cache"], os.path.join(run_dir, "tiled_large.log"),
                                          "tiled-large", probe)
        loaded = mem_kb(lpid)
        one_pass(lport, tpath, tiles)                 # warm-up, like the medium cells
        ll, _, le = one_pass(lport, tpath, tiles)
        hwm = mem_kb(lpid)
        stop_label("tiled-large")
        zc = (feature_counts(lstore, ["zoning"]) or {}).get("zoning", info.get("zoning", "?"))
        meta["large"] = {"scale": a.scale, "ready_s": lready, "analysed_s": ANALYSED.get("tiled-large"), "error_tiles": le, "medium_ready_s": ready_s, "rss_loaded_mb": loaded.get("VmRSS", 0) / 1024.0,
                         "hwm_mb": hwm.get("VmHWM", 0) / 1024.0, "p50_ms": statistics.median(ll) * 1000,
                         "medium_p50_ms": medium_p50, "zoning": zc, "demo": info}
        json.dump(meta["large"], open(os.path.join(res, "large.json"), "w"), indent=1)
        if not a.no_inproc:
            meta["large_vs"] = large_vs_mapserver(a, rig, tiled, store, lstore, layers, tiles_file, tpath, probe,
                                                  run_dir, os.path.join(out, "run-large"), res)

    # 7. spread: dataset size without more tile content
    if a.spread:
        stop_all()
        sstore = os.path.join(data, "binhduong-spread-s%d.gpkg" % a.seed)
        if not os.path.exists(sstore):
            from osgeo import ogr
            ds = ogr.Open(store)
            defn = ds.GetLayerByName("zoning").GetLayerDefn()
            cols = ", ".join('"%s"' % defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount()))
            ds = None
            sql = " UNION ALL ".join(
                "SELECT %s, %s AS geom FROM zoning" % (cols, "geom" if k == 0 else "ST_Translate(geom, 0, %.1f, 0)" % (0.8 * k))
                for k in range(10))
            src = os.path.join(data, "spread-zoning.gpkg")
            if os.path.exists(src):
                os.remove(src)
            log("spread: writing %s (medium zoning x 10)" % src)
            run(["ogr2ogr", "-f", "GPKG", src, store, "-dialect", "SQLite", "-sql", sql, "-nln", "zoning"], check=True)
            shutil.copyfile(store, sstore + ".tmp")
            run([tiled, "import", "--store", sstore + ".tmp", "--layer", "zoning", src, "zoning"], check=True,
                capture_output=True)
            os.rename(sstore + ".tmp", sstore)
            os.remove(src)
        spid, sport, sready = start_tiled(tiled, sstore, ["--no-cache"], os.path.join(run_dir, "tiled_spread.log"),
                                          "tiled-spread", probe)
        one_pass(sport, tpath, tiles)
        sl, _, se = one_pass(sport, tpath, tiles)
        shwm = mem_kb(spid)
        stop_label("tiled-spread")
        # the medium store again, in the same conditions (one client, after a warm-up pass)
        mpid, mport, _ = start_tiled(tiled, store, ["--no-cache"], os.path.join(run_dir, "tiled_medium2.log"),
                                     "tiled-medium2", probe)
        one_pass(mport, tpath, tiles)
        ml, _, _ = one_pass(mport, tpath, tiles)
        stop_label("tiled-medium2")
        szc = (feature_counts(sstore, ["zoning"]) or {}).get("zoning")
        meta["spread"] = {"zoning": szc, "scale": a.scale, "ready_s": sready, "analysed_s": ANALYSED.get("tiled-spread"), "error_tiles": se,
                          "hwm_mb": shwm.get("VmHWM", 0) / 1024.0, "p50_ms": statistics.median(sl) * 1000,
                          "medium_p50_ms": statistics.median(ml) * 1000,
                          "p95_ms": sorted(sl)[int(0.95 * len(sl))] * 1000,
                          "medium_p95_ms": sorted(ml)[int(0.95 * len(ml))] * 1000}
        json.dump(meta["spread"], open(os.path.join(res, "spread.json"), "w"), indent=1)

    stop_all()
    versions = []
    for cmd in (["mapserv", "-v"], [PY, "-c", "import mapnik; v = mapnik.mapnik_version(); "
                                           "print('Mapnik %d.%d.%d' % (v // 100000, v // 100 % 1000, v % 100))"],
                [PY, "-c", "from osgeo import gdal; print('GDAL', gdal.__version__)"], ["nginx", "-v"], ["wrk", "-v"]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        versions.append(((r.stdout or "") + (r.stderr or "")).strip().splitlines()[0] if (r.stdout or r.stderr) else "")
    meta["versions"] = versions
    json.dump(meta, open(os.path.join(res, "meta.json"), "w"), indent=1, default=str)
    md = report(res, meta)
    full = subprocess.run([PY, os.path.join(rig, "report.py"), res], capture_output=True, text=True).stdout
    cmds = "\n".join("    " + c for c in COMMANDS)
    text = (md + "\n\nVersions: " + "; ".join(v for v in versions if v) + "\n\n### Full table (the rig's report.py)\n\n" +
            full + "\n### Commands run\n\n" + cmds + "\n")
    open(os.path.join(res, "summary.md"), "w").write(text)
    print(text)
    log("results in %s (summary.md, anchors.json, warm.json); PNGs of every server in %s" % (res, saved))


if __name__ == "__main__":
    main()
