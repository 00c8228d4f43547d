/* router.c: URL path -> service, one table. */
#include <string.h>

#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

void srv_route(srv_request *req, srv_response *res)
{
    const char *p = req->path;
    if (strcmp(p, "/health") == 0) {
        srv_health_handle(req, res);
        return;
    }
    if (tl_str_starts(p, "/admin/layers/")) {
        srv_admin_handle(req, p + strlen("/admin/layers/"), res);
        return;
    }
    if (tl_str_starts(p, "/tiles/")) {
        srv_tiles_handle(req, p + strlen("/tiles/"), res);
        return;
    }
    if (tl_str_starts(p, "/legend/")) {
        srv_legend_handle(req, p + strlen("/legend/"), res);
        return;
    }
    if (srv_static_handle(req, res))
        return;
    tl_err err = TL_ERR_INIT;
    TL_FAIL(&err, TL_ENOTFOUND, "no such resource: %.200s", p);
    srv_error_response(&err, res);
}
