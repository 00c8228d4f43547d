/* main.c: the `tiled` binary: global library set-up and subcommand dispatch. */
#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

#include "tiled/cli.h"

static const char usage[] =
    "usage: tiled COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve    serve tiles over HTTP from a store\n"
    "  demo     write the Binh Duong planning demo data into a store\n"
    "  import   import a file as a new version of a layer\n"
    "  layers   list the layers of a store and their versions\n"
    "  rollback publish an older version of a layer again\n"
    "  seed     pre-render tiles into the tile cache\n"
    "  style    check an SLD style, or attach one to a layer\n"
    "\n"
    "Run `tiled COMMAND --help` for a command's options.\n";

int cli_fail(const char *cmd, const tl_err *err)
{
    fprintf(stderr, "tiled %s: %s\n", cmd, err->msg[0] ? err->msg : tl_code_name(err->code));
    return tl_code_exit(err->code);
}

int cli_usage(const char *cmd, const char *use, const char *what)
{
    if (what)
        fprintf(stderr, "tiled %s: %s\n", cmd, what);
    fputs(use, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tiled 0.1.0 (GDAL %s)\n", GDALVersionInfo("RELEASE_NAME"));
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"serve", cmd_serve}, {"demo", cmd_demo}, {"layers", cmd_layers}, {"style", cmd_style},
                 {"import", cmd_import}, {"rollback", cmd_rollback}, {"seed", cmd_seed}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        GDALAllRegister();
        int rc = cmds[i].fn(argc - 1, argv + 1);
        GDALDestroyDriverManager();
        OSRCleanup();
        return rc;
    }
    fprintf(stderr, "tiled: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
