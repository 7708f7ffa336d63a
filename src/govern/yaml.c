/* yaml: located YAML trees from libfyaml's event stream (see yaml.h). */
#include "govern/yaml.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/lexer.h"
#include "util/suggest.h"
#include "util/xalloc.h"

/* Growable list of child pointers while a collection is open. */
typedef struct yframe {
	ynode *node;
	ynode **items, **keys;
	uint32_t n, cap;
	ynode *pending_key; /* mapping: key read, value not yet */
} yframe;

static wspan token_span(struct fy_token *start, struct fy_token *end)
{
	wspan sp = {0, 0};
	if (start) {
		const struct fy_mark *m = fy_token_start_mark(start);
		if (m)
			sp.start = (uint32_t)m->input_pos;
	}
	if (end) {
		const struct fy_mark *m = fy_token_end_mark(end);
		if (m)
			sp.end = (uint32_t)m->input_pos;
	}
	if (sp.end < sp.start)
		sp.end = sp.start;
	return sp;
}

/* Byte offset of a 0-based line and column (columns as bytes). */
static uint32_t offset_of(const wsource *src, int line, int col)
{
	size_t off = 0;
	for (int l = 0; l < line && off < src->len; off++)
		if (src->text[off] == '\n')
			l++;
	for (int c = 0; c < col && off < src->len && src->text[off] != '\n'; c++)
		off++;
	return (uint32_t)off;
}

static void frame_push(yframe *f, ynode *key, ynode *val)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = xrealloc(f->items, f->cap * sizeof *f->items);
		f->keys = xrealloc(f->keys, f->cap * sizeof *f->keys);
	}
	f->keys[f->n] = key;
	f->items[f->n++] = val;
}

/* The value of a single-quoted scalar from its content raw[0..n) (between
 * the quotes): `''` is a quote, and line breaks fold as YAML 1.2 says: white
 * space around a break is dropped, one break between text becomes a space,
 * k > 1 breaks (empty lines) become k - 1 newlines. ward decodes these itself
 * because libfyaml 0.7.12 leaks a buffer in fy_token_get_text for a
 * single-quoted scalar with five or more `''` in a row (found by
 * fuzz/fuzz_config). The result, NUL-terminated, is never longer than raw. */
static char *single_quoted(warena *a, const char *raw, size_t n, size_t *outn)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0, i = 0, line_start = 0;
	while (i < n) {
		char c = raw[i];
		if (c == '\'' && i + 1 < n && raw[i + 1] == '\'') {
			out[o++] = '\'';
			i += 2;
		} else if (c == '\n' || c == '\r') {
			while (o > line_start && (out[o - 1] == ' ' || out[o - 1] == '\t'))
				o--;
			unsigned breaks = 0;
			for (;;) {
				if (i < n && raw[i] == '\r')
					i += i + 1 < n && raw[i + 1] == '\n' ? 2 : 1;
				else if (i < n && raw[i] == '\n')
					i++;
				else
					break;
				breaks++;
				while (i < n && (raw[i] == ' ' || raw[i] == '\t'))
					i++;
			}
			if (breaks == 1)
				out[o++] = ' ';
			for (unsigned k = 1; k < breaks; k++)
				out[o++] = '\n';
			line_start = o;
		} else {
			out[o++] = c;
			i++;
		}
	}
	out[o] = '\0';
	*outn = o;
	return out;
}

static int has_dup_key(const yframe *f, const ynode *key)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (f->keys[i]->slen == key->slen && memcmp(f->keys[i]->s, key->s, key->slen) == 0)
			return 1;
	return 0;
}

