/* rules_int.h - what the files of the rule loader share, private to them:
 * the loader's state (struct ld) and definitions (lists, macros, rules and
 * their exceptions), texts assembled from YAML scalars with their places,
 * allocation that aborts on failure, diagnostics (ERR/WARN/SKIP) and YAML
 * node accessors. The public interface is rules.h.
 *
 * Files: rules.c (allocation, diagnostics, priorities, definitions' lookup
 * and freeing, the ruleset and entry points), rules_read.c (YAML files to
 * definitions), rules_exc.c (exceptions), rules_pos.c (places in texts),
 * rules_compile.c (definitions to compiled rules).
 */
#ifndef VIGIL_RULES_INT_H
#define VIGIL_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <yaml.h>
#include "rules.h"

/* ------------------------------------------------------------------------ */
/* Allocation and strings (rules.c): allocation failures abort               */

void rl_oom(void);
void *rl_xmalloc(size_t n);
void *rl_xcalloc(size_t n, size_t sz);
void *rl_xrealloc(void *p, size_t n);
char *rl_xstrndup(const char *s, size_t n);
char *rl_xstrdup(const char *s); /* NULL stays NULL */
/* A copy without the blanks around (folded YAML scalars end in "\n"). */
char *rl_xstrdup_trim(const char *s);
/* Makes room for `need` elements of `sz` bytes in *v (capacity in *cap). */
void *rl_grow(void *v, size_t *cap, size_t need, size_t sz);
void rl_free_strs(char **v, size_t n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PUSH(v, n, cap, x)                                                                         \
	do {                                                                                       \
		(v) = rl_grow((v), &(cap), (n) + 1, sizeof(*(v)));                                 \
		(v)[(n)++] = (x);                                                                  \
	} while (0)

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void rl_sb_putn(struct sbuf *b, const char *s, size_t n);
void rl_sb_puts(struct sbuf *b, const char *s);

/* ------------------------------------------------------------------------ */
/* Texts and places (rules_pos.c)                                            */

/* A loaded file, kept in memory until compilation is over. */
struct src_file {
	char *name;
	char *buf; /* NUL-terminated */
	size_t len;
};

struct pos {
	const struct src_file *f;
	int line, col; /* 1-based; 0 when unknown */
};

/* One YAML scalar that went into a text (a condition, an output). */
struct seg {
	size_t off; /* where its value starts in the text */
	const struct src_file *f;
	yaml_mark_t mark; /* the scalar node's start */
	yaml_scalar_style_t style;
};

/* A string assembled from scalars: a definition, then appends. */
struct text {
	char *s;
	size_t len;
	struct seg *segs;
	size_t nsegs, cap;
};

void rl_text_free(struct text *t);
/* Sets (append false) or extends the text with a scalar, after a space as
 * Falco does. */
void rl_text_add(struct text *t, const struct src_file *f, const yaml_node_t *n, bool append);
/* Position of byte `off` of the text (past the end: just after the last
 * character of the scalar it falls in). */
struct pos rl_text_pos(const struct text *t, size_t off);
/* Byte offset of a 1-based line and column inside s. */
size_t rl_text_offset(const char *s, size_t len, int line, int col);
/* Whether s[from..to) is all blanks. */
bool rl_blank_range(const char *s, size_t from, size_t to);

/* ------------------------------------------------------------------------ */
/* Definitions and the loader                                                */

enum list_state { L_NEW, L_BUSY, L_DONE, L_FAILED };

struct list_def {
	char *name;
	char **items;
	size_t n, cap;
	struct pos pos;
	char **exp; /* compiled: names of lists replaced by their items, unquoted */
	size_t nexp, capexp;
	enum list_state state;
};

enum macro_state {
	M_NEW,	  /* not parsed yet */
	M_PARSED, /* parsed, not checked */
	M_CHECKING,
	M_OK,
	M_FAILED,  /* an error was reported (here or in a macro it uses) */
	M_UNKNOWN, /* uses a field Vigil does not know: an error only if a rule uses it */
};

struct macro_def {
	char *name;
	struct text cond;
	struct pos pos;
	struct vigil_cond *tree;
	enum macro_state state;
	struct macro_def *cause; /* M_UNKNOWN: the macro whose text has the field */
	char *why;		 /* on the cause: the message */
	struct pos why_pos;
	bool reported;
};

/* One value of an exception tuple: a scalar, or a list for `in`-like comps. */
struct exc_val {
	char *s;
	char **list;
	size_t nlist;
	bool is_list;
};

struct exc_row {
	struct exc_val *v;
	size_t n;
};

struct exc_def {
	char *name;
	char **fields;
	char **comps;
	size_t nfields;
	bool single; /* `fields: name` rather than a list: values are one set */
	struct exc_row *rows;
	size_t nrows, caprows;
	struct pos pos;
};

struct rule_def {
	struct vigil_rule *r; /* name, desc, priority, tags, enabled, file, line */
	struct text cond, output;
	struct exc_def *exc;
	size_t nexc, capexc;
	struct pos pos;
	bool other_source; /* skipped: not a syscall rule */
	bool broken;	   /* its definition had errors (already reported) */
	bool skip_unknown; /* skip-if-unknown-filter */
	bool warn_evttypes;
	bool ok; /* compiled and kept */
};

struct ld {
	struct vigil_diag *diag;
	struct src_file **files;
	size_t nfiles, capfiles;
	struct list_def **lists;
	size_t nlists, caplists;
	struct macro_def **macros;
	size_t nmacros, capmacros;
	struct rule_def **rules;
	size_t nrules, caprules;
	/* the document being read */
	const struct src_file *f;
	yaml_document_t *doc;
	/* compilation */
	struct vigil_cond_env env;
	struct vigil_field_ref evt_type;
	bool have_evt_type;
};

/* Adds a diagnostic at p (rules.c). */
void rl_diag_at(struct ld *ld, enum vigil_diag_kind kind, struct pos p, const char *item,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a diagnostic naming the file by its path (loading errors). */
void rl_diag_add(struct vigil_diag *d, enum vigil_diag_kind kind, const char *file, int line,
		 int col, const char *item, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#define ERR(ld, p, item, ...)  rl_diag_at(ld, VIGIL_DIAG_ERROR, p, item, __VA_ARGS__)
#define WARN(ld, p, item, ...) rl_diag_at(ld, VIGIL_DIAG_WARNING, p, item, __VA_ARGS__)
#define SKIP(ld, p, item, ...) rl_diag_at(ld, VIGIL_DIAG_SKIPPED, p, item, __VA_ARGS__)

struct list_def *rl_find_list(const struct ld *ld, const char *name);
struct macro_def *rl_find_macro(const struct ld *ld, const char *name);
/* Empties a definition, keeping its name (and its place in the order). */
void rl_rule_def_clear(struct rule_def *d);

/* ------------------------------------------------------------------------ */
/* YAML nodes (the document being read)                                      */

static inline yaml_node_t *ynode(const struct ld *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static inline struct pos npos(const struct ld *ld, const yaml_node_t *n)
{
	return (struct pos){ld->f, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

static inline const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

/* `key:` with nothing, `~` or `null`. */
static inline bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = sval(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static inline size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static inline yaml_node_t *seq_at(const struct ld *ld, const yaml_node_t *n, size_t i)
{
	return ynode(ld, n->data.sequence.items.start[i]);
}

/* A string value, or NULL after an error naming the key (rules_read.c). */
const char *rl_want_str(struct ld *ld, const yaml_node_t *n, const char *key, const char *item);
/* A sequence of strings (null: none); -1 after an error. */
int rl_want_strs(struct ld *ld, const yaml_node_t *n, const char *key, const char *item,
		 char ***out, size_t *nout);

/* ------------------------------------------------------------------------ */
/* The stages                                                                */

/* Reading (rules_read.c): calls fn with the text of path, a YAML file or a
 * directory's *.yaml and *.yml files in name order (subdirectories are not
 * read); fn owns the text (NUL-terminated). What cannot be read is an
 * error in diag. Returns how many files a directory had, else -1.
 * Shared with the policy reader. */
typedef void (*rl_text_fn)(void *arg, const char *path, char *text, size_t len);
int rl_read_yaml_path(struct vigil_diag *diag, const char *path, rl_text_fn fn, void *arg);

/* Rule files at path; YAML text already in memory (takes ownership of buf,
 * NUL-terminated). */
void rl_load_path(struct ld *ld, const char *path);
void rl_load_text(struct ld *ld, const char *name, char *buf, size_t len);

/* Exceptions (rules_exc.c): reads a rule's `exceptions` (appended to the
 * existing ones or replacing them); frees them; the condition one excludes
 * (NULL when it has no values). */
void rl_read_exceptions(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append);
void rl_exc_free_all(struct rule_def *d);
char *rl_exc_text(const struct exc_def *x);

/* Compilation (rules_compile.c): lists, macros, then every enabled rule. */
void rl_compile(struct ld *ld);

#endif /* VIGIL_RULES_INT_H */
