/* rules_read.c - reading rule files into definitions.
 *
 * Loading reads each file's YAML documents (libyaml's node tree, so every
 * node has its line and column) into definitions by name, in file order:
 * lists, macros, rules. Later items refine earlier ones, within a file or
 * across files: `append: true` (list items, macro and rule conditions after a
 * space, rule exceptions/output/desc/tags) or `override: {key: append|replace}`
 * (every other key of the item must be named there); refining something not
 * defined is an error. A plain redefinition replaces, keeping the place in
 * the order. A rule item with only `enabled` switches an existing rule.
 * Nothing is compiled before every file is read (rules_compile.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rules_int.h"

/* ------------------------------------------------------------------------ */
/* YAML helpers                                                              */

static const char *node_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a scalar";
}

const char *rl_want_str(struct ld *ld, const yaml_node_t *n, const char *key, const char *item)
{
	if (is_scalar(n))
		return sval(n);
	ERR(ld, npos(ld, n), item, "'%s' must be a string, not %s", key, node_kind(n));
	return NULL;
}

static int want_bool(struct ld *ld, const yaml_node_t *n, const char *key, const char *item,
		     bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; is_scalar(n) && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(sval(n), yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(sval(n), no[i]) == 0)
			return *out = false, 0;
	}
	ERR(ld, npos(ld, n), item, "'%s' must be true or false", key);
	return -1;
}

int rl_want_strs(struct ld *ld, const yaml_node_t *n, const char *key, const char *item,
		 char ***out, size_t *nout)
{
	size_t cnt;

	*out = NULL;
	*nout = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, n), item, "'%s' must be a sequence, not %s", key, node_kind(n));
		return -1;
	}
	cnt = seq_len(n);
	for (size_t i = 0; i < cnt; i++) {
		if (!is_scalar(seq_at(ld, n, i))) {
			ERR(ld, npos(ld, seq_at(ld, n, i)), item, "'%s' entries must be strings",
			    key);
			return -1;
		}
	}
	*out = rl_xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++)
		(*out)[i] = rl_xstrdup(sval(seq_at(ld, n, i)));
	*nout = cnt;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading items                                                             */

enum key {
	K_NAME, /* list/macro/rule */
	K_ITEMS,
	K_COND,
	K_DESC,
	K_OUTPUT,
	K_PRIO,
	K_TAGS,
	K_ENABLED,
	K_EXC,
	K_SOURCE,
	K_APPEND,
	K_OVERRIDE,
	K_WARN,
	K_SKIPUF,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
    [K_NAME] = "name",		[K_ITEMS] = "items",
    [K_COND] = "condition",	[K_DESC] = "desc",
    [K_OUTPUT] = "output",	[K_PRIO] = "priority",
    [K_TAGS] = "tags",		[K_ENABLED] = "enabled",
    [K_EXC] = "exceptions",	[K_SOURCE] = "source",
    [K_APPEND] = "append",	[K_OVERRIDE] = "override",
    [K_WARN] = "warn_evttypes", [K_SKIPUF] = "skip-if-unknown-filter",
};

#define B(k) (1u << (k))

enum kind { KIND_LIST, KIND_MACRO, KIND_RULE };

struct kind_desc {
	const char *word;
	unsigned keys;	      /* keys the item may have */
	unsigned can_append;  /* with override: append (and append: true) */
	unsigned can_replace; /* with override: replace */
	unsigned required;    /* for a new definition */
};

#define RULE_APPEND (B(K_COND) | B(K_OUTPUT) | B(K_DESC) | B(K_TAGS) | B(K_EXC))
#define REFINE_KEYS (B(K_NAME) | B(K_APPEND) | B(K_OVERRIDE) | B(K_SOURCE))

static const struct kind_desc kinds[] = {
    [KIND_LIST] = {"list", B(K_NAME) | B(K_ITEMS) | B(K_APPEND) | B(K_OVERRIDE), B(K_ITEMS),
		   B(K_ITEMS), B(K_ITEMS)},
    [KIND_MACRO] = {"macro", B(K_NAME) | B(K_COND) | B(K_APPEND) | B(K_OVERRIDE), B(K_COND),
		    B(K_COND), B(K_COND)},
    [KIND_RULE] = {"rule", B(K_COUNT) - 1, RULE_APPEND,
		   RULE_APPEND | B(K_PRIO) | B(K_ENABLED) | B(K_WARN) | B(K_SKIPUF),
		   B(K_COND) | B(K_OUTPUT) | B(K_PRIO) | B(K_DESC)},
};