int ydoc_parse(ydoc *doc, const char *name, const char *text, size_t len, wdiags *d)
{
	arena_init(&doc->arena);
	doc->root = NULL;
	doc->src.name = arena_strndup(&doc->arena, name, strlen(name));
	doc->src.text = arena_strndup(&doc->arena, text, len);
	doc->src.len = len;
	const wsource *src = &doc->src;
	if (memchr(text, '\0', len)) {
		const char *z = memchr(text, '\0', len);
		wspan sp = {(uint32_t)(z - text), (uint32_t)(z - text)};
		diag_add(d, WSEV_ERROR, src, sp, "NUL byte in YAML input");
		return -1;
	}
	/* YAML text is UTF-8; and libfyaml 0.7.12 loops forever on invalid
	 * UTF-8 in a directive line ("% \x84"), so reject it before parsing. */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = (unsigned char)text[i] < 0x80 ? 1 : lex_utf8_decode((const unsigned char *)text + i, len - i, &cp);
		if (n == 0) {
			wspan sp = {(uint32_t)i, (uint32_t)i + 1};
			diag_add(d, WSEV_ERROR, src, sp, "invalid UTF-8 in YAML input (byte 0x%02x); save the file as UTF-8",
				 (unsigned char)text[i]);
			return -1;
		}
		i += (size_t)n;
	}

	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	struct fy_diag *fyd = fy_diag_create(&dcfg);
	if (!fyd)
		abort();
	fy_diag_set_collect_errors(fyd, true);
	struct fy_parse_cfg cfg = {.search_path = NULL, .flags = FYPCF_QUIET, .userdata = NULL, .diag = fyd};
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp)
		abort();
	/* libfyaml reads the buffer in place; give it the arena copy */
	fy_parser_set_string(fyp, doc->src.text, len);

	yframe stack[YDOC_MAX_DEPTH + 1];
	int depth = 0, rc = 0, ndocs = 0;
	size_t nnodes = 0;
	struct fy_event *ev;
	while (rc == 0 && (ev = fy_parser_parse(fyp)) != NULL) {
		ynode *node = NULL;
		struct fy_token *anchor = NULL, *tag = NULL;
		switch (ev->type) {
		case FYET_DOCUMENT_START:
			if (++ndocs > 1) {
				diag_add(d, WSEV_ERROR, src, token_span(ev->document_start.document_start, NULL),
					 "only one YAML document is allowed");
				rc = -1;
			}
			break;
		case FYET_ALIAS:
			diag_add(d, WSEV_ERROR, src, token_span(ev->alias.anchor, ev->alias.anchor),
				 "YAML aliases are not allowed here");
			rc = -1;
			break;
		case FYET_SCALAR: {
			anchor = ev->scalar.anchor;
			tag = ev->scalar.tag;
			enum fy_scalar_style style = fy_token_scalar_style(ev->scalar.value);
			node = ARENA_NEW(&doc->arena, ynode);
			node->kind = Y_SCALAR;
			node->quoted = style != FYSS_PLAIN;
			node->span = token_span(ev->scalar.value, ev->scalar.value);
			/* libfyaml marks a quoted scalar's content; include the quotes */
			bool delimited = false;
			if (node->quoted && node->span.start > 0 &&
			    (text[node->span.start - 1] == '"' || text[node->span.start - 1] == '\'') &&
			    node->span.end < len && text[node->span.end] == text[node->span.start - 1]) {
				delimited = true;
				node->span.start--;
				node->span.end++;
			}
			if (style == FYSS_SINGLE_QUOTED && delimited && text[node->span.start] == '\'') {
				node->s = single_quoted(&doc->arena, text + node->span.start + 1,
							node->span.end - node->span.start - 2, &node->slen);
			} else {
				size_t n = 0;
				const char *s = fy_token_get_text(ev->scalar.value, &n);
				node->s = arena_strndup(&doc->arena, s ? s : "", s ? n : 0);
				node->slen = s ? n : 0;
			}
			break;
		}
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START: {
			bool map = ev->type == FYET_MAPPING_START;
			anchor = map ? ev->mapping_start.anchor : ev->sequence_start.anchor;
			tag = map ? ev->mapping_start.tag : ev->sequence_start.tag;
			struct fy_token *st = map ? ev->mapping_start.mapping_start : ev->sequence_start.sequence_start;
			node = ARENA_NEW(&doc->arena, ynode);
			node->kind = map ? Y_MAP : Y_SEQ;
			node->span = token_span(st, NULL);
			break;
		}
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END: {
			yframe *f = &stack[--depth];
			ynode *c = f->node;
			struct fy_token *et = ev->type == FYET_MAPPING_END ? ev->mapping_end.mapping_end
									 : ev->sequence_end.sequence_end;
			wspan es = token_span(NULL, et);
			if (es.end > c->span.start)
				c->span.end = es.end;
			else if (f->n)
				c->span.end = f->items[f->n - 1]->span.end;
			else
				c->span.end = c->span.start;
			c->n = f->n;
			if (f->n) {
				c->items = arena_memdup(&doc->arena, f->items, f->n * sizeof *f->items);
				if (c->kind == Y_MAP)
					c->keys = arena_memdup(&doc->arena, f->keys, f->n * sizeof *f->keys);
			}
			free(f->items);
			free(f->keys);
			node = NULL;
			/* attach the finished collection to its parent */
			if (depth == 0) {
				doc->root = c;
			} else {
				yframe *p = &stack[depth - 1];
				if (p->node->kind == Y_SEQ) {
					frame_push(p, NULL, c);
				} else if (!p->pending_key) {
					diag_add(d, WSEV_ERROR, src, c->span, "mapping keys must be plain strings");
					rc = -1;
				} else {
					frame_push(p, p->pending_key, c);
					p->pending_key = NULL;
				}
			}
			break;
		}
		default:
			break;
		}
		if (rc == 0 && (anchor || tag)) {
			diag_add(d, WSEV_ERROR, src, token_span(anchor ? anchor : tag, anchor ? anchor : tag),
				 anchor ? "YAML anchors are not allowed here" : "YAML tags are not allowed here");
			rc = -1;
		}
		if (rc == 0 && node && ++nnodes > YDOC_MAX_NODES) {
			diag_add(d, WSEV_ERROR, src, node->span, "too many YAML nodes (limit %d)", YDOC_MAX_NODES);
			rc = -1;
		}
		if (rc == 0 && node) {
			/* attach or open */
			yframe *p = depth ? &stack[depth - 1] : NULL;
			if (p && p->node->kind == Y_MAP && !p->pending_key) {
				if (node->kind != Y_SCALAR) {
					/* a complex key: report at its start, then stop */
					diag_add(d, WSEV_ERROR, src, node->span, "mapping keys must be plain strings");
					rc = -1;
				} else if (has_dup_key(p, node)) {
					diag_add(d, WSEV_ERROR, src, node->span, "duplicate key '%s'", node->s);
					rc = -1;
				} else {
					p->pending_key = node;
				}
			} else if (node->kind == Y_SCALAR) {
				if (!p)
					doc->root = node;
				else if (p->node->kind == Y_SEQ)
					frame_push(p, NULL, node);
				else {
					frame_push(p, p->pending_key, node);
					p->pending_key = NULL;
				}
			} else {
				if (depth >= YDOC_MAX_DEPTH) {
					diag_add(d, WSEV_ERROR, src, node->span, "YAML nested too deeply (limit %d)",
						 YDOC_MAX_DEPTH);
					rc = -1;
				} else {
					memset(&stack[depth], 0, sizeof stack[depth]);
					stack[depth++].node = node;
				}
			}
		}
		fy_parser_event_free(fyp, ev);
	}
	if (rc == 0 && fy_parser_get_stream_error(fyp)) {
		void *it = NULL;
		struct fy_diag_error *e;
		int any = 0;
		while ((e = fy_diag_errors_iterate(fyd, &it)) != NULL) {
			if (e->type < FYET_ERROR)
				continue;
			uint32_t off = offset_of(src, e->line, e->column);
			wspan sp = {off, off};
			diag_add(d, WSEV_ERROR, src, sp, "invalid YAML: %s", e->msg ? e->msg : "syntax error");
			any = 1;
			break; /* the first error is the meaningful one */
		}
		if (!any) {
			wspan sp = {0, 0};
			diag_add(d, WSEV_ERROR, src, sp, "invalid YAML");
		}
		rc = -1;
	}
	while (depth > 0) {
		depth--;
		free(stack[depth].items);
		free(stack[depth].keys);
	}
	fy_parser_destroy(fyp);
	fy_diag_destroy(fyd);
	return rc;
}

