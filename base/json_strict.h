/* json_strict.h - JSON text parsed so that no other JSON reader could read it
 * differently: the one entry point for reports and target files (untrusted input).
 *
 * Refused, each with one sentence naming the byte or the JSON path: a NUL byte inside
 * the text, anything but whitespace after the document (trailing garbage, a second
 * concatenated document), an object with the same key twice (cJSON keeps both and finds
 * the first, most readers keep the last), a number beyond the range of a double (cJSON
 * turns 1e999 into infinity), a string or key that is not UTF-8. Nesting is bounded by
 * cJSON (CJSON_NESTING_LIMIT). */
#ifndef EB_JSON_STRICT_H
#define EB_JSON_STRICT_H

#include <stddef.h>

#include "eb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Parses len bytes (no NUL terminator needed). On success *out is the tree
 * (cJSON_Delete it); on failure *out is NULL and err holds the sentence. */
eb_status eb_json_parse_strict(const char *text, size_t len, struct cJSON **out, char *err,
                               size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