/* One list/macro/rule item as written. */
struct item {
	enum kind kind;
	const char *name;
	struct pos pos;
	yaml_node_t *v[K_COUNT];
	unsigned present;
	bool refine;   /* append or override: the target must exist */
	bool toggle;   /* a rule item with only `enabled` */
	unsigned app;  /* keys whose value is appended */
	unsigned repl; /* keys whose value replaces */
};

static int key_index(const char *s)
{
	for (int k = 1; k < K_COUNT; k++)
		if (strcmp(s, key_names[k]) == 0)
			return k;
	return -1;
}

/* Collects the item's keys; unknown ones are warned about and ignored. */
static int item_keys(struct ld *ld, yaml_node_t *map, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key), *v = ynode(ld, p->value);
		int idx;

		if (!is_scalar(k)) {
			ERR(ld, npos(ld, k), it->name, "keys must be strings");
			return -1;
		}
		idx = strcmp(sval(k), kd->word) == 0 ? K_NAME : key_index(sval(k));
		if (idx < 0 || !(kd->keys & B(idx))) {
			WARN(ld, npos(ld, k), it->name, "unknown key '%s' in %s ignored", sval(k),
			     kd->word);
			continue;
		}
		if (it->present & B(idx)) {
			ERR(ld, npos(ld, k), it->name, "duplicate key '%s'", sval(k));
			return -1;
		}
		it->present |= B(idx);
		it->v[idx] = v;
	}
	return 0;
}

static int read_override(struct ld *ld, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];
	yaml_node_t *o = it->v[K_OVERRIDE];

	if (o->type != YAML_MAPPING_NODE) {
		ERR(ld, npos(ld, o), it->name,
		    "'override' must be a mapping of key: append|replace");
		return -1;
	}
	for (yaml_node_pair_t *p = o->data.mapping.pairs.start; p < o->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key), *v = ynode(ld, p->value);
		int idx = is_scalar(k) ? key_index(sval(k)) : -1;
		bool app = is_scalar(v) && !strcmp(sval(v), "append");
		bool rep = is_scalar(v) && !strcmp(sval(v), "replace");

		if (!app && !rep) {
			ERR(ld, npos(ld, v), it->name, "override values are append or replace");
			return -1;
		}
		if (idx < 0 || !((app ? kd->can_append : kd->can_replace) & B(idx))) {
			ERR(ld, npos(ld, k), it->name, "a %s's '%s' cannot be overridden with %s",
			    kd->word, is_scalar(k) ? sval(k) : "?", sval(v));
			return -1;
		}
		if (!(it->present & B(idx))) {
			ERR(ld, npos(ld, k), it->name, "override of '%s' but no '%s' given",
			    sval(k), sval(k));
			return -1;
		}
		if (app)
			it->app |= B(idx);
		else
			it->repl |= B(idx);
	}
	for (int k = 0; k < K_COUNT; k++) {
		if ((it->present & B(k)) && !(REFINE_KEYS & B(k)) &&
		    !((it->app | it->repl) & B(k))) {
			ERR(ld, npos(ld, it->v[k]), it->name,
			    "'%s' given without an override entry for it", key_names[k]);
			return -1;
		}
	}
	return 0;
}

/* Decides what the item does: define, append (legacy) or override. */
static int item_mode(struct ld *ld, struct item *it)
{
	const struct kind_desc *kd = &kinds[it->kind];
	bool append = false;

	if (it->v[K_APPEND] && want_bool(ld, it->v[K_APPEND], "append", it->name, &append))
		return -1;
	if (append && it->v[K_OVERRIDE]) {
		ERR(ld, it->pos, it->name, "'append' and 'override' cannot be used together");
		return -1;
	}
	if (it->v[K_OVERRIDE]) {
		it->refine = true;
		return read_override(ld, it);
	}
	if (!append) {
		it->repl = it->present & ~REFINE_KEYS;
		return 0;
	}
	it->refine = true;
	it->app = it->present & kd->can_append;
	for (int k = 0; k < K_COUNT; k++)
		if ((it->present & B(k)) && !((REFINE_KEYS | kd->can_append) & B(k)))
			WARN(ld, npos(ld, it->v[k]), it->name,
			     "'%s' is ignored with append: true (use override)", key_names[k]);
	return 0;
}

static const char *refine_word(const struct item *it)
{
	if (it->toggle)
		return "'enabled'";
	return it->v[K_OVERRIDE] ? "override" : "append";
}