void ydoc_release(ydoc *doc)
{
	arena_release(&doc->arena);
	doc->root = NULL;
}

ynode *ynode_get(const ynode *m, const char *key)
{
	if (!m || m->kind != Y_MAP)
		return NULL;
	size_t kl = strlen(key);
	for (uint32_t i = 0; i < m->n; i++)
		if (m->keys[i]->slen == kl && memcmp(m->keys[i]->s, key, kl) == 0)
			return m->items[i];
	return NULL;
}

bool ynode_is_null(const ynode *n)
{
	if (!n)
		return true;
	if (n->kind != Y_SCALAR || n->quoted)
		return false;
	return n->slen == 0 || strcmp(n->s, "null") == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "Null") == 0 ||
	       strcmp(n->s, "NULL") == 0;
}

static const char *kind_word(ykind k)
{
	return k == Y_SCALAR ? "a scalar (string)" : k == Y_SEQ ? "a list" : "a mapping";
}

int ynode_want(const ydoc *doc, const ynode *n, ykind k, const char *what, wdiags *d)
{
	if (n && n->kind == k && !(k == Y_SCALAR && ynode_is_null(n) && !n->quoted && n->slen == 0))
		return 0;
	wspan sp = n ? n->span : (wspan){0, 0};
	diag_add(d, WSEV_ERROR, &doc->src, sp, "'%s' must be %s", what, kind_word(k));
	return -1;
}

