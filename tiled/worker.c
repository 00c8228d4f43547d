/* worker.c: per-thread worker contexts (arena, renderer), created lazily through a
 * pthread key and destroyed when the thread exits. */
#include <pthread.h>
#include <stdlib.h>

#include "tiled/base/tl_util.h"
#include "tiled/srv.h"

static pthread_key_t worker_key;

static void worker_free(void *p)
{
    srv_worker *w = p;
    if (!w)
        return;
    sty_renderer_free(w->renderer);
    tl_arena_free(&w->arena);
    free(w);
}

int srv_worker_init_key(void)
{
    return pthread_key_create(&worker_key, worker_free) == 0 ? 0 : -1;
}

srv_worker *srv_worker_get(tl_err *err)
{
    srv_worker *w = pthread_getspecific(worker_key);
    if (w)
        return w;
    w = tl_xcalloc(1, sizeof *w);
    tl_arena_init(&w->arena, 256 * 1024);
    w->renderer = sty_renderer_new(err);
    if (!w->renderer) {
        free(w);
        return NULL;
    }
    pthread_setspecific(worker_key, w);
    return w;
}
