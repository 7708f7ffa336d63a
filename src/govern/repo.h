/* repo: the policy repository ward manages, and its ward.yaml.
 *
 * A repository is a directory with ward.yaml at its root and a fixed
 * layout: schema.cedarschema, policies/, templates/, requests/, tests/,
 * entities/ (docs/FORMATS.md). repo_open reads ward.yaml (environments,
 * constraint kinds, high-risk resources, model endpoint settings, the secret
 * scanner's allowlist), the schema and the entity snapshot, all built with
 * the repository's own engine context so later modules (requirements,
 * templates, drafting) share interned names.
 *
 * ward.yaml sections owned by other commands (reviewers, roles, approvals,
 * lint, ledger, server) are accepted and left to them.
 */
#ifndef WARD_GOVERN_REPO_H
#define WARD_GOVERN_REPO_H

#include <stdbool.h>
#include <stddef.h>

#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/schema.h"
#include "govern/yaml.h"
#include "util/diag.h"

/* Types of template parameters and requirement constraint values. */
typedef enum gtype {
	GT_ACTIONS,     /* set of actions (scope: action in $p) */
	GT_ENVIRONMENT, /* one of ward.yaml's environments: a string */
	GT_ENTITY_TYPE, /* an entity type name (scope: principal is $p) */
	GT_STRING,
	GT_LONG,
	GT_BOOL,
	GT_IP_RANGES,   /* one or more CIDR ranges, ip("...") each */
	GT_DATETIME,    /* datetime("...") */
	GT_TIME_OF_DAY, /* duration since midnight: duration("8h30m") */
	GT_TIME_WINDOW, /* constraints only: {start, end} -> NAME_start, NAME_end */
	GT__COUNT
} gtype;

const char *gtype_name(gtype t);
/* -1 when unknown. */
int gtype_parse(const char *s, size_t n);

typedef struct repo_env {
	const char *name;
	bool high_risk;
} repo_env;

typedef struct repo_constraint {
	const char *name;        /* e.g. "source_networks" */
	gtype type;
	const char *description; /* may be NULL */
} repo_constraint;

typedef struct repo_model {
	const char *endpoint;    /* base URL ".../v1"; NULL: not configured */
	const char *name;        /* model name sent to the endpoint */
	long timeout_seconds;    /* per attempt */
	long retries;            /* extra attempts after the first */
	long max_reply_bytes;
	bool structured_output;  /* send a JSON schema (response_format) */
} repo_model;

typedef struct repo {
	char *root;               /* directory holding ward.yaml (heap) */
	ydoc cfg;                 /* ward.yaml */
	bool has_cfg;
	repo_env *envs;           /* heap */
	size_t nenvs;
	repo_constraint *cons;    /* heap */
	size_t ncons;
	const char **high_risk;   /* heap: entity types or uids ("Secret", 'Bucket::"x"') */
	size_t nhigh_risk;
	const char **allowlist;   /* heap: secret scanner allowlist (PCRE2 patterns) */
	size_t nallow;
	double entropy_threshold; /* bits per char for the generic-secret rule */
	repo_model model;
	wctx cx;
	wschema schema;
	bool has_schema;
	wentities ents;
	bool has_ents;
} repo;

/* Flags for repo_open. */
enum { REPO_NO_SCHEMA = 1, REPO_NO_ENTITIES = 2 };

/* Finds the repository root: the nearest directory from `start` upward
 * holding ward.yaml. Heap path or NULL. */
char *repo_find(const char *start);

/* Opens the repository at `root`. On error returns -1 with located
 * diagnostics (the repo must still be closed). */
int repo_open(repo *r, const char *root, unsigned flags, wdiags *d);
void repo_close(repo *r);

/* Parses ward.yaml text only (no schema or entities): for tests. */
int repo_parse_config(repo *r, const char *name, const char *text, size_t len, wdiags *d);

const repo_env *repo_find_env(const repo *r, const char *name);
const repo_constraint *repo_find_constraint(const repo *r, const char *name);
/* Heap path "root/rel". */
char *repo_path(const repo *r, const char *rel);

#endif
