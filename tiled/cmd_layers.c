/* cmd_layers.c: `tiled layers`: the published layers of a store and their kept versions. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "layers/layers.h"
#include "tiled/cli.h"
#include "tiled/srv.h"

static const char usage[] =
    "usage: tiled layers --store PATH [--json]\n"
    "  Lists each layer with its kept versions (* marks the published one): features,\n"
    "  extent, source file, source CRS and import time.\n";

static const char *kind_name(lyr_geom_kind k)
{
    return k == LYR_GEOM_POINT ? "point" : k == LYR_GEOM_LINE ? "line" : "polygon";
}

static void print_text(const lyr_layer_info *li, const lyr_version_info *v, size_t nv)
{
    printf("%s (%s, %s)\n", li->name, kind_name(li->kind), li->title);
    for (size_t k = 0; k < nv; k++)
        printf("  %c v%-4d %10lld  %10.5f %9.5f %10.5f %9.5f  %-20s %s  %s\n",
               v[k].current ? '*' : ' ', v[k].version, (long long)v[k].n_features,
               v[k].extent[0], v[k].extent[1], v[k].extent[2], v[k].extent[3],
               v[k].imported_at, v[k].source_crs, v[k].source);
}

int cmd_layers(int argc, char **argv)
{
    const char *store = "tiled.gpkg";
    int json = 0;
    tl_err err = TL_ERR_INIT;
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("layers", usage, NULL);
        }
    }
    lyr_store *st = lyr_store_open(store, 0, &err);
    if (!st)
        return cli_fail("layers", &err);
    lyr_layer_info *li = NULL;
    size_t n = 0;
    json_t *doc = json_array();
    int rc = lyr_store_list(st, &li, &n, &err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        lyr_version_info *v = NULL;
        size_t nv = 0;
        rc = lyr_store_versions(st, li[i].name, &v, &nv, &err);
        if (rc != 0)
            break;
        if (!json) {
            print_text(&li[i], v, nv);
        } else {
            json_t *vs = json_array();
            for (size_t k = 0; k < nv; k++)
                json_array_append_new(vs, srv_version_json(&v[k]));
            json_array_append_new(
                doc, json_pack("{s:s, s:s, s:i, s:I, s:s, s:[f, f, f, f], s:s, s:s, s:s, s:o}",
                               "name", li[i].name, "title", li[i].title, "version",
                               li[i].version, "features", (json_int_t)li[i].n_features, "kind",
                               kind_name(li[i].kind), "extent", li[i].extent[0],
                               li[i].extent[1], li[i].extent[2], li[i].extent[3],
                               "imported_at", li[i].imported_at, "source", li[i].source,
                               "source_crs", li[i].source_crs, "versions", vs));
        }
        free(v);
    }
    lyr_store_close(st);
    free(li);
    if (rc == 0 && json) {
        char *s = json_dumps(doc, JSON_INDENT(1));
        puts(s ? s : "[]");
        free(s);
    }
    json_decref(doc);
    return rc == 0 ? 0 : cli_fail("layers", &err);
}