static void apply_list(struct ld *ld, struct item *it)
{
	struct list_def *l = rl_find_list(ld, it->name);
	char **items;
	size_t n;

	if (it->refine && !l) {
		ERR(ld, it->pos, it->name, "%s of list '%s', which is not defined", refine_word(it),
		    it->name);
		return;
	}
	if (!it->v[K_ITEMS]) {
		if (!it->refine)
			ERR(ld, it->pos, it->name, "list has no 'items'");
		return;
	}
	if (rl_want_strs(ld, it->v[K_ITEMS], "items", it->name, &items, &n))
		return;
	if (!l) {
		l = rl_xcalloc(1, sizeof(*l));
		l->name = rl_xstrdup(it->name);
		PUSH(ld->lists, ld->nlists, ld->caplists, l);
	}
	if (!(it->app & B(K_ITEMS))) {
		rl_free_strs(l->items, l->n);
		l->items = NULL;
		l->n = l->cap = 0;
		l->pos = it->pos;
	}
	for (size_t i = 0; i < n; i++)
		PUSH(l->items, l->n, l->cap, items[i]);
	free(items);
}

static void apply_macro(struct ld *ld, struct item *it)
{
	struct macro_def *m = rl_find_macro(ld, it->name);
	yaml_node_t *c = it->v[K_COND];

	if (it->refine && !m) {
		ERR(ld, it->pos, it->name, "%s of macro '%s', which is not defined",
		    refine_word(it), it->name);
		return;
	}
	if (!c) {
		if (!it->refine)
			ERR(ld, it->pos, it->name, "macro has no 'condition'");
		return;
	}
	if (!rl_want_str(ld, c, "condition", it->name))
		return;
	if (!m) {
		m = rl_xcalloc(1, sizeof(*m));
		m->name = rl_xstrdup(it->name);
		PUSH(ld->macros, ld->nmacros, ld->capmacros, m);
	}
	if (!(it->app & B(K_COND)))
		m->pos = it->pos;
	rl_text_add(&m->cond, ld->f, c, it->app & B(K_COND));
}

/* ------------------------------------------------------------------------ */
/* Refining rules                                                            */

static struct rule_def *find_rule(const struct ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nrules; i++)
		if (strcmp(ld->rules[i]->r->name, name) == 0)
			return ld->rules[i];
	return NULL;
}

static void set_tags(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	struct vigil_rule *r = d->r;
	char **tags;
	size_t nt, cap = r->ntags;

	if (rl_want_strs(ld, n, "tags", r->name, &tags, &nt))
		return;
	if (!append) {
		rl_free_strs(r->tags, r->ntags);
		r->tags = NULL;
		r->ntags = cap = 0;
	}
	for (size_t i = 0; i < nt; i++) {
		bool dup = false;

		for (size_t j = 0; j < r->ntags && !dup; j++)
			dup = !strcmp(r->tags[j], tags[i]);
		if (dup)
			free(tags[i]);
		else
			PUSH(r->tags, r->ntags, cap, tags[i]);
	}
	free(tags);
}

static void set_desc(struct ld *ld, struct rule_def *d, const yaml_node_t *n, bool append)
{
	const char *s = rl_want_str(ld, n, "desc", d->r->name);
	char *old = d->r->desc, *joined = NULL;

	if (!s)
		return;
	if (append && old && *old && asprintf(&joined, "%s %s", old, s) < 0)
		rl_oom();
	d->r->desc = rl_xstrdup_trim(joined ? joined : s);
	free(joined);
	free(old);
}

static void set_priority(struct ld *ld, struct rule_def *d, const yaml_node_t *n)
{
	const char *s = rl_want_str(ld, n, "priority", d->r->name);
	int p = vigil_priority_parse(s);

	if (s && p < 0)
		ERR(ld, npos(ld, n), d->r->name, "unknown priority '%s'", s);
	else if (s)
		d->r->priority = (enum vigil_priority)p;
}

