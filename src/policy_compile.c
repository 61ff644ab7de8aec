/* policy_compile.c - policies to kernel map contents.
 *
 * Files and directories are identified by inode (resolved here, when the
 * policy loads): a path names the file's inode and the (parent directory,
 * name) pair, so a file created or replaced later is still matched; `dirs`
 * name a directory inode whose subtree the kernel walks up to. Rules are
 * numbered per area over the whole set, in file order; a policy's first
 * rule in that order wins within the policy.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "container.h"
#include "policy_compile.h"
#include "rules_int.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

struct compiler {
	struct vigil_pol_compiled *out;
	const struct vigil_pol_env *env;
	struct vigil_diag *diag;
	const struct vigil_policy *pol;
	unsigned pol_idx;
	int nrules[VIGIL_POL_AREAS];
};

static void warn(struct compiler *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct compiler *c, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rl_diag_add(c->diag, VIGIL_DIAG_WARNING, c->pol->file, line, 0, c->pol->name, "%s", msg);
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, ncap * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

static const char *host_path(struct compiler *c, const char *path, char *buf, size_t n)
{
	if (!c->env || !c->env->root)
		return path;
	snprintf(buf, n, "%s%s", c->env->root, path);
	return buf;
}

/* The entry for key, created zeroed when new. */
static struct vigil_pol_obj_val *obj_entry(struct compiler *c, uint32_t kind, const struct stat *st,
					   const char *name)
{
	struct vigil_pol_compiled *o = c->out;
	struct vigil_pol_obj_key k;

	memset(&k, 0, sizeof(k));
	k.slot_kind = kind;
	k.dev = (uint32_t)st->st_dev;
	k.ino = st->st_ino;
	if (name)
		strncpy(k.name, name, sizeof(k.name) - 1);
	for (size_t i = 0; i < o->nobjs; i++)
		if (memcmp(&o->objs[i].key, &k, sizeof(k)) == 0)
			return &o->objs[i].val;
	if (grow((void **)&o->objs, &o->objs_cap, o->nobjs, sizeof(*o->objs)))
		return NULL;
	o->objs[o->nobjs].key = k;
	memset(&o->objs[o->nobjs].val, 0, sizeof(o->objs[o->nobjs].val));
	o->conf.kinds |= 1u << kind;
	return &o->objs[o->nobjs++].val;
}

/* Which bit of which field of an object entry a use sets. */
enum obj_use { USE_FILE, USE_PROC, USE_PARENT, USE_SEL, USE_EXEMPT };

static void mark(struct vigil_pol_obj_val *v, enum obj_use use, uint64_t bit)
{
	if (!v)
		return;
	switch (use) {
	case USE_FILE:
		v->file_rules |= bit;
		break;
	case USE_PROC:
		v->proc_rules |= bit;
		break;
	case USE_PARENT:
		v->parent_rules |= bit;
		break;
	case USE_SEL:
		v->sel |= bit;
		break;
	case USE_EXEMPT:
		v->exempt |= bit;
		break;
	}
}

static void split_path(const char *path, char *dir, size_t n, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len >= n)
		len = n - 1;
	memcpy(dir, path, len);
	dir[len] = '\0';
	if (len == 0)
		strcpy(dir, "/");
	*base = slash ? slash + 1 : path;
}

/* name under directory dir: the (parent, name) key. */
static bool add_name_key(struct compiler *c, const char *path, enum obj_use use, uint64_t bit)
{
	char dir[PATH_MAX], buf[PATH_MAX];
	const char *base;
	struct stat st;

	split_path(path, dir, sizeof(dir), &base);
	if (!*base || stat(host_path(c, dir, buf, sizeof(buf)), &st))
		return false;
	mark(obj_entry(c, VIGIL_PK_NAME, &st, base), use, bit);
	return true;
}

/* An exact path: its inode, and its name in its directory, also for the
 * file a symlink leads to (the kernel sees the resolved file). */
