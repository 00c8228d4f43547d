/* cmd_serve.c: `tiled serve`: load the store's snapshots, start HTTP, wait for a signal. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tiled/base/tl_log.h"
#include "tiled/base/tl_util.h"
#include "tiled/cli.h"
#include "tiled/srv.h"

static const char usage[] =
    "usage: tiled serve --store PATH [--listen HOST:PORT] [--threads N] [--no-cache]\n"
    "  --store PATH       the GeoPackage store (default ./tiled.gpkg)\n"
    "  --listen HOST:PORT address to listen on (default 127.0.0.1:8080; port 0: any free)\n"
    "  --threads N        render threads, and as many network threads (default: CPUs)\n"
    "  --cache DIR        the tile cache (default STORE.tiles; bounded by cache_max_bytes)\n"
    "  --no-cache         render every tile on every request (for measurements)\n"
    "  --web DIR          the web viewer's files (default: the source tree's web/)\n"
    "  --quiet            no access log\n"
    "  --config FILE      settings: admin_token = T (the /admin/ API; repeatable),\n"
    "                     upload_max_bytes = N (default 256 MiB), keep_versions = N (5),\n"
    "                     cache_max_bytes = N (1 GiB), cache_memory_bytes = N (64 MiB of\n"
    "                     the most used tiles also kept in memory; 0: none),\n"
    "                     cache_control = ... (public, max-age=60)\n"
    "Prints `listening on http://HOST:PORT` on stdout when ready; stops on SIGINT/SIGTERM.\n";

int cmd_serve(int argc, char **argv)
{
    const char *store = "tiled.gpkg", *listen = "127.0.0.1:8080", *web = TILED_WEB_DIR;
    const char *config = NULL, *cache_dir = NULL;
    int no_cache = 0;
    int64_t threads = sysconf(_SC_NPROCESSORS_ONLN);
    tl_err err = TL_ERR_INIT;
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'}, {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'}, {"no-cache", no_argument, 0, 'n'},
        {"quiet", no_argument, 0, 'q'}, {"web", required_argument, 0, 'w'}, {"config", required_argument, 0, 'c'},
        {"cache", required_argument, 0, 'C'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'l': listen = optarg; break;
        case 't':
            if (tl_parse_i64(optarg, 1, 256, &threads, &err) != 0) {
                tl_err_prefix(&err, "--threads: ");
                return cli_fail("serve", &err);
            }
            break;
        case 'n': no_cache = 1; break;
        case 'C': cache_dir = optarg; break;
        case 'w': web = optarg; break;
        case 'c': config = optarg; break;
        case 'q': tl_log_set_level(TL_LOG_WARN); break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage("serve", usage, NULL);
        }
    }
    if (optind < argc)
        return cli_usage("serve", usage, "unexpected argument");
    if (threads < 1)
        threads = 2;

    srv_ctx ctx;
    srv_open_opts oo = {store, config, cache_dir, no_cache, 0};
    if (srv_open(&ctx, &oo, &err) != 0)
        return cli_fail("serve", &err);
    ctx.threads = (int)threads;
    ctx.web = srv_static_load(web);
    srv_layer **ls;
    size_t nl = srv_registry_list(ctx.reg, &ls);
    for (size_t i = 0; i < nl; i++)
        srv_layer_release(ls[i]);
    free(ls);
    /* block the stop signals in every thread; main waits for them with sigwait */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = 0, port = 0;
    srv_http *http = NULL;
    if (srv_worker_init_key() != 0) {
        TL_FAIL(&err, TL_EINTERNAL, "cannot create the worker key");
        rc = cli_fail("serve", &err);
        goto out;
    }
    if (srv_registry_watch(ctx.reg, &err) != 0) {
        rc = cli_fail("serve", &err);
        goto out;
    }
    http = srv_http_start(&ctx, listen, ctx.threads, &port, &err);
    if (!http) {
        rc = cli_fail("serve", &err);
        goto out;
    }
    char host[256];
    tl_strlcpy(host, listen, sizeof host);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("listening on http://%s:%d\n", host, port);
    fflush(stdout);
    TL_INFO("serving %zu layers from %s with %d threads, ready in %.2f s", nl, store,
            ctx.threads, tl_now() - ctx.started);
    int sig = 0;
    sigwait(&stop, &sig);
    TL_INFO("signal %d: stopping", sig);
out:
    srv_http_stop(http);
    srv_static_free(ctx.web);
    srv_close(&ctx);
    return rc;
}