/* Applies the item's keys to the rule: appended or replaced, as decided. */
static void rule_update(struct ld *ld, struct rule_def *d, const struct item *it)
{
	unsigned set = it->app | it->repl;
	yaml_node_t *const *v = it->v;

	if ((set & B(K_COND)) && rl_want_str(ld, v[K_COND], "condition", it->name))
		rl_text_add(&d->cond, ld->f, v[K_COND], it->app & B(K_COND));
	if ((set & B(K_OUTPUT)) && rl_want_str(ld, v[K_OUTPUT], "output", it->name))
		rl_text_add(&d->output, ld->f, v[K_OUTPUT], it->app & B(K_OUTPUT));
	if (set & B(K_DESC))
		set_desc(ld, d, v[K_DESC], it->app & B(K_DESC));
	if (set & B(K_PRIO))
		set_priority(ld, d, v[K_PRIO]);
	if (set & B(K_TAGS))
		set_tags(ld, d, v[K_TAGS], it->app & B(K_TAGS));
	if (set & B(K_ENABLED))
		want_bool(ld, v[K_ENABLED], "enabled", it->name, &d->r->enabled);
	if (set & B(K_WARN))
		want_bool(ld, v[K_WARN], "warn_evttypes", it->name, &d->warn_evttypes);
	if (set & B(K_SKIPUF))
		want_bool(ld, v[K_SKIPUF], "skip-if-unknown-filter", it->name, &d->skip_unknown);
	if (set & B(K_EXC))
		rl_read_exceptions(ld, d, v[K_EXC], it->app & B(K_EXC));
}

/* The rule's slot: the existing one emptied (a redefinition keeps the
 * place), or a new one at the end. */
static struct rule_def *rule_slot(struct ld *ld, const struct item *it)
{
	struct rule_def *d = find_rule(ld, it->name);

	if (d) {
		rl_rule_def_clear(d);
	} else {
		d = rl_xcalloc(1, sizeof(*d));
		d->r = rl_xcalloc(1, sizeof(*d->r));
		d->r->name = rl_xstrdup(it->name);
		rl_rule_def_clear(d);
		PUSH(ld->rules, ld->nrules, ld->caprules, d);
	}
	d->pos = it->pos;
	d->r->file = rl_xstrdup(it->pos.f ? it->pos.f->name : NULL);
	d->r->line = it->pos.line;
	return d;
}

static void rule_refine(struct ld *ld, struct item *it, bool other_source)
{
	struct rule_def *d = find_rule(ld, it->name);

	if (!d) {
		if (!other_source)
			ERR(ld, it->pos, it->name, "%s of rule '%s', which is not defined",
			    refine_word(it), it->name);
		return;
	}
	if (d->other_source || d->broken)
		return; /* accepted: the rule is skipped, or its error already reported */
	rule_update(ld, d, it);
}

static void apply_rule(struct ld *ld, struct item *it)
{
	const char *source = NULL;
	unsigned missing;
	struct rule_def *d;

	if (it->v[K_SOURCE] && !(source = rl_want_str(ld, it->v[K_SOURCE], "source", it->name)))
		return;
	if (source && !strcmp(source, "syscall"))
		source = NULL;
	/* Only `enabled`: switches an existing rule on or off (Falco allows it). */
	if (!it->refine && (it->present & ~B(K_SOURCE)) == (B(K_NAME) | B(K_ENABLED))) {
		it->refine = it->toggle = true;
		it->repl = B(K_ENABLED);
	}
	if (it->refine) {
		rule_refine(ld, it, source != NULL);
		return;
	}
	d = rule_slot(ld, it);
	if (source) {
		d->other_source = true;
		SKIP(ld, it->pos, it->name, "source '%s' is not supported (only syscall)", source);
		return;
	}
	missing = kinds[KIND_RULE].required & ~it->present;
	for (int k = 0; k < K_COUNT; k++)
		if (missing & B(k))
			ERR(ld, it->pos, it->name, "rule has no '%s'", key_names[k]);
	if (missing) {
		d->broken = true;
		return;
	}
	rule_update(ld, d, it);
}

/* ------------------------------------------------------------------------ */
/* Files, documents and items                                                */

static const char *const item_words[] = {"list", "macro", "rule", "required_engine_version",
					 "required_plugin_versions"};