static void add_exact(struct compiler *c, const char *path, int line, enum obj_use use,
		      uint64_t bit)
{
	char buf[PATH_MAX], real[PATH_MAX];
	const char *hp = host_path(c, path, buf, sizeof(buf));
	bool found = false;
	struct stat st;

	if (stat(hp, &st) == 0) {
		mark(obj_entry(c, VIGIL_PK_INODE, &st, NULL), use, bit);
		found = true;
		if (realpath(hp, real) && strcmp(real, hp) != 0)
			add_name_key(c, real, use, bit);
	}
	if (add_name_key(c, path, use, bit))
		found = true;
	if (!found)
		warn(c, line,
		     "'%s': neither it nor its directory exists: matched once the policy "
		     "is loaded again after it is created",
		     path);
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A glob of the form DIR + "/" + "*" names every entry of DIR; other globs
 * are expanded now. */
static void add_glob(struct compiler *c, const char *pattern, int line, enum obj_use use,
		     uint64_t bit)
{
	char dir[PATH_MAX], buf[PATH_MAX];
	const char *base;
	struct stat st;
	glob_t g;

	split_path(pattern, dir, sizeof(dir), &base);
	if (strcmp(base, "*") == 0 && !is_glob(dir)) {
		if (stat(host_path(c, dir, buf, sizeof(buf)), &st) == 0)
			mark(obj_entry(c, VIGIL_PK_PARENT, &st, NULL), use, bit);
		else
			warn(c, line, "'%s': directory %s does not exist", pattern, dir);
		return;
	}
	if (glob(host_path(c, pattern, buf, sizeof(buf)), 0, NULL, &g) != 0) {
		warn(c, line,
		     "'%s' matches no file now: globs other than DIR/* are expanded when "
		     "the policy is loaded",
		     pattern);
		return;
	}
	warn(c, line,
	     "'%s' expanded to the %zu files that exist now (only DIR/* also covers "
	     "files created later)",
	     pattern, g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++)
		add_exact(c, g.gl_pathv[i] + (c->env && c->env->root ? strlen(c->env->root) : 0),
			  line, use, bit);
	globfree(&g);
}

static void add_paths(struct compiler *c, const struct vigil_strlist *l, int line, enum obj_use use,
		      uint64_t bit)
{
	for (size_t i = 0; i < l->n; i++) {
		if (is_glob(l->v[i]))
			add_glob(c, l->v[i], line, use, bit);
		else
			add_exact(c, l->v[i], line, use, bit);
	}
}

static void add_dirs(struct compiler *c, const struct vigil_strlist *l, int line, enum obj_use use,
		     uint64_t bit)
{
	char buf[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < l->n; i++) {
		if (stat(host_path(c, l->v[i], buf, sizeof(buf)), &st) == 0)
			mark(obj_entry(c, VIGIL_PK_DIR, &st, NULL), use, bit);
		else
			warn(c, line,
			     "directory '%s' does not exist: ignored until the policy is "
			     "loaded again",
			     l->v[i]);
	}
}

/* ---- cgroups and containers ---- */

static void add_cgroup(struct compiler *c, uint64_t cgid, bool exempt)
{
	struct vigil_pol_compiled *o = c->out;
	uint64_t bit = 1ull << c->pol_idx;
	size_t i;

	for (i = 0; i < o->ncgs && o->cgs[i].cgid != cgid; i++)
		;
	if (i == o->ncgs) {
		if (grow((void **)&o->cgs, &o->cgs_cap, o->ncgs, sizeof(*o->cgs)))
			return;
		memset(&o->cgs[i], 0, sizeof(o->cgs[i]));
		o->cgs[i].cgid = cgid;
		o->ncgs++;
	}
	if (exempt)
		o->cgs[i].val.exempt |= bit;
	else
		o->cgs[i].val.sel |= bit;
}

/* The cgroup2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid
 * hosts): cgroup paths in policies are relative to it. */
static const char *cgroup_root(struct compiler *c)
{
	static char found[256];

	if (c->env && c->env->cgroup_root)
		return c->env->cgroup_root;
	if (!found[0]) {
		struct vigil_cgroups *cg = vigil_cgroups_new(NULL);

		snprintf(found, sizeof(found), "%s",
			 cg && vigil_cgroups_mount(cg)[0] ? vigil_cgroups_mount(cg) : CGROUP_ROOT);
		vigil_cgroups_free(cg);
	}
	return found;
}

static void add_cgroup_paths(struct compiler *c, const struct vigil_strlist *l, bool exempt)
{
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < l->n; i++) {
		snprintf(path, sizeof(path), "%s%s", cgroup_root(c), l->v[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			add_cgroup(c, st.st_ino, exempt);
		else
			warn(c, c->pol->line, "cgroup '%s' does not exist (%s)", l->v[i], path);
	}
}

static bool id_matches(const char *want, const char *id)
{
	return strncmp(id, want, strlen(want)) == 0;
}

struct cg_scan {
	struct compiler *c;
	const struct vigil_strlist *ids;
	bool exempt;
	size_t found;
};

/* Every cgroup directory whose path names one of the container ids. */
static void scan_cgroups(struct cg_scan *s, const char *dir, size_t root_len, int depth)
{
	struct vigil_container_ref ref;
	struct dirent *e;
	char sub[PATH_MAX];
	struct stat st;
	DIR *d;

	if (depth > 8 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (vigil_container_from_cgroup_path(sub + root_len, &ref)) {
			for (size_t i = 0; i < s->ids->n; i++)
				if (id_matches(s->ids->v[i], ref.id) && stat(sub, &st) == 0) {
					add_cgroup(s->c, st.st_ino, s->exempt);
					s->found++;
				}
		}
		scan_cgroups(s, sub, root_len, depth + 1);
	}
	closedir(d);
}

static void add_containers(struct compiler *c, const struct vigil_strlist *ids, bool exempt)
{
	struct cg_scan s = {.c = c, .ids = ids, .exempt = exempt};

	if (!ids->n)
		return;
	scan_cgroups(&s, cgroup_root(c), strlen(cgroup_root(c)), 0);
	if (!s.found)
		warn(c, c->pol->line, "no running container matches the %s container ids",
		     exempt ? "exempted" : "selected");
}

static void compile_selector(struct compiler *c, const struct vigil_pol_selector *sel, bool exempt)
{
	uint64_t bit = 1ull << c->pol_idx;

	if (!exempt && sel->host)
		c->out->conf.host |= bit;
	add_cgroup_paths(c, &sel->cgroups, exempt);
	add_containers(c, &sel->container_ids, exempt);
	add_paths(c, &sel->exe_paths, c->pol->line, exempt ? USE_EXEMPT : USE_SEL, bit);
	if (sel->container_names.n || sel->container_images.n)
		warn(c, c->pol->line,
		     "container names and images need runtime metadata that "
		     "this version does not read: they select nothing");
}

/* ---- rules ---- */

static void compile_process_rule(struct compiler *c, const struct vigil_pol_rule *r, uint64_t bit)
{
	struct vigil_pol_conf *cf = &c->out->conf;

	add_paths(c, &r->paths, r->line, USE_PROC, bit);
	add_dirs(c, &r->dirs, r->line, USE_PROC, bit);
	add_paths(c, &r->parents, r->line, USE_PARENT, bit);
	if (!r->paths.n && !r->dirs.n)
		cf->any_obj[VIGIL_PA_PROCESS] |= bit;
	if (!r->parents.n)
		cf->any_parent |= bit;
}

static void compile_file_rule(struct compiler *c, const struct vigil_pol_rule *r, uint64_t bit)
{
	struct vigil_pol_conf *cf = &c->out->conf;
	unsigned access = r->access ? r->access : VIGIL_ACC_ALL;

	add_paths(c, &r->paths, r->line, USE_FILE, bit);
	add_dirs(c, &r->dirs, r->line, USE_FILE, bit);
	if (!r->paths.n && !r->dirs.n)
		cf->any_obj[VIGIL_PA_FILE] |= bit;
	for (int i = 0; i < VIGIL_PACC_BITS; i++)
		if (access & (1u << i))
			cf->file_acc_rules[i] |= bit;
}

static void add_net(struct compiler *c, const struct vigil_cidr *cidr, uint64_t bit)
{
	struct vigil_pol_compiled *o = c->out;
	struct vigil_pol_net_entry *e;

	if (grow((void **)&o->nets, &o->nets_cap, o->nnets, sizeof(*o->nets)))
		return;
	e = &o->nets[o->nnets++];
	memset(e, 0, sizeof(*e));
	e->family = cidr->family;
	memcpy(e->addr, cidr->addr, 16);
	e->prefix = cidr->prefix;
	e->rules = bit;
}

static void compile_net_rule(struct compiler *c, const struct vigil_pol_rule *r, uint64_t bit)
{
	struct vigil_pol_conf *cf = &c->out->conf;
	unsigned proto = r->protocols ? r->protocols : VIGIL_PROTO_ALL;
	unsigned dir = r->direction ? r->direction : VIGIL_DIR_BOTH;

	for (size_t i = 0; i < r->nfamilies; i++)
		cf->fam_rules[r->families[i] & 63] |= bit;
	if (r->nfamilies)
		return; /* a families rule is about socket creation only */
	cf->net_addr_rules |= bit;
	if (dir & VIGIL_DIR_EGRESS)
		cf->net_egress |= bit;
	if (dir & VIGIL_DIR_INGRESS)
		cf->net_ingress |= bit;
	if (proto == VIGIL_PROTO_ALL)
		cf->net_anyproto |= bit;
	else if (proto & VIGIL_PROTO_TCP)
		cf->net_tcp |= bit;
	else
		cf->net_udp |= bit;
	if (!r->ncidrs)
		cf->net_any_addr |= bit;
	if (!r->nports)
		cf->net_any_port |= bit;
	for (size_t i = 0; i < r->ncidrs; i++)
		add_net(c, &r->cidrs[i], bit);
	for (size_t i = 0; i < r->nports; i++)
		for (unsigned p = r->ports[i].lo; p <= r->ports[i].hi; p++)
			c->out->ports[p] |= bit;
}

static void compile_rule(struct compiler *c, const struct vigil_pol_rule *r)
{
	struct vigil_pol_conf *cf = &c->out->conf;
	unsigned a = r->area, idx = c->nrules[a]++;
	uint64_t bit = 1ull << idx;

	c->out->rule[a][idx] = r;
	cf->rule_pol[a][idx] = c->pol_idx;
	cf->rule_act[a][idx] = r->action;
	cf->area_rules[a] |= bit;
	switch (r->area) {
	case VIGIL_AREA_PROCESS:
		compile_process_rule(c, r, bit);
		break;
	case VIGIL_AREA_FILE:
		compile_file_rule(c, r, bit);
		break;
	case VIGIL_AREA_NETWORK:
		compile_net_rule(c, r, bit);
		break;
	case VIGIL_AREA_CAPABILITIES:
		for (int i = 0; i < VIGIL_POL_CAPS; i++)
			if (!r->caps || (r->caps & (1ull << i)))
				cf->cap_rules[i] |= bit;
		break;
	case VIGIL_AREA_SIGNAL:
		for (int i = 1; i < VIGIL_POL_SIGNALS && i < 64; i++)
			if (!r->signals || (r->signals & (1ull << i)))
				cf->sig_rules[i] |= bit;
		break;
	default:
		cf->any_obj[a] |= bit;
		break;
	}
}

static int check_limits(struct compiler *c, const struct vigil_policy_set *ps)
{
	int count[VIGIL_POL_AREAS] = {0};

	if (ps->n > VIGIL_POL_MAX) {
		rl_diag_add(c->diag, VIGIL_DIAG_ERROR, ps->v[VIGIL_POL_MAX].file, 0, 0, NULL,
			    "more than %d policies", VIGIL_POL_MAX);
		return -1;
	}
	for (size_t p = 0; p < ps->n; p++)
		for (size_t r = 0; r < ps->v[p].nrules; r++)
			if (++count[ps->v[p].rules[r].area] > VIGIL_POL_RULES) {
				rl_diag_add(c->diag, VIGIL_DIAG_ERROR, ps->v[p].file,
					    ps->v[p].rules[r].line, 0, ps->v[p].name,
					    "more than %d %s rules in all policies",
					    VIGIL_POL_RULES,
					    vigil_area_name(ps->v[p].rules[r].area));
				return -1;
			}
	return 0;
}

static void compile_policy(struct compiler *c)
{
	const struct vigil_policy *p = c->pol;
	struct vigil_pol_conf *cf = &c->out->conf;
	uint64_t bit = 1ull << c->pol_idx;

	c->out->pol[c->pol_idx] = p;
	cf->active |= bit;
	if (p->mode == VIGIL_POL_ENFORCE)
		cf->enforce |= bit;
	for (int a = 0; a < VIGIL_AREA_MAX; a++) {
		if (!p->areas[a])
			continue;
		cf->area_pols[a] |= bit;
		if (p->default_action == VIGIL_ACT_BLOCK)
			cf->default_block[a] |= bit;
	}
	for (unsigned m = 0; m < VIGIL_MIT_MAX; m++)
		if (p->mitigation_mask & (UINT64_C(1) << m)) {
			cf->mit.pols[m] |= bit;
			cf->mit.any |= UINT64_C(1) << m;
		}
	compile_selector(c, &p->selector, false);
	compile_selector(c, &p->exempt, true);
	for (size_t r = 0; r < p->nrules; r++)
		compile_rule(c, &p->rules[r]);
}

static bool prefix_contains(const struct vigil_pol_net_entry *outer,
			    const struct vigil_pol_net_entry *inner)
{
	unsigned bits = outer->prefix;

	if (outer->family != inner->family || outer->prefix > inner->prefix)
		return false;
	for (unsigned i = 0; i < bits / 8; i++)
		if (outer->addr[i] != inner->addr[i])
			return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		return (outer->addr[bits / 8] & mask) == (inner->addr[bits / 8] & mask);
	}
	return true;
}

/* A longest-prefix lookup returns one entry: give each prefix the rules of
 * every wider prefix containing it. */
static void merge_prefixes(struct vigil_pol_compiled *o)
{
	uint64_t *merged = calloc(o->nnets ? o->nnets : 1, sizeof(*merged));

	if (!merged)
		return;
	for (size_t i = 0; i < o->nnets; i++)
		for (size_t j = 0; j < o->nnets; j++)
			if (prefix_contains(&o->nets[j], &o->nets[i]))
				merged[i] |= o->nets[j].rules;
	for (size_t i = 0; i < o->nnets; i++)
		o->nets[i].rules = merged[i];
	free(merged);
}

int vigil_pol_compile(const struct vigil_policy_set *ps, const struct vigil_pol_env *env,
		      struct vigil_pol_compiled *out, struct vigil_diag *diag)
{
	struct compiler c = {.out = out, .env = env, .diag = diag};

	memset(out, 0, sizeof(*out));
	out->ports = calloc(65536, sizeof(*out->ports));
	if (!out->ports)
		return -1;
	if (!ps)
		return 0;
	if (check_limits(&c, ps))
		return -1;
	for (size_t i = 0; i < ps->n; i++) {
		c.pol = &ps->v[i];
		c.pol_idx = (unsigned)i;
		compile_policy(&c);
	}
	merge_prefixes(out);
	return 0;
}

void vigil_pol_compiled_free(struct vigil_pol_compiled *c)
{
	free(c->objs);
	free(c->cgs);
	free(c->nets);
	free(c->ports);
	memset(c, 0, sizeof(*c));
}
