/* cmd_layers.c: `tiled layers`: list the published layers of a store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "layers/layers.h"
#include "tiled/base/tl_buf.h"
#include "tiled/cli.h"

static const char usage[] = "usage: tiled layers --store PATH [--json]\n";

static const char *kind_name(lyr_geom_kind k)
{
    return k == LYR_GEOM_POINT ? "point" : k == LYR_GEOM_LINE ? "line" : "polygon";
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
    int rc = lyr_store_list(st, &li, &n, &err);
    lyr_store_close(st);
    if (rc != 0)
        return cli_fail("layers", &err);
    if (json)
        fputs("[", stdout);
    else
        printf("%-20s %7s %10s %-8s %-44s %s\n", "layer", "version", "features", "kind",
               "extent (lon/lat)", "imported");
    for (size_t i = 0; i < n; i++) {
        if (json)
            printf("%s{\"name\": \"%s\", \"version\": %d, \"features\": %lld, \"kind\": \"%s\", "
                   "\"extent\": [%.6f, %.6f, %.6f, %.6f], \"imported_at\": \"%s\"}",
                   i ? ", " : "", li[i].name, li[i].version, (long long)li[i].n_features,
                   kind_name(li[i].kind), li[i].extent[0], li[i].extent[1], li[i].extent[2],
                   li[i].extent[3], li[i].imported_at);
        else
            printf("%-20s %7d %10lld %-8s %10.5f %10.5f %10.5f %10.5f  %s\n", li[i].name,
                   li[i].version, (long long)li[i].n_features, kind_name(li[i].kind),
                   li[i].extent[0], li[i].extent[1], li[i].extent[2], li[i].extent[3],
                   li[i].imported_at);
    }
    if (json)
        fputs("]\n", stdout);
    free(li);
    return 0;
}
