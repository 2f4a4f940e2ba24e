/* eb_status.h - status codes shared by every edgebench layer.
 *
 * 0 is success; every error is negative. Kernels never return a status (they only
 * assert); validation, model building/loading, I/O and protocol code do. */
#ifndef EB_STATUS_H
#define EB_STATUS_H

typedef enum {
    EB_OK = 0,
    EB_ERR_ARG = -1,         /* bad argument or parameter (zero dims, stride 0, ...) */
    EB_ERR_UNSUPPORTED = -2, /* valid but not supported here (ISA missing, op unknown) */
    EB_ERR_NOMEM = -3,       /* allocation failed or a size limit was exceeded */
    EB_ERR_IO = -4,          /* read/write/open failed */
    EB_ERR_TIMEOUT = -5,     /* a wait ran past its deadline */
    EB_ERR_PROTOCOL = -6,    /* peer spoke something we do not accept */
    EB_ERR_FORMAT = -7,      /* malformed file or document (bad magic, CRC, offsets) */
} eb_status;

/* Short English phrase for a status ("bad argument", ...). Never NULL. */
const char *eb_status_str(eb_status s);

#endif
