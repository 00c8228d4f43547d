/* cli_progress.c: the progress bar long commands draw on a terminal. */
#include <stdio.h>
#include <string.h>

#include "tiled/base/tl_util.h"
#include "tiled/cli.h"

void cli_progress_cb(void *ud, const char *stage, double frac)
{
    cli_progress *p = ud;
    if (!p->tty)
        return;
    int pct = (int)(frac * 100.0 + 0.5);
    int same_stage = strcmp(stage, p->stage) == 0;
    if (pct == p->last_pct && same_stage)
        return;
    if (!same_stage || p->t0 == 0)
        p->t0 = tl_now();
    p->last_pct = pct;
    tl_strlcpy(p->stage, stage, sizeof p->stage);
    double el = tl_now() - p->t0;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    if (frac > 0.01 && frac < 1.0)
        fprintf(stderr, "\r%-24.24s [%s] %3d%% ETA %4.0f s", stage, bar, pct,
                el / frac * (1.0 - frac));
    else
        fprintf(stderr, "\r%-24.24s [%s] %3d%%          ", stage, bar, pct);
    fflush(stderr);
}
