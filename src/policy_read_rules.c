/* policy_read_rules.c - the rules of a policy's areas, and the paths they (and
 * selectors) name.
 *
 * An area's value is one rule (a mapping) or a sequence of them. Every rule
 * needs an action; the other keys depend on the area (network rules are in
 * policy_read_net.c). Paths are absolute and normalised ('//' collapsed,
 * directories with a trailing '/'); glob wildcards are allowed in the last
 * component of files and executables only, because the kernel side resolves
 * every other component to an inode when the policy is loaded.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "policy_int.h"

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */

bool pl_glob_ok(const char *s)
{
	for (; *s; s++) {
		if (*s != '[')
			continue;
		s++;
		if (*s == '!' || *s == '^')
			s++;
		if (*s == ']') /* a ']' right after '[' is a member */
			s++;
		while (*s && *s != ']')
			s++;
		if (!*s)
			return false;
	}
	return true;
}

static bool has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	return false;
}

/* Why component s[0..n) cannot be in a path of that kind; NULL if it can. */
static const char *component_problem(const char *s, size_t n, bool last, enum pl_path_kind kind)
{
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return "has a '.' or '..' component (write the path without them)";
	if (!has_wildcard(s, n))
		return NULL;
	if (kind == PL_PATH_DIR)
		return "has a wildcard (* ? [): directory prefixes are plain paths";
	if (kind == PL_PATH_EXACT)
		return "has a wildcard (* ? [): cgroup paths are exact";
	if (!last)
		return "has a wildcard (* ? [) before its last component: wildcards are allowed "
		       "only in the last one";
	return NULL;
}

/* Why s is not a path of that kind (NULL: it is). */
static const char *path_problem(const char *s, enum pl_path_kind kind)
{
	const char *p = s;

	if (s[0] != '/')
		return "is not an absolute path (it must start with /)";
	if (strlen(s) >= PATH_MAX)
		return "is too long (paths have at most 4095 bytes)";
	while (*p) {
		size_t n;
		const char *why;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n && (why = component_problem(p, n, !p[n] || !p[n + strspn(p + n, "/")], kind)))
			return why;
		p += n;
	}
	if (kind == PL_PATH_FILE && s[strlen(s) - 1] == '/')
		return "ends with '/', but it must name a file (directory prefixes go under "
		       "'dirs')";
	if (kind == PL_PATH_FILE && !pl_glob_ok(s))
		return "has a '[' without its ']'";
	return NULL;
}

/* s with '//' collapsed; directories end with '/', cgroups do not (but "/"). */
static char *path_normalise(const char *s, enum pl_path_kind kind)
{
	size_t len = strlen(s), n = 0;
	char *d = rl_xmalloc(len + 2);

	for (size_t i = 0; i < len; i++)
		if (s[i] != '/' || n == 0 || d[n - 1] != '/')
			d[n++] = s[i];
	if (kind == PL_PATH_DIR && d[n - 1] != '/')
		d[n++] = '/';
	if (kind == PL_PATH_EXACT)
		while (n > 1 && d[n - 1] == '/')
			n--;
	d[n] = '\0';
	return d;
}

static void strlist_take(struct vigil_strlist *out, char **v, size_t n, bool ok)
{
	if (ok) {
		out->v = v;
		out->n = n;
	} else {
		rl_free_strs(v, n);
	}
}

void pl_paths(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
	      enum pl_path_kind kind, struct vigil_strlist *out)
{
	size_t n = pl_list(pl, v, what, key);
	char **paths = rl_xcalloc(n, sizeof(char *));
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = pl_list_at(pl, v, i);
		const char *why = path_problem(sval(e), kind);

		if (why) {
			pl_err(pl, e, what, "%s: '%s' %s", key, sval(e), why);
			ok = false;
		} else {
			paths[i] = path_normalise(sval(e), kind);
		}
	}
	strlist_take(out, paths, n, ok);
}

void pl_strings(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
		struct vigil_strlist *out)
{
	size_t n = pl_list(pl, v, what, key);
	char **strs = rl_xcalloc(n, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		strs[i] = rl_xstrdup(sval(pl_list_at(pl, v, i)));
	strlist_take(out, strs, n, n > 0);
}

bool pl_mask(struct pl *pl, const yaml_node_t *v, const char *what, const char *key, pl_bit_fn bit,
	     uint64_t *mask)
{
	size_t n = pl_list(pl, v, what, key);
	uint64_t m = 0;
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		int b = bit(pl, pl_list_at(pl, v, i), what, key);

		if (b < 0)
			ok = false;
		else
			m |= UINT64_C(1) << b;
	}
	if (ok)
		*mask = m;
	return ok;
}

