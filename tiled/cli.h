/* cli.h: what the subcommand files share: their entry points and the error exit. */
#ifndef CLI_H
#define CLI_H

#include "tiled/base/tl_err.h"

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_layers(int argc, char **argv);

/** Print "tiled CMD: message" on stderr and return the exit status for err's code. */
int cli_fail(const char *cmd, const tl_err *err);
/** Print a usage error for `cmd` and return 2. */
int cli_usage(const char *cmd, const char *usage, const char *what);

#endif
