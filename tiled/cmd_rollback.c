/* cmd_rollback.c: `tiled rollback`: publish a kept older version of a layer again. */
#include <getopt.h>
#include <stdio.h>

#include "layers/layers.h"
#include "tiled/base/tl_util.h"
#include "tiled/cli.h"

static const char usage[] =
    "usage: tiled rollback --store PATH --layer NAME --version N\n"
    "  Publishes kept version N of the layer again (`tiled layers` lists the versions).\n"
    "  A running `tiled serve` picks it up within a second.\n";

int cmd_rollback(int argc, char **argv)
{
    const char *store = "tiled.gpkg", *layer = NULL;
    int64_t version = 0;
    tl_err err = TL_ERR_INIT;
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"layer", required_argument, 0, 'l'},
                                         {"version", required_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'l': layer = optarg; break;
        case 'v':
            if (tl_parse_i64(optarg, 1, 1000000000, &version, &err) != 0) {
                tl_err_prefix(&err, "--version: ");
                return cli_fail("rollback", &err);
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("rollback", usage, NULL);
        }
    }
    if (!layer || version == 0 || optind < argc)
        return cli_usage("rollback", usage, "--layer and --version are required");
    lyr_store *st = lyr_store_open(store, 0, &err);
    if (!st)
        return cli_fail("rollback", &err);
    int rc = lyr_store_rollback(st, layer, (int)version, &err);
    lyr_store_close(st);
    if (rc != 0)
        return cli_fail("rollback", &err);
    printf("layer %s: version %lld published again\n", layer, (long long)version);
    return 0;
}
