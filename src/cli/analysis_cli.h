/* analysis_cli: helpers shared by the entitlement commands (diff,
 * check-intent, who-can, what-can, lint): printing library diagnostics in
 * the chosen error format and parsing entity uids given on the command
 * line. Private to src/cli. */
#ifndef WARD_CLI_ANALYSIS_CLI_H
#define WARD_CLI_ANALYSIS_CLI_H

#include "cedar/ctx.h"
#include "cedar/value.h"
#include "cli/cli.h"
#include "util/diag.h"

/* Prints every diagnostic of `d` to stderr (human, plain or JSON lines). */
void acli_print_diags(struct ward_cli *cli, const wdiags *d);

/* Parses `text` as an entity uid (`Type::"id"`); for an action, a bare
 * name `read` means `Action::"read"`. 0, or -1 with an error printed. */
int acli_parse_uid(struct ward_cli *cli, wctx *cx, const char *what, const char *text, bool action, wuid *out);

/* With a schema, an action it does not declare is an error (with a
 * suggestion); an entity not in the snapshot gets a note. 0 or -1. */
struct wsnapshot;
int acli_check_uid(struct ward_cli *cli, const struct wsnapshot *snap, wuid u, bool action);

extern const char *const acli_formats_text_json[];    /* text, json */
extern const char *const acli_formats_diff[];         /* text, json, markdown */

#endif