/* ------------------------------------------------------------------------ */
/* Names in rules                                                            */

static int access_bit(struct pl *pl, const yaml_node_t *e, const char *what, const char *key)
{
	char *expected;

	for (size_t i = 0; i < ARRAY_SIZE(pl_access_names); i++)
		if (strcasecmp(sval(e), pl_access_names[i]) == 0)
			return (int)i;
	expected = pl_join(pl_access_names, ARRAY_SIZE(pl_access_names), NULL);
	pl_err(pl, e, what, "%s: unknown access '%s' (expected %s)", key, sval(e), expected);
	free(expected);
	return -1;
}

static int cap_bit(struct pl *pl, const yaml_node_t *e, const char *what, const char *key)
{
	int cap = pl_cap_number(sval(e));
	const char *near;

	if (cap >= 0)
		return cap;
	if ((near = pl_cap_closest(sval(e))))
		pl_err(pl, e, what, "%s: unknown capability '%s' (did you mean %s?)", key, sval(e),
		       near);
	else
		pl_err(pl, e, what,
		       "%s: unknown capability '%s' (expected a name of capabilities(7), such as "
		       "CAP_SYS_ADMIN or sys_admin)",
		       key, sval(e));
	return -1;
}

static int signal_bit(struct pl *pl, const yaml_node_t *e, const char *what, const char *key)
{
	int sig = pl_signal_number(sval(e));
	const char *near;

	if (sig >= 1 && sig <= 63)
		return sig;
	if (sig >= 0)
		pl_err(pl, e, what, "%s: signal %s is out of range (1-63)", key, sval(e));
	else if ((near = pl_signal_closest(sval(e))))
		pl_err(pl, e, what, "%s: unknown signal '%s' (did you mean %s?)", key, sval(e),
		       near);
	else
		pl_err(pl, e, what,
		       "%s: unknown signal '%s' (expected a name such as SIGKILL, KILL or kill, "
		       "or a number 1-63)",
		       key, sval(e));
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Rules by area                                                             */

enum { PROC_PATHS, PROC_DIRS, PROC_PARENTS, PROC_ACTION, PROC_NKEYS };
static const char *const process_keys[PROC_NKEYS] = {"paths", "dirs", "parents", "action"};

static bool read_process_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
			      const char *what)
{
	r->access = VIGIL_ACC_EXEC;
	if (vals[PROC_PATHS])
		pl_paths(pl, vals[PROC_PATHS], what, "paths", PL_PATH_FILE, &r->paths);
	if (vals[PROC_DIRS])
		pl_paths(pl, vals[PROC_DIRS], what, "dirs", PL_PATH_DIR, &r->dirs);
	if (vals[PROC_PARENTS])
		pl_paths(pl, vals[PROC_PARENTS], what, "parents", PL_PATH_FILE, &r->parents);
	return vals[PROC_PATHS] || vals[PROC_DIRS] || vals[PROC_PARENTS];
}

enum { FILE_PATHS, FILE_DIRS, FILE_ACCESS, FILE_ACTION, FILE_NKEYS };
static const char *const file_keys[FILE_NKEYS] = {"paths", "dirs", "access", "action"};

static bool read_file_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
			   const char *what)
{
	uint64_t access = VIGIL_ACC_ALL;

	if (vals[FILE_PATHS])
		pl_paths(pl, vals[FILE_PATHS], what, "paths", PL_PATH_FILE, &r->paths);
	if (vals[FILE_DIRS])
		pl_paths(pl, vals[FILE_DIRS], what, "dirs", PL_PATH_DIR, &r->dirs);
	if (vals[FILE_ACCESS])
		pl_mask(pl, vals[FILE_ACCESS], what, "access", access_bit, &access);
	r->access = (unsigned)access;
	return vals[FILE_PATHS] || vals[FILE_DIRS];
}

static const char *const caps_keys[] = {"names", "action"};

static bool read_caps_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
			   const char *what)
{
	r->caps = VIGIL_POL_CAPS_ALL;
	if (vals[0])
		pl_mask(pl, vals[0], what, "names", cap_bit, &r->caps);
	return true;
}

static const char *const signal_keys[] = {"signals", "action"};

static bool read_signal_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
			     const char *what)
{
	r->signals = 0; /* all */
	if (vals[0])
		pl_mask(pl, vals[0], what, "signals", signal_bit, &r->signals);
	return true;
}

static const char *const action_keys[] = {"action"};

