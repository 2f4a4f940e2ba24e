/* json_schema.h - a small JSON Schema (draft 2020-12) validator for the keywords
 * edgebench's schemas use. There is no C JSON-schema library in Debian 12.
 *
 * Supported: type (name or array of names), enum, const, properties, required,
 * additionalProperties (boolean or schema), items (one schema), minItems, maxItems,
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern
 * (POSIX extended regex), anyOf, oneOf, allOf, $ref to "#/$defs/<name>" or "#".
 * Ignored annotations: $schema, $id, $comment, title, description, default, examples,
 * $defs. Any other keyword is an error ("unsupported keyword"), so a schema can never
 * silently mean more than this validator checks.
 * Keywords apply only to instances of their type (e.g. "required" to objects), as the
 * specification says. "integer" accepts numbers with no fractional part.
 */
#ifndef EB_JSON_SCHEMA_H
#define EB_JSON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Strict: an object schema with "properties" and no "additionalProperties" rejects
 * properties it does not list (used by tests to prove the schema documents every field
 * the writer emits; readers stay lenient so newer reports still load). */
#define EB_SCHEMA_STRICT 1u

/* Returns true when doc is valid. Otherwise err gets "<json pointer>: <problem>"
 * (e.g. "/results/0/latency_ms/median: expected number, got string"). */
bool eb_json_schema_validate(const struct cJSON *schema, const struct cJSON *doc,
                             unsigned flags, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
