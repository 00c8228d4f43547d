/* cmd_demo.c: `tiled demo`: write the Binh Duong planning demo data into a store. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "import/import.h"
#include "tiled/base/tl_util.h"
#include "tiled/cli.h"

static const char usage[] =
    "usage: tiled demo --store PATH [--scale small|medium|large] [--seed N] [--json]\n"
    "  Writes the Binh Duong planning demo layers (zoning, industrial_parks, green_spaces,\n"
    "  roads, districts) into the store as new versions; the store is created if missing.\n"
    "  small: ~5k parcels, medium: ~100k, large: ~1M. Same seed and scale: same data.\n";

int cmd_demo(int argc, char **argv)
{
    const char *store = NULL;
    int json = 0;
    tl_err err = TL_ERR_INIT;
    imp_demo_opts o = {IMP_DEMO_SMALL, 42, 0, NULL, NULL};
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'}, {"scale", required_argument, 0, 'c'},
        {"seed", required_argument, 0, 'e'}, {"parcels", required_argument, 0, 'p'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'c':
            if (imp_demo_parse_scale(optarg, &o.scale, &err) != 0)
                return cli_fail("demo", &err);
            break;
        case 'e':
            if (tl_parse_i64(optarg, 0, INT64_MAX, &v, &err) != 0) {
                tl_err_prefix(&err, "--seed: ");
                return cli_fail("demo", &err);
            }
            o.seed = (uint64_t)v;
            break;
        case 'p':
            if (tl_parse_i64(optarg, 10, 5000000, &v, &err) != 0) {
                tl_err_prefix(&err, "--parcels: ");
                return cli_fail("demo", &err);
            }
            o.n_parcels = (size_t)v;
            break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("demo", usage, NULL);
        }
    }
    if (!store)
        return cli_usage("demo", usage, "--store is required");
    if (optind < argc)
        return cli_usage("demo", usage, "unexpected argument");
    cli_progress p = {isatty(STDERR_FILENO), "", -1, 0};
    o.progress = cli_progress_cb;
    o.progress_ud = &p;
    lyr_store *st = lyr_store_open(store, 1, &err);
    if (!st)
        return cli_fail("demo", &err);
    imp_demo_report rep = {0};
    int rc = imp_demo_write(st, &o, &rep, &err);
    lyr_store_close(st);
    if (p.tty)
        fputc('\n', stderr);
    if (rc != 0)
        return cli_fail("demo", &err);
    if (json)
        printf("{\"store\": \"%s\", \"zoning\": %zu, \"industrial_parks\": %zu, "
               "\"green_spaces\": %zu, \"roads\": %zu, \"districts\": %zu, \"seconds\": %.2f}\n",
               store, rep.n_zoning, rep.n_industrial_parks, rep.n_green_spaces, rep.n_roads,
               rep.n_districts, rep.seconds);
    else
        printf("%s: zoning %zu, industrial_parks %zu, green_spaces %zu, roads %zu, "
               "districts %zu (%.1f s)\n",
               store, rep.n_zoning, rep.n_industrial_parks, rep.n_green_spaces, rep.n_roads,
               rep.n_districts, rep.seconds);
    return 0;
}
