/* policy_read_select.c - a policy's `selector` and `exempt`: which processes it
 * governs, and which of those it leaves out.
 *
 * Keys select the union of: every process (host), containers by id (or, once
 * runtime metadata is read, by name or image), executables, cgroups. Paths
 * are checked as everywhere else (policy_read_rules.c); container ids are hex,
 * kept in lower case.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_int.h"

enum { SEL_HOST, SEL_CONTAINERS, SEL_PROCESSES, SEL_CGROUPS, SEL_NKEYS };
static const char *const selector_keys[SEL_NKEYS] = {"host", "containers", "processes", "cgroups"};
enum { CT_IDS, CT_NAMES, CT_IMAGES, CT_NKEYS };
static const char *const container_keys[CT_NKEYS] = {"ids", "names", "images"};
static const char *const processes_keys[] = {"paths"};

/* Docker, containerd and CRI-O ids: 64 hex digits, often shortened to 12. */
static bool container_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 12 || n > 64)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static char *lowercase(const char *s)
{
	char *d = rl_xstrdup(s);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static void read_container_ids(struct pl *pl, const yaml_node_t *v, const char *what,
			       struct vigil_strlist *out)
{
	size_t n = pl_list(pl, v, what, "ids");
	char **ids = rl_xcalloc(n, sizeof(char *));
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = pl_list_at(pl, v, i);

		if (!container_id_ok(sval(e))) {
			pl_err(pl, e, what,
			       "ids: '%s' is not a container id (12 to 64 hex digits: the full "
			       "id or a prefix)",
			       sval(e));
			ok = false;
		}
		ids[i] = lowercase(sval(e));
	}
	if (ok) {
		out->v = ids;
		out->n = n;
	} else {
		rl_free_strs(ids, n);
	}
}

/* Container names and images: globs, matched against metadata this
 * version does not read yet. */
static void read_container_globs(struct pl *pl, const yaml_node_t *v, const char *what,
				 const char *key, bool exempt, struct vigil_strlist *out)
{
	pl_strings(pl, v, what, key, out);
	for (size_t i = 0; i < out->n; i++) {
		if (!pl_glob_ok(out->v[i])) {
			pl_err(pl, pl_list_at(pl, v, i), what, "%s: '%s' has a '[' without its ']'",
			       key, out->v[i]);
		}
	}
	if (out->n)
		pl_warn(pl, v, what,
			"%s need container runtime metadata, which this version does not read: "
			"they %s nothing",
			key, exempt ? "exempt" : "match");
}

/* The mapping under `containers:` or `processes:`; false when it is not a
 * mapping with at least one key (reported). */
static bool read_submap(struct pl *pl, const yaml_node_t *v, const char *what, const char *key,
			const char *const *keys, size_t n, yaml_node_t **vals)
{
	char sub[64], *expected;

	snprintf(sub, sizeof(sub), "%s: %s", what, key);
	if (v->type == YAML_MAPPING_NODE && v->data.mapping.pairs.top > v->data.mapping.pairs.start)
		return pl_map(pl, v, sub, keys, n, vals), true;
	expected = pl_join(keys, n, NULL);
	if (v->type == YAML_MAPPING_NODE || is_null(v))
		pl_err(pl, v, what, "'%s' is empty (expected %s)", key, expected);
	else
		pl_err(pl, v, what, "'%s' must be a mapping (%s: {%s: [...]}), not %s", key, key,
		       keys[0], pl_kind(v));
	free(expected);
	return false;
}

static void read_containers(struct pl *pl, const yaml_node_t *v, const char *what, bool exempt,
			    struct vigil_pol_selector *sel)
{
	yaml_node_t *vals[CT_NKEYS];
	char sub[64];

	if (!read_submap(pl, v, what, "containers", container_keys, CT_NKEYS, vals))
		return;
	snprintf(sub, sizeof(sub), "%s: containers", what);
	if (vals[CT_IDS])
		read_container_ids(pl, vals[CT_IDS], sub, &sel->container_ids);
	if (vals[CT_NAMES])
		read_container_globs(pl, vals[CT_NAMES], sub, "names", exempt,
				     &sel->container_names);
	if (vals[CT_IMAGES])
		read_container_globs(pl, vals[CT_IMAGES], sub, "images", exempt,
				     &sel->container_images);
}

static void read_processes(struct pl *pl, const yaml_node_t *v, const char *what,
			   struct vigil_pol_selector *sel)
{
	yaml_node_t *paths;
	char sub[64];

	if (!read_submap(pl, v, what, "processes", processes_keys, 1, &paths) || !paths)
		return;
	snprintf(sub, sizeof(sub), "%s: processes", what);
	pl_paths(pl, paths, sub, "paths", PL_PATH_FILE, &sel->exe_paths);
}

static bool selects_something(const struct vigil_pol_selector *s)
{
	return s->host || s->container_ids.n || s->container_names.n || s->container_images.n ||
	       s->exe_paths.n || s->cgroups.n;
}

void pl_read_selector(struct pl *pl, const yaml_node_t *v, bool exempt,
		      struct vigil_pol_selector *sel)
{
	const char *what = exempt ? "exempt" : "selector";
	size_t first = exempt ? SEL_CONTAINERS : SEL_HOST, errors = pl->diag->errors;
	yaml_node_t *vals[SEL_NKEYS] = {0};
	char *expected = pl_join(selector_keys + first, SEL_NKEYS - first, NULL);
	int host;

	if (v->type != YAML_MAPPING_NODE ||
	    v->data.mapping.pairs.top == v->data.mapping.pairs.start) {
		if (v->type == YAML_MAPPING_NODE || is_null(v))
			pl_err(pl, v, NULL, "'%s' is empty: give at least one of %s", what,
			       expected);
		else
			pl_err(pl, v, NULL, "'%s' must be a mapping (%s), not %s", what, expected,
			       pl_kind(v));
		free(expected);
		return;
	}
	free(expected);
	pl_map(pl, v, what, selector_keys + first, SEL_NKEYS - first, vals + first);
	if (vals[SEL_HOST] && (host = pl_bool(pl, vals[SEL_HOST], what, "host")) >= 0)
		sel->host = host;
	if (vals[SEL_CONTAINERS])
		read_containers(pl, vals[SEL_CONTAINERS], what, exempt, sel);
	if (vals[SEL_PROCESSES])
		read_processes(pl, vals[SEL_PROCESSES], what, sel);
	if (vals[SEL_CGROUPS])
		pl_paths(pl, vals[SEL_CGROUPS], what, "cgroups", PL_PATH_EXACT, &sel->cgroups);
	if (!exempt && errors == pl->diag->errors && !selects_something(sel))
		pl_err(pl, v, NULL,
		       "'selector' selects no process (give host: true, containers, processes or "
		       "cgroups)");
}
