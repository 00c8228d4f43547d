/* cmd_import.c: `tiled import`: a file as a new version of a layer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/import.h"
#include "styles/styles.h"
#include "tiled/base/tl_buf.h"
#include "tiled/base/tl_util.h"
#include "tiled/cli.h"

static const char usage[] =
    "usage: tiled import --store PATH --layer NAME [options] SOURCE [SOURCE_LAYER]\n"
    "  SOURCE        Shapefile (.shp or .zip), GeoPackage, GeoJSON, KML, DXF, CSV, MapInfo TAB\n"
    "  SOURCE_LAYER  the layer to read when SOURCE has several\n"
    "  --store PATH  the GeoPackage store (default ./tiled.gpkg; created if missing)\n"
    "  --layer NAME  the layer to publish a new version of\n"
    "  --title T     a title for the layer\n"
    "  --s-srs SRS   the source CRS, overriding the file's (e.g. EPSG:9210, VN-2000 TM-3 105-45)\n"
    "  --encoding E  the source's text encoding (e.g. TCVN5712-1 for TCVN3, CP1258)\n"
    "  --where SQL   import only features matching this OGR attribute filter\n"
    "  --style FILE  attach this SLD (its NamedLayer NAME, or its only one) to the layer\n"
    "  --keep N      versions to keep (default 5; 0 keeps all)\n"
    "  --dry-run     read, check and report, but publish nothing\n"
    "  --json        print the report as JSON\n"
    "Exit status: 0 published; 2 bad input; 3 store error; 4 not found; 5 too big;\n"
    "9 CRS error; 12 another import of the layer is running.\n";

/* Read and check the SLD for `layer` before anything is imported. */
static int load_style(const char *path, const char *layer, char **out, tl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        TL_FAIL(err, TL_ENOTFOUND, "--style %s: %s", path, strerror(errno));
        return -1;
    }
    tl_buf b;
    tl_buf_init(&b, 16u << 20);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = tl_buf_add(&b, chunk, n, err);
    fclose(f);
    sty_issues is = {0};
    sty_style *s = rc == 0 ? sty_style_from_sld((const char *)b.data, b.len, layer, &is, err)
                           : NULL;
    for (size_t i = 0; i < is.n; i++)
        fprintf(stderr, "%s:%d: %s\n", path, is.v[i].line, is.v[i].msg);
    sty_issues_free(&is);
    if (!s) {
        tl_buf_free(&b);
        tl_err_prefix(err, "--style %s: ", path);
        return -1;
    }
    sty_style_release(s);
    *out = (char *)tl_buf_take(&b, &n);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    imp_opts o = {.store = "tiled.gpkg", .keep = IMP_KEEP_DEFAULT};
    const char *style = NULL;
    char *sld = NULL;
    int json = 0;
    tl_err err = TL_ERR_INIT;
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},    {"layer", required_argument, 0, 'l'},
        {"title", required_argument, 0, 't'},    {"s-srs", required_argument, 0, 'c'},
        {"encoding", required_argument, 0, 'e'}, {"where", required_argument, 0, 'w'},
        {"keep", required_argument, 0, 'k'},     {"dry-run", no_argument, 0, 'n'},
        {"json", no_argument, 0, 'j'},           {"help", no_argument, 0, 'h'},
        {"style", required_argument, 0, 'S'},
        {0, 0, 0, 0}};
    int c;
    int64_t keep = IMP_KEEP_DEFAULT;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': o.store = optarg; break;
        case 'l': o.layer = optarg; break;
        case 't': o.title = optarg; break;
        case 'c': o.s_srs = optarg; break;
        case 'e': o.encoding = optarg; break;
        case 'w': o.where = optarg; break;
        case 'k':
            if (tl_parse_i64(optarg, 0, 1000000, &keep, &err) != 0) {
                tl_err_prefix(&err, "--keep: ");
                return cli_fail("import", &err);
            }
            o.keep = (int)keep;
            break;
        case 'n': o.dry_run = 1; break;
        case 'S': style = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("import", usage, NULL);
        }
    }
    if (!o.layer)
        return cli_usage("import", usage, "--layer is required");
    if (optind >= argc)
        return cli_usage("import", usage, "no SOURCE file given");
    o.source = argv[optind++];
    if (optind < argc)
        o.source_layer = argv[optind++];
    if (optind < argc)
        return cli_usage("import", usage, "too many arguments");
    if (style && load_style(style, o.layer, &sld, &err) != 0) /* refuse before importing */
        return cli_fail("import", &err);
    cli_progress p = {isatty(STDERR_FILENO), "", -1, 0};
    o.progress = cli_progress_cb;
    o.progress_ud = &p;
    imp_result res;
    int rc = imp_run(&o, &res, &err);
    if (p.tty && p.last_pct >= 0)
        fputc('\n', stderr);
    if (rc == 0 && sld && !o.dry_run) {
        lyr_store *st = lyr_store_open(o.store, 0, &err);
        rc = st ? lyr_store_set_style(st, o.layer, sld, &err) : -1;
        lyr_store_close(st);
        if (rc != 0)
            tl_err_prefix(&err, "version %d was published, but its style was not set: ",
                          res.version);
    }
    free(sld);
    if (rc != 0) {
        imp_result_free(&res);
        return cli_fail("import", &err);
    }
    fputs(json ? res.json : res.text, stdout);
    if (json)
        fputc('\n', stdout);
    imp_result_free(&res);
    return 0;
}
