/* sarif: the parts of a SARIF 2.1.0 log (the static-analysis results
 * format code hosts display) shared by the commands that write one:
 * `ward lint --format sarif` and `ward drift --format sarif`.
 *
 * Build a log with sarif_log (its rules given), append one sarif_result per
 * finding to the results array it hands back, give each a location, then
 * write it with sarif_write (which frees it).
 */
#ifndef WARD_ANALYSIS_SARIF_H
#define WARD_ANALYSIS_SARIF_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"

/* A rule of the tool's driver; `name` may be NULL. */
json_t *sarif_rule(const char *id, const char *name, const char *text, const char *level);

/* {"$schema", "version", "runs": [{"tool": {"driver": {ward, rules}},
 * "results": []}]}, taking `rules` (a JSON array); *results is the
 * (borrowed) results array to append to. */
json_t *sarif_log(json_t *rules, json_t **results);

/* A result of rule `rule_id` (index `rule_index` in the rules), with its
 * level and message, and the policy it is about in its properties. */
json_t *sarif_result(const char *rule_id, size_t rule_index, const char *level, const char *message,
		     const char *policy_id);

/* Gives a result its location: the source `name` as a URI relative to
 * `root` (see sarif_artifact_uri) and `region` (a JSON object with
 * startLine/startColumn/...; taken). */
void sarif_locate(json_t *result, const char *name, const char *root, json_t *region);

/* A relative, '/'-separated, percent-encoded URI reference for a source
 * name: `root`/ and ./ prefixes dropped, "REV:path" keeps the path. */
json_t *sarif_artifact_uri(const char *name, const char *root);

/* Writes the log, indented, to `out` and frees it. */
void sarif_write(json_t *log, wbuf *out);

#endif