/* Every area's keys end with "action". */
static const struct area_desc {
	const char *const *keys;
	size_t nkeys;
	pl_rule_reader read; /* NULL: only an action */
	/* A rule that blocks without anything to narrow it is legal (with a
	 * default it can make sense) but more often a mistake: the warning. */
	const char *every;
} areas[VIGIL_AREA_MAX] = {
    [VIGIL_AREA_PROCESS] = {process_keys, PROC_NKEYS, read_process_rule,
			    "rule matches every program execution (it has no paths, dirs or "
			    "parents)"},
    [VIGIL_AREA_FILE] = {file_keys, FILE_NKEYS, read_file_rule,
			 "rule matches every file (it has no paths or dirs)"},
    [VIGIL_AREA_NETWORK] = {pl_net_keys, NET_NKEYS, pl_read_net_rule,
			    "rule matches every connect, bind and listen (it has no cidrs, ports "
			    "or families)"},
    [VIGIL_AREA_CAPABILITIES] = {caps_keys, ARRAY_SIZE(caps_keys), read_caps_rule, NULL},
    [VIGIL_AREA_PTRACE] = {action_keys, 1, NULL, NULL},
    [VIGIL_AREA_KERNEL_MODULE] = {action_keys, 1, NULL, NULL},
    [VIGIL_AREA_BPF] = {action_keys, 1, NULL, NULL},
    [VIGIL_AREA_MOUNT] = {action_keys, 1, NULL, NULL},
    [VIGIL_AREA_SIGNAL] = {signal_keys, ARRAY_SIZE(signal_keys), read_signal_rule, NULL},
};

static const char *const action_words[] = {"block", "audit", "allow"};
static const enum vigil_pol_action action_values[] = {VIGIL_ACT_BLOCK, VIGIL_ACT_AUDIT,
						      VIGIL_ACT_ALLOW};

static struct vigil_pol_rule *new_rule(struct vigil_policy *p, enum vigil_pol_area a, int line)
{
	struct vigil_pol_rule *r;

	p->rules = rl_xrealloc(p->rules, (p->nrules + 1) * sizeof(*p->rules));
	r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	r->area = a;
	r->line = line;
	return r;
}

/* The limit is over the whole set: the kernel's tables are per area. */
static void count_rule(struct pl *pl, enum vigil_pol_area a, const yaml_node_t *node)
{
	if (++pl->area_rules[a] <= VIGIL_POLICY_AREA_RULES || pl->area_full[a])
		return;
	pl->area_full[a] = true;
	pl_err(pl, node, NULL, "too many %s rules: at most %d over all loaded policies",
	       vigil_area_name(a), VIGIL_POLICY_AREA_RULES);
}

static void read_rule(struct pl *pl, struct vigil_policy *p, enum vigil_pol_area a,
		      const yaml_node_t *node)
{
	const struct area_desc *ad = &areas[a];
	yaml_node_t *vals[NET_NKEYS];
	struct vigil_pol_rule *r;
	char what[32];
	bool narrowed;
	int act;

	snprintf(what, sizeof(what), "%s rule", vigil_area_name(a));
	if (node->type != YAML_MAPPING_NODE) {
		pl_err(pl, node, what, "a rule must be a mapping (action: ...), not %s",
		       pl_kind(node));
		return;
	}
	r = new_rule(p, a, (int)node->start_mark.line + 1);
	count_rule(pl, a, node);
	pl_map(pl, node, what, ad->keys, ad->nkeys, vals);
	narrowed = !ad->read || ad->read(pl, r, vals, what);
	if (!vals[ad->nkeys - 1]) {
		pl_err(pl, node, what, "missing 'action' (block, audit or allow)");
		return;
	}
	act = pl_word(pl, vals[ad->nkeys - 1], what, "action", action_words,
		      ARRAY_SIZE(action_words));
	if (act >= 0)
		r->action = action_values[act];
	if (!narrowed && ad->every && r->action == VIGIL_ACT_BLOCK)
		pl_warn(pl, node, what, "%s", ad->every);
}

void pl_read_area(struct pl *pl, struct vigil_policy *p, enum vigil_pol_area a,
		  const yaml_node_t *v)
{
	const char *name = vigil_area_name(a);

	p->areas[a] = true;
	if (v->type == YAML_MAPPING_NODE) {
		read_rule(pl, p, a, v);
	} else if (v->type == YAML_SEQUENCE_NODE && seq_len(v) > 0) {
		for (size_t i = 0; i < seq_len(v); i++)
			read_rule(pl, p, a, pl_list_at(pl, v, i));
	} else if (is_null(v) || v->type == YAML_SEQUENCE_NODE) {
		pl_err(pl, v, NULL, "'%s' has no rule (give a rule such as {action: block})", name);
	} else {
		pl_err(pl, v, NULL,
		       "'%s' must be a rule (a mapping) or a list of rules, not %s (e.g. %s: "
		       "{action: block})",
		       name, pl_kind(v), name);
	}
}
