/* cli.h: what the subcommand files share: their entry points and the error exit. */
#ifndef CLI_H
#define CLI_H

#include "tiled/base/tl_err.h"

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_layers(int argc, char **argv);
int cmd_style(int argc, char **argv);

int cmd_import(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_seed(int argc, char **argv);

/** A progress bar on stderr, drawn only when stderr is a terminal. */
typedef struct cli_progress {
    int tty;
    char stage[64];
    int last_pct;
    double t0; /* start of the current stage (set on its first call) */
} cli_progress;
/** imp_progress_fn for a cli_progress `ud`: a bar with the percentage and an ETA. */
void cli_progress_cb(void *ud, const char *stage, double frac);

/** Print "tiled CMD: message" on stderr and return the exit status for err's code. */
int cli_fail(const char *cmd, const tl_err *err);
/** Print a usage error for `cmd` and return 2. */
int cli_usage(const char *cmd, const char *usage, const char *what);

#endif
