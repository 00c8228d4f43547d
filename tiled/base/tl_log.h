/* tl_log.h: leveled logging to stderr, one line per call, with an ISO-8601 UTC time.
 * Thread-safe (each line is written with one write call). */
#ifndef TL_LOG_H
#define TL_LOG_H

#include "tiled/base/tl_err.h"

typedef enum tl_log_level { TL_LOG_DEBUG, TL_LOG_INFO, TL_LOG_WARN, TL_LOG_ERROR } tl_log_level;

/** Set the minimum level (main-thread-only, before threads start). */
void tl_log_set_level(tl_log_level lvl);
void tl_log(tl_log_level lvl, const char *fmt, ...) TL_PRINTF(2, 3);

#define TL_DEBUG(...) tl_log(TL_LOG_DEBUG, __VA_ARGS__)
#define TL_INFO(...) tl_log(TL_LOG_INFO, __VA_ARGS__)
#define TL_WARN(...) tl_log(TL_LOG_WARN, __VA_ARGS__)
#define TL_ERROR(...) tl_log(TL_LOG_ERROR, __VA_ARGS__)

#endif