static void read_item(struct ld *ld, yaml_node_t *n)
{
	yaml_node_t *kind_key = NULL;
	struct item it = {0};
	int kind = -1;

	if (n->type != YAML_MAPPING_NODE) {
		ERR(ld, npos(ld, n), NULL, "an item must be a mapping, not %s", node_kind(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = ynode(ld, p->key);

		for (int i = 0; is_scalar(k) && i < (int)ARRAY_SIZE(item_words); i++) {
			if (strcmp(sval(k), item_words[i]))
				continue;
			if (kind_key) {
				ERR(ld, npos(ld, k), NULL, "an item cannot be both '%s' and '%s'",
				    sval(kind_key), sval(k));
				return;
			}
			kind_key = k;
			kind = i;
			it.v[K_NAME] = ynode(ld, p->value);
		}
	}
	if (!kind_key) {
		yaml_node_t *k = n->data.mapping.pairs.start < n->data.mapping.pairs.top
				     ? ynode(ld, n->data.mapping.pairs.start->key)
				     : n;

		WARN(ld, npos(ld, k), NULL, "unknown item '%s' ignored",
		     is_scalar(k) ? sval(k) : "{}");
		return;
	}
	if (kind > KIND_RULE)
		return; /* required_*_version: accepted, not checked */
	it.kind = (enum kind)kind;
	it.pos = npos(ld, n);
	if (!is_scalar(it.v[K_NAME]) || !*sval(it.v[K_NAME])) {
		ERR(ld, npos(ld, it.v[K_NAME]), NULL, "a %s needs a name", item_words[kind]);
		return;
	}
	it.name = sval(it.v[K_NAME]);
	if (item_keys(ld, n, &it) || item_mode(ld, &it))
		return;
	if (it.kind == KIND_LIST)
		apply_list(ld, &it);
	else if (it.kind == KIND_MACRO)
		apply_macro(ld, &it);
	else
		apply_rule(ld, &it);
}

static void read_document(struct ld *ld, yaml_node_t *root)
{
	if (is_null(root))
		return;
	if (root->type != YAML_SEQUENCE_NODE) {
		ERR(ld, npos(ld, root), NULL,
		    "a rules file is a sequence of items (- rule: ...), not %s", node_kind(root));
		return;
	}
	for (size_t i = 0; i < seq_len(root); i++)
		read_item(ld, seq_at(ld, root, i));
}

static void yaml_error(struct ld *ld, const yaml_parser_t *p)
{
	struct pos at = {ld->f, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};

	if (p->error == YAML_MEMORY_ERROR)
		rl_oom();
	if (p->context)
		ERR(ld, at, NULL, "YAML: %s %s", p->problem ? p->problem : "error", p->context);
	else
		ERR(ld, at, NULL, "YAML: %s", p->problem ? p->problem : "error");
}

/* Takes ownership of buf (NUL-terminated, len bytes). */
void rl_load_text(struct ld *ld, const char *name, char *buf, size_t len)
{
	struct src_file *f = rl_xcalloc(1, sizeof(*f));
	yaml_parser_t p;
	yaml_document_t doc;

	f->name = rl_xstrdup(name);
	f->buf = buf;
	f->len = len;
	PUSH(ld->files, ld->nfiles, ld->capfiles, f);
	ld->f = f;
	if (!yaml_parser_initialize(&p))
		rl_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&p, &doc)) {
			yaml_error(ld, &p);
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root) {
			ld->doc = &doc;
			read_document(ld, root);
			ld->doc = NULL;
		}
		yaml_document_delete(&doc);
		if (!root)
			break;
	}
	yaml_parser_delete(&p);
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 65536;
	char *buf = rl_xmalloc(cap);
	ssize_t r;

	for (;;) {
		if (len + 1 >= cap)
			buf = rl_xrealloc(buf, cap *= 2);
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			errno = err;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static void read_file(struct vigil_diag *diag, const char *path, rl_text_fn fn, void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc, err;
	char *buf;
	size_t len;

	rc = fd < 0 ? -1 : read_all(fd, &buf, &len);
	err = errno;
	if (fd >= 0)
		close(fd);
	if (rc) {
		rl_diag_add(diag, VIGIL_DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s",
			    strerror(err));
		return;
	}
	fn(arg, path, buf, len);
}

static int yaml_name(const struct dirent *e)
{
	const char *dot = strrchr(e->d_name, '.');

	return e->d_name[0] != '.' && dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"));
}

/* A directory's *.yaml and *.yml files, in name order (subdirectories are
 * not read); how many there were, or -1 when it cannot be read. */
static int read_dir(struct vigil_diag *diag, const char *dir, rl_text_fn fn, void *arg)
{
	struct dirent **names;
	int n = scandir(dir, &names, yaml_name, alphasort);

	if (n < 0) {
		rl_diag_add(diag, VIGIL_DIAG_ERROR, dir, 0, 0, NULL, "cannot read directory: %s",
			    strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
			rl_oom();
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			read_file(diag, path, fn, arg); /* a dangling link: "cannot read" */
		free(path);
		free(names[i]);
	}
	free(names);
	return n;
}

int rl_read_yaml_path(struct vigil_diag *diag, const char *path, rl_text_fn fn, void *arg)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return read_dir(diag, path, fn, arg);
	read_file(diag, path, fn, arg);
	return -1;
}

static void load_rule_text(void *arg, const char *path, char *text, size_t len)
{
	rl_load_text(arg, path, text, len);
}

void rl_load_path(struct ld *ld, const char *path)
{
	rl_read_yaml_path(ld->diag, path, load_rule_text, ld);
}
