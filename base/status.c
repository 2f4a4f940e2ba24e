/* status.c - the sentence of each status code (eb_status.h). */
#include "eb_status.h"

const char *eb_status_str(eb_status s)
{
    switch (s) {
    case EB_OK: return "ok";
    case EB_ERR_ARG: return "bad argument";
    case EB_ERR_UNSUPPORTED: return "not supported";
    case EB_ERR_NOMEM: return "out of memory or over a size limit";
    case EB_ERR_IO: return "input/output error";
    case EB_ERR_TIMEOUT: return "timed out";
    case EB_ERR_PROTOCOL: return "protocol error";
    case EB_ERR_FORMAT: return "malformed data";
    }
    return "unknown error";
}
