/* lint: rules about risky or suspicious policy shapes, each with an id, a
 * severity, a location and a fix hint.
 *
 * Rules (id, name, default severity):
 *   W001 unconstrained-principal   warning  permit with `principal` unconstrained
 *   W002 unconstrained-action      warning  permit with `action` unconstrained
 *   W003 unconstrained-resource    warning  permit with `resource` unconstrained
 *   W004 wildcard-like             warning  `like "*"` (matches every string)
 *   W005 permit-unless             note     permit with an `unless` clause
 *   W006 prod-no-environment       error    permit reaching a high-risk environment without a
 *                                            condition on the environment
 *   W007 missing-traceability      warning  permit without @ticket, @justification or @owner
 *   W008 expired                   error    @expires in the past
 *   W009 break-glass-no-expiry     error    @kind("break-glass") without @expires
 *   W010 human-only-condition      warning  MFA / interactive-session conditions on a non-human
 *                                            principal type, or workload-only ones on a human type
 *   W011 agent-destructive         error    AI-agent principal type granted a destructive action
 *   W012 vacuous                   warning  never applies over the entity snapshot
 *   W013 redundant                 note     every cell it allows is allowed unconditionally by
 *                                            another permit
 *   W014 shadowed                  warning  every cell it allows is denied by an unconditional forbid
 *   W015 guardrail-weakened        error    a forbid of the base removed, or modified so that
 *                                            access is gained (needs a base)
 * Severities are configurable in ward.yaml:
 *   lint:
 *     rules: {W001: error, permit-unless: off}      # error, warning, note or off
 *     human_types: [Human]                          # defaults: Human, User, Person, Employee
 *     agent_types: [Agent]                          # defaults: Agent, AiAgent, AIAgent, Model, Bot
 *     destructive_actions: [delete, delete_backup]  # defaults: names starting with delete, destroy,
 *                                                   # drop, purge, truncate, wipe, remove
 * Snapshot rules (W012-W014) run only with an entity index.
 */
#ifndef WARD_ANALYSIS_LINT_H
#define WARD_ANALYSIS_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/entitlements.h"
#include "cedar/ast.h"
#include "util/buf.h"
#include "util/diag.h"

typedef enum wlint_rule {
	WL_UNCONSTRAINED_PRINCIPAL,
	WL_UNCONSTRAINED_ACTION,
	WL_UNCONSTRAINED_RESOURCE,
	WL_WILDCARD_LIKE,
	WL_PERMIT_UNLESS,
	WL_PROD_NO_ENVIRONMENT,
	WL_MISSING_TRACEABILITY,
	WL_EXPIRED,
	WL_BREAK_GLASS_NO_EXPIRY,
	WL_HUMAN_ONLY_CONDITION,
	WL_AGENT_DESTRUCTIVE,
	WL_VACUOUS,
	WL_REDUNDANT,
	WL_SHADOWED,
	WL_GUARDRAIL_WEAKENED,
	WL_HIDDEN_CHARACTERS,
	WL__COUNT
} wlint_rule;

/* Severity of a rule: WSEV_ERROR, WSEV_WARNING, WSEV_NOTE, or WLINT_OFF. */
#define WLINT_OFF 255

typedef struct wlint_rule_info {
	const char *id;    /* "W001" */
	const char *name;  /* "unconstrained-principal" */
	uint8_t sev;       /* default severity */
	const char *text;  /* one-line description */
} wlint_rule_info;

const wlint_rule_info *lint_rule_info(wlint_rule r);
/* By id ("W001") or name; -1 when unknown. */
int lint_rule_find(const char *s);

typedef struct wlint_config {
	uint8_t sev[WL__COUNT];
	const char **high_risk_envs; /* environment names; heap array, strings borrowed */
	size_t nhigh_risk_envs;
	const char **human_types, **agent_types, **destructive; /* heap arrays, strings borrowed */
	size_t nhuman, nagent, ndestructive;
	int64_t now_ms; /* "now" for @expires, ms since the epoch */
	bool no_snapshot_rules; /* skip vacuous / redundant / shadowed (costly on big snapshots) */
} wlint_config;

/* Defaults: the severities above, high-risk environments "prod" and
 * "production", the default type and action lists, now = the clock. */
void lint_config_default(wlint_config *c);
void lint_config_release(wlint_config *c);
/* Reads ward.yaml text: the high-risk environments and the `lint` section.
 * The strings borrowed by `c` live in `keep` (a document kept by the
 * caller until `c` is released). Returns the number of errors (located). */
struct ydoc;
int lint_config_yaml(wlint_config *c, struct ydoc *keep, const char *name, const char *text, size_t len,
		     wdiags *d);

typedef struct wlint_finding {
	uint8_t rule;          /* wlint_rule */
	uint8_t sev;           /* wseverity */
	const wpolicy *policy;
	const wsource *src;    /* may be NULL (JSON policies) */
	wspan span;
	char *msg;             /* heap */
	char *help;            /* heap, or NULL */
} wlint_finding;

typedef struct wlint {
	wlint_finding *items; /* heap, in policy order then rule order */
	size_t n, cap;
	size_t nerrors, nwarnings, nnotes;
} wlint;

void lint_init(wlint *l);
void lint_release(wlint *l);

/* Lints `ps`. `ix` (may be NULL) enables the snapshot rules; `base` (may be
 * NULL) enables guardrail-weakened. Returns 0, or -1 with an error in `d`. */
int lint_run(const wlint_config *c, went_index *ix, const wpolicyset *ps, const wpolicyset *base, wlint *out,
	     wdiags *d);

void lint_print_text(const wlint *l, wbuf *out);
void lint_print_json(const wlint *l, wbuf *out);
/* SARIF 2.1.0, one run, every rule in tool.driver.rules; artifact URIs are
 * the source names made relative to `root` when they lie below it. */
void lint_print_sarif(const wlint *l, const char *root, wbuf *out);

#endif