size_t gov_distance(const char *a, const char *b)
{
	return suggest_distance(a, strlen(a), b, strlen(b), 98);
}

int ynode_check_keys(const ydoc *doc, const ynode *m, const char *const *known, const char *what, wdiags *d)
{
	int bad = 0;
	if (!m || m->kind != Y_MAP)
		return 0;
	for (uint32_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i]->s;
		int ok = 0;
		const char *best = NULL;
		size_t bd = 3;
		for (const char *const *p = known; *p; p++) {
			if (strcmp(*p, k) == 0) {
				ok = 1;
				break;
			}
			size_t dist = gov_distance(k, *p);
			if (dist < bd) {
				bd = dist;
				best = *p;
			}
		}
		if (ok)
			continue;
		bad++;
		if (best)
			diag_add(d, WSEV_ERROR, &doc->src, m->keys[i]->span, "unknown field '%s' in %s; did you mean '%s'?",
				 k, what, best);
		else
			diag_add(d, WSEV_ERROR, &doc->src, m->keys[i]->span, "unknown field '%s' in %s", k, what);
	}
	return bad;
}

int ynode_bool(const ydoc *doc, const ynode *n, const char *what, bool *out, wdiags *d)
{
	if (n && n->kind == Y_SCALAR && !n->quoted) {
		if (strcmp(n->s, "true") == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(n->s, "false") == 0) {
			*out = false;
			return 0;
		}
	}
	diag_add(d, WSEV_ERROR, &doc->src, n ? n->span : (wspan){0, 0}, "'%s' must be true or false", what);
	return -1;
}

int ynode_long(const ydoc *doc, const ynode *n, const char *what, long lo, long hi, long *out, wdiags *d)
{
	if (n && n->kind == Y_SCALAR && n->slen > 0) {
		char *end;
		errno = 0;
		long v = strtol(n->s, &end, 10);
		if (!*end && !errno && v >= lo && v <= hi) {
			*out = v;
			return 0;
		}
	}
	diag_add(d, WSEV_ERROR, &doc->src, n ? n->span : (wspan){0, 0}, "'%s' must be an integer from %ld to %ld",
		 what, lo, hi);
	return -1;
}
