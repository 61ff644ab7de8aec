/* inventory.c - the runtime inventory: an in-memory set of (scope, file)
 * uses, written to STATE_DIR/inventory.db (SQLite) in batches, and read back
 * for `vigil vuln`. See inventory.h for the model and docs/vuln.md for the
 * schema and bounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sqlite3.h>
#include "inventory.h"

#define SCHEMA_VERSION 1
#define MAX_SCOPE_RECS 1024 /* scopes held in memory between resets */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS scopes("
    " name TEXT PRIMARY KEY, kind TEXT NOT NULL, root TEXT NOT NULL,"
    " container_id TEXT NOT NULL DEFAULT '', pid INTEGER NOT NULL DEFAULT 0,"
    " mntns INTEGER NOT NULL DEFAULT 0, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " fallbacks INTEGER NOT NULL DEFAULT 0, evicted INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS files("
    " scope TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, use_count INTEGER NOT NULL,"
    " pid INTEGER NOT NULL, exe TEXT NOT NULL, comm TEXT NOT NULL,"
    " fallback INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(scope, path)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS files_age ON files(scope, last_ns, use_count);";

static const char upsert_file_sql[] =
    "INSERT INTO files(scope,path,kind,first_ns,last_ns,use_count,pid,exe,comm,fallback)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT(scope,path) DO UPDATE SET"
    " use_count=use_count+excluded.use_count, last_ns=max(last_ns,excluded.last_ns),"
    " kind=CASE WHEN excluded.first_ns<first_ns THEN excluded.kind ELSE kind END,"
    " pid=CASE WHEN excluded.first_ns<first_ns THEN excluded.pid ELSE pid END,"
    " exe=CASE WHEN excluded.first_ns<first_ns THEN excluded.exe ELSE exe END,"
    " comm=CASE WHEN excluded.first_ns<first_ns THEN excluded.comm ELSE comm END,"
    " fallback=CASE WHEN excluded.first_ns<first_ns THEN excluded.fallback ELSE fallback END,"
    " first_ns=min(first_ns,excluded.first_ns)";

static const char upsert_scope_sql[] =
    "INSERT INTO scopes(name,kind,root,container_id,pid,mntns,first_ns,last_ns,fallbacks)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT(name) DO UPDATE SET"
    " kind=excluded.kind, root=excluded.root, container_id=excluded.container_id,"
    " pid=excluded.pid, mntns=excluded.mntns, first_ns=min(first_ns,excluded.first_ns),"
    " last_ns=max(last_ns,excluded.last_ns), fallbacks=fallbacks+excluded.fallbacks";

enum { KIND_EXEC, KIND_MAP, KIND_SCRIPT };
static const char *const kind_names[] = {"exec", "map", "script"};

struct scope_rec {
	struct vigil_scope s;
	uint32_t hash;
	uint64_t first_ns, last_ns; /* observed period in this session */
	uint64_t fallbacks;	    /* not yet written */
	bool active;		    /* alive at the last flush (the host always) */
	bool dirty;		    /* changed since the last flush */
	bool written;		    /* rows of it written in this flush */
};

struct inv_entry {
	char *path;
	char *exe;
	char comm[32];
	uint32_t hash;
	uint32_t scope; /* index into recs */
	uint32_t pid;
	uint8_t kind;
	bool fallback;
	uint64_t first_ns, last_ns;
	uint64_t pending; /* uses not yet written */
};

struct vigil_inventory {
	char path[VIGIL_INV_ROOT_MAX + 32];
	sqlite3 *db;
	sqlite3_stmt *upsert_file, *upsert_scope;
	struct vigil_scope_cache *scopes;
	struct scope_rec *recs;
	size_t nrecs;
	struct inv_entry *entries;
	size_t nentries, capentries;
	uint32_t *index; /* entry index + 1; 0 = empty */
	size_t indexcap; /* power of two */
	size_t max_files, max_scopes, max_rows;
	size_t new_entries; /* pairs added to memory since the total was checked */
	struct vigil_inventory_stats st;
	char err[2048];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t fnv(const char *s, uint32_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int kind_of(const char *k)
{
	for (int i = 0; k && i < 3; i++)
		if (strcmp(k, kind_names[i]) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */

static int mkdirs(const char *dir)
{
	char p[VIGIL_INV_ROOT_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int db_fail(sqlite3 *db, const char *path, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int init_schema(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	int v;

	sqlite3_busy_timeout(db, 250);
	v = user_version(db);
	if (v < 0)
		return db_fail(db, path, "cannot read the database", err, errsz);
	if (v > SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: inventory schema %d is newer than this vigil's (%d)",
			 path, v, SCHEMA_VERSION);
		return -1;
	}
	if (exec_sql(db, "PRAGMA journal_mode=WAL") || exec_sql(db, "PRAGMA synchronous=NORMAL") ||
	    exec_sql(db, schema_sql) || exec_sql(db, "PRAGMA user_version=1"))
		return db_fail(db, path, "cannot create the inventory tables", err, errsz);
	return 0;
}

static struct scope_rec *add_rec(struct vigil_inventory *inv, const struct vigil_scope *s,
				 uint64_t t)
{
	struct scope_rec *r;

	if (inv->nrecs == MAX_SCOPE_RECS)
		return NULL;
	r = &inv->recs[inv->nrecs++];
	memset(r, 0, sizeof(*r));
	r->s = *s;
	r->s.fallback = false;
	r->hash = fnv(s->name, 2166136261u);
	r->first_ns = r->last_ns = t;
	r->active = r->dirty = true;
	return r;
}

struct vigil_inventory *vigil_inventory_open(const char *state_dir, char *err, size_t errsz)
{
	struct vigil_inventory *inv = calloc(1, sizeof(*inv));
	struct vigil_scope host = {.name = "host", .kind = "host", .root = "/"};

	if (!state_dir)
		state_dir = VIGIL_STATE_DIR_DEFAULT;
	if (!inv) {
		snprintf(err, errsz, "%s: out of memory", state_dir);
		return NULL;
	}
	snprintf(inv->path, sizeof(inv->path), "%s/%s", state_dir, VIGIL_INVENTORY_DB);
	inv->max_files = VIGIL_INV_MAX_FILES_PER_SCOPE;
	inv->max_scopes = VIGIL_INV_MAX_SCOPES;
	inv->max_rows = VIGIL_INV_MAX_ROWS;
	inv->new_entries = 1; /* check the total at the first flush */
	inv->recs = calloc(MAX_SCOPE_RECS, sizeof(*inv->recs));
	inv->scopes = vigil_scope_cache_new(NULL, NULL);
	if (!inv->recs || !inv->scopes) {
		snprintf(err, errsz, "%s: out of memory", inv->path);
		goto fail;
	}
	if (mkdirs(state_dir) != 0) {
		snprintf(err, errsz, "%s: cannot create the state directory: %s", state_dir,
			 strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(inv->path, &inv->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		db_fail(inv->db, inv->path, "cannot open", err, errsz);
		goto fail;
	}
	if (init_schema(inv->db, inv->path, err, errsz) != 0)
		goto fail;
	if (sqlite3_prepare_v2(inv->db, upsert_file_sql, -1, &inv->upsert_file, NULL) ||
	    sqlite3_prepare_v2(inv->db, upsert_scope_sql, -1, &inv->upsert_scope, NULL)) {
		db_fail(inv->db, inv->path, "cannot prepare", err, errsz);
		goto fail;
	}
	add_rec(inv, &host, now_ns()); /* the agent observes the host from now on */
	return inv;
fail:
	sqlite3_finalize(inv->upsert_file);
	sqlite3_finalize(inv->upsert_scope);
	sqlite3_close(inv->db);
	vigil_scope_cache_free(inv->scopes);
	free(inv->recs);
	free(inv);
	return NULL;
}

void vigil_inventory_set_limits(struct vigil_inventory *inv, size_t max_files_per_scope,
				size_t max_scopes, size_t max_rows)
{
	if (max_files_per_scope)
		inv->max_files = max_files_per_scope;
	if (max_scopes)
		inv->max_scopes = max_scopes;
	if (max_rows)
		inv->max_rows = max_rows;
}

int vigil_inventory_set_roots(struct vigil_inventory *inv, const char *procfs, const char *hostroot)
{
	struct vigil_scope_cache *c = vigil_scope_cache_new(procfs, hostroot);

	if (!c)
		return -1;
	vigil_scope_cache_free(inv->scopes);
	inv->scopes = c;
	return 0;
}

const char *vigil_inventory_error(const struct vigil_inventory *inv)
{
	return inv->err;
}

void vigil_inventory_stats(const struct vigil_inventory *inv, struct vigil_inventory_stats *out)
{
	*out = inv->st;
	out->memory_entries = inv->nentries;
	out->pending = 0;
	for (size_t i = 0; i < inv->nentries; i++)
		out->pending += inv->entries[i].pending > 0;
}

/* ------------------------------------------------------------------------ */
/* Noting uses (per event: memory only)                                      */

static struct scope_rec *scope_rec(struct vigil_inventory *inv, const struct vigil_scope *s,
				   uint64_t t)
{
	uint32_t h = fnv(s->name, 2166136261u);

	for (size_t i = 0; i < inv->nrecs; i++) {
		struct scope_rec *r = &inv->recs[i];

		if (r->hash != h || strcmp(r->s.name, s->name) != 0)
			continue;
		if (!r->active && !s->fallback) {
			r->s = *s; /* seen again: its root is now this process's */
			r->s.fallback = false;
			r->active = true;
		}
		if (t < r->first_ns)
			r->first_ns = t;
		if (t > r->last_ns)
			r->last_ns = t;
		r->dirty = true;
		return r;
	}
	return add_rec(inv, s, t);
}

static int grow_index(struct vigil_inventory *inv)
{
	size_t cap = inv->indexcap ? inv->indexcap * 2 : 1024;
	uint32_t *ix = calloc(cap, sizeof(*ix));

	if (!ix)
		return -1;
	for (size_t i = 0; i < inv->nentries; i++) {
		size_t j = inv->entries[i].hash & (cap - 1);

		while (ix[j])
			j = (j + 1) & (cap - 1);
		ix[j] = (uint32_t)i + 1;
	}
	free(inv->index);
	inv->index = ix;
	inv->indexcap = cap;
	return 0;
}

static struct inv_entry *find_entry(struct vigil_inventory *inv, uint32_t scope, const char *path,
				    uint32_t h, size_t *slot)
{
	size_t j = h & (inv->indexcap - 1);

	for (; inv->index[j]; j = (j + 1) & (inv->indexcap - 1)) {
		struct inv_entry *e = &inv->entries[inv->index[j] - 1];

		if (e->hash == h && e->scope == scope && strcmp(e->path, path) == 0)
			return e;
	}
	*slot = j;
	return NULL;
}

static struct inv_entry *new_entry(struct vigil_inventory *inv, size_t slot)
{
	struct inv_entry *e;

	if (inv->nentries == inv->capentries) {
		size_t cap = inv->capentries ? inv->capentries * 2 : 256;
		struct inv_entry *n = realloc(inv->entries, cap * sizeof(*n));

		if (!n)
			return NULL;
		inv->entries = n;
		inv->capentries = cap;
	}
	e = &inv->entries[inv->nentries];
	memset(e, 0, sizeof(*e));
	inv->index[slot] = (uint32_t)++inv->nentries;
	return e;
}

static void fill_entry(struct inv_entry *e, const struct vigil_inventory_use *u, char *path,
		       uint32_t scope, uint32_t h, int kind, uint64_t t, bool fallback)
{
	e->path = path;
	e->exe = strdup(u->exe ? u->exe : "");
	snprintf(e->comm, sizeof(e->comm), "%s", u->comm ? u->comm : "");
	e->hash = h;
	e->scope = scope;
	e->pid = u->tgid ? u->tgid : u->pid;
	e->kind = (uint8_t)kind;
	e->fallback = fallback;
	e->first_ns = e->last_ns = t;
}

static void add_use(struct vigil_inventory *inv, const struct vigil_inventory_use *u,
		    struct scope_rec *r, const char *path, int kind, uint64_t t, bool fallback)
{
	uint32_t scope = (uint32_t)(r - inv->recs);
	uint32_t h = fnv(path, 2166136261u ^ scope);
	struct inv_entry *e;
	size_t slot = 0;
	char *copy;

	if ((inv->nentries + 1) * 2 > inv->indexcap && grow_index(inv) != 0) {
		inv->st.dropped++;
		return;
	}
	e = find_entry(inv, scope, path, h, &slot);
	if (!e) {
		copy = inv->nentries < VIGIL_INV_MEM_MAX ? strdup(path) : NULL;
		e = copy ? new_entry(inv, slot) : NULL;
		if (!e) {
			free(copy);
			inv->st.dropped++;
			return;
		}
		fill_entry(e, u, copy, scope, h, kind, t, fallback);
		inv->new_entries++;
	}
	if (t < e->first_ns)
		e->first_ns = t; /* events can arrive out of order */
	if (t > e->last_ns)
		e->last_ns = t;
	e->pending++;
	inv->st.notes++;
}

void vigil_inventory_note(struct vigil_inventory *inv, const struct vigil_inventory_use *u)
{
	static const struct vigil_scope host = {.name = "host", .kind = "host", .root = "/"};
	const struct vigil_scope *s;
	struct scope_rec *r;
	char path[VIGIL_INV_PATH_MAX];
	int kind = kind_of(u ? u->kind : NULL);
	uint64_t t;

	if (!inv)
		return;
	if (kind < 0 || !u->path || !*u->path) {
		inv->st.ignored++;
		return;
	}
	s = vigil_scope_resolve(inv->scopes, u->tgid ? u->tgid : u->pid, u->mntns, u->container_id,
				kind == KIND_EXEC);
	if (!vigil_scope_path(s, u->path, path, sizeof(path))) {
		s = &host; /* outside the chroot: a host file */
		vigil_scope_path(s, u->path, path, sizeof(path));
	}
	t = u->wall_ns ? u->wall_ns : now_ns();
	r = scope_rec(inv, s, t);
	if (!r) {
		inv->st.dropped++;
		return;
	}
	if (s->fallback) {
		inv->st.fallbacks++;
		r->fallbacks++;
	}
	add_use(inv, u, r, path, kind, t, s->fallback);
}

/* ------------------------------------------------------------------------ */
/* Flushing                                                                  */

static int step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int write_scope(struct vigil_inventory *inv, struct scope_rec *r, uint64_t now)
{
	sqlite3_stmt *st = inv->upsert_scope;

	if (r->active && strcmp(r->s.kind, "host") != 0 &&
	    !vigil_scope_pid_alive(inv->scopes, r->s.pid))
		r->active = false; /* observed until its last use */
	if (r->active && now > r->last_ns)
		r->last_ns = now;
	sqlite3_bind_text(st, 1, r->s.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->s.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->s.root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->s.container_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->s.pid);
	sqlite3_bind_int64(st, 6, r->s.mntns);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)r->first_ns);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->last_ns);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)r->fallbacks);
	return step_reset(st);
}

static int write_entry(struct vigil_inventory *inv, const struct inv_entry *e)
{
	sqlite3_stmt *st = inv->upsert_file;

	sqlite3_bind_text(st, 1, inv->recs[e->scope].s.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind_names[e->kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)e->first_ns);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)e->last_ns);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)e->pending);
	sqlite3_bind_int64(st, 7, e->pid);
	sqlite3_bind_text(st, 8, e->exe ? e->exe : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, e->comm, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, e->fallback);
	return step_reset(st);
}

static int64_t query_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int run_sql(sqlite3 *db, const char *sql, const char *arg, int64_t n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Oldest-used (then least-used) rows of the scope beyond the bound. */
static int evict_files(struct vigil_inventory *inv, const char *scope)
{
	int64_t n = query_int(inv->db, "SELECT count(*) FROM files WHERE scope=?1", scope);
	int64_t excess = n - (int64_t)inv->max_files;

	if (n < 0)
		return -1;
	if (excess <= 0)
		return 0;
	if (run_sql(inv->db,
		    "DELETE FROM files WHERE scope=?1 AND path IN (SELECT path FROM files"
		    " WHERE scope=?1 ORDER BY last_ns, use_count, path LIMIT ?2)",
		    scope, excess) ||
	    run_sql(inv->db, "UPDATE scopes SET evicted=evicted+?2 WHERE name=?1", scope, excess))
		return -1;
	inv->st.evicted += (uint64_t)excess;
	return 0;
}

/* Drops the scope (never the host) seen longest ago with its files.
 * Returns the rows dropped, 0 when only the host is left, -1 on error. */
static int64_t drop_oldest_scope(struct vigil_inventory *inv)
{
	char name[VIGIL_INV_NAME_MAX] = "";
	sqlite3_stmt *st;
	int64_t rows;

	if (sqlite3_prepare_v2(inv->db,
			       "SELECT name FROM scopes WHERE name<>'host' ORDER BY last_ns, name"
			       " LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!name[0])
		return 0;
	rows = query_int(inv->db, "SELECT count(*) FROM files WHERE scope=?1", name);
	if (rows < 0 || run_sql(inv->db, "DELETE FROM files WHERE scope=?1", name, 0) ||
	    run_sql(inv->db, "DELETE FROM scopes WHERE name=?1", name, 0))
		return -1;
	inv->st.evicted += (uint64_t)rows;
	return rows ? rows : 1;
}

/* Scopes beyond the bound on scopes, then on rows in all (counted only
 * when new files were seen since the last check). */
static int evict_scopes(struct vigil_inventory *inv)
{
	int64_t excess = query_int(inv->db, "SELECT count(*) FROM scopes", NULL);
	int64_t dropped;

	for (excess -= (int64_t)inv->max_scopes; excess > 0; excess--)
		if ((dropped = drop_oldest_scope(inv)) <= 0)
			return (int)dropped;
	if (!inv->new_entries)
		return 0;
	excess = query_int(inv->db, "SELECT count(*) FROM files", NULL);
	if (excess < 0)
		return -1;
	for (excess -= (int64_t)inv->max_rows; excess > 0; excess -= dropped)
		if ((dropped = drop_oldest_scope(inv)) <= 0)
			return (int)dropped;
	return 0;
}

static int write_all(struct vigil_inventory *inv, uint64_t now, size_t *rows)
{
	for (size_t i = 0; i < inv->nrecs; i++) {
		inv->recs[i].written = false;
		if ((inv->recs[i].active || inv->recs[i].dirty) &&
		    write_scope(inv, &inv->recs[i], now) != 0)
			return -1;
	}
	for (size_t i = 0; i < inv->nentries; i++) {
		struct inv_entry *e = &inv->entries[i];

		if (!e->pending)
			continue;
		if (write_entry(inv, e) != 0)
			return -1;
		inv->recs[e->scope].written = true;
		(*rows)++;
	}
	for (size_t i = 0; i < inv->nrecs; i++)
		if (inv->recs[i].written && evict_files(inv, inv->recs[i].s.name) != 0)
			return -1;
	return evict_scopes(inv);
}

/* After a successful flush: nothing pending. When memory is past half the
 * bound, forget what was written (later uses are upserted again) and the
 * scopes no longer alive. */
static void settle(struct vigil_inventory *inv)
{
	size_t keep = 0;

	for (size_t i = 0; i < inv->nentries; i++)
		inv->entries[i].pending = 0;
	for (size_t i = 0; i < inv->nrecs; i++) {
		inv->recs[i].fallbacks = 0;
		inv->recs[i].dirty = false;
	}
	if (inv->nentries < VIGIL_INV_MEM_MAX / 2 && inv->nrecs < MAX_SCOPE_RECS / 2)
		return;
	for (size_t i = 0; i < inv->nentries; i++) {
		free(inv->entries[i].path);
		free(inv->entries[i].exe);
	}
	inv->nentries = 0;
	memset(inv->index, 0, inv->indexcap * sizeof(*inv->index));
	for (size_t i = 0; i < inv->nrecs; i++)
		if (inv->recs[i].active || i == 0)
			inv->recs[keep++] = inv->recs[i];
	inv->nrecs = keep;
}

int vigil_inventory_flush(struct vigil_inventory *inv)
{
	size_t rows = 0;

	if (!inv)
		return -1;
	if (exec_sql(inv->db, "BEGIN IMMEDIATE") != 0) {
		db_fail(inv->db, inv->path, "cannot begin a transaction", inv->err,
			sizeof(inv->err));
		inv->st.flush_errors++;
		return -1;
	}
	if (write_all(inv, now_ns(), &rows) != 0 || exec_sql(inv->db, "COMMIT") != 0) {
		db_fail(inv->db, inv->path, "cannot write the inventory", inv->err,
			sizeof(inv->err));
		exec_sql(inv->db, "ROLLBACK");
		inv->st.flush_errors++;
		return -1;
	}
	inv->st.flushes++;
	inv->st.rows_written += rows;
	inv->new_entries = 0;
	inv->err[0] = '\0';
	settle(inv);
	return 0;
}

void vigil_inventory_close(struct vigil_inventory *inv)
{
	if (!inv)
		return;
	vigil_inventory_flush(inv);
	sqlite3_finalize(inv->upsert_file);
	sqlite3_finalize(inv->upsert_scope);
	sqlite3_close(inv->db);
	for (size_t i = 0; i < inv->nentries; i++) {
		free(inv->entries[i].path);
		free(inv->entries[i].exe);
	}
	free(inv->entries);
	free(inv->index);
	free(inv->recs);
	vigil_scope_cache_free(inv->scopes);
	free(inv);
}

/* ------------------------------------------------------------------------ */
/* Reading back                                                              */

static sqlite3 *open_ro(const char *state_dir, char *err, size_t errsz)
{
	char path[VIGIL_INV_ROOT_MAX + 32];
	sqlite3 *db = NULL;
	struct stat st;

	if (!state_dir)
		state_dir = VIGIL_STATE_DIR_DEFAULT;
	snprintf(path, sizeof(path), "%s/%s", state_dir, VIGIL_INVENTORY_DB);
	if (stat(path, &st) != 0) {
		snprintf(err, errsz,
			 "%s: no inventory (%s): `vigil run` collects one; see --state-dir", path,
			 strerror(errno));
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    user_version(db) != SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: not a Vigil inventory database (%s)", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static void col_text(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

static void read_scope_row(sqlite3_stmt *st, struct vigil_inv_scope_info *s)
{
	memset(s, 0, sizeof(*s));
	col_text(st, 0, s->name, sizeof(s->name));
	col_text(st, 1, s->kind, sizeof(s->kind));
	col_text(st, 2, s->root, sizeof(s->root));
	col_text(st, 3, s->container_id, sizeof(s->container_id));
	s->pid = (uint32_t)sqlite3_column_int64(st, 4);
	s->mntns = (uint32_t)sqlite3_column_int64(st, 5);
	s->first_ns = (uint64_t)sqlite3_column_int64(st, 6);
	s->last_ns = (uint64_t)sqlite3_column_int64(st, 7);
	s->fallbacks = (uint64_t)sqlite3_column_int64(st, 8);
	s->evicted = (uint64_t)sqlite3_column_int64(st, 9);
	s->files = (uint64_t)sqlite3_column_int64(st, 10);
}

int vigil_inventory_scopes(const char *state_dir, struct vigil_inv_scope_info **out, size_t *n,
			   char *err, size_t errsz)
{
	sqlite3 *db = open_ro(state_dir, err, errsz);
	struct vigil_inv_scope_info *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!db)
		return -1;
	rc = sqlite3_prepare_v2(db,
				"SELECT name,kind,root,container_id,pid,mntns,first_ns,last_ns,"
				"fallbacks,evicted,(SELECT count(*) FROM files WHERE scope=name)"
				" FROM scopes ORDER BY name<>'host', name",
				-1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct vigil_inv_scope_info *nv;

			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		read_scope_row(st, &v[(*n)++]);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s/%s: %s", state_dir ? state_dir : VIGIL_STATE_DIR_DEFAULT,
			 VIGIL_INVENTORY_DB, sqlite3_errmsg(db));
		free(v);
		v = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	*out = v;
	return rc == SQLITE_DONE ? 0 : -1;
}

static void list_names(const struct vigil_inv_scope_info *v, size_t n, char *out, size_t outsz)
{
	size_t pos = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && pos + 1 < outsz; i++) {
		int w = snprintf(out + pos, outsz - pos, "%s%s", i ? ", " : "", v[i].name);

		pos += w > 0 ? (size_t)w : 0;
	}
}

int vigil_inventory_find_scope(const char *state_dir, const char *name,
			       struct vigil_inv_scope_info *out, char *err, size_t errsz)
{
	struct vigil_inv_scope_info *v;
	size_t n, hits = 0, hit = 0;
	char names[512];

	if (vigil_inventory_scopes(state_dir, &v, &n, err, errsz) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0) {
			hits = 1;
			hit = i;
			break;
		}
		if (strncmp(v[i].name, name, strlen(name)) == 0) {
			hits++;
			hit = i;
		}
	}
	if (hits == 1) {
		*out = v[hit];
		free(v);
		return 0;
	}
	list_names(v, n, names, sizeof(names));
	snprintf(err, errsz, "scope \"%s\" %s in the inventory (scopes: %s)", name,
		 hits ? "is ambiguous" : "not found", n ? names : "none");
	free(v);
	return -1;
}

static int read_file_row(sqlite3_stmt *st, struct vigil_inv_file *f)
{
	const unsigned char *path = sqlite3_column_text(st, 0);
	const unsigned char *exe = sqlite3_column_text(st, 6);

	memset(f, 0, sizeof(*f));
	f->path = strdup(path ? (const char *)path : "");
	f->exe = strdup(exe ? (const char *)exe : "");
	col_text(st, 1, f->kind, sizeof(f->kind));
	f->first_ns = (uint64_t)sqlite3_column_int64(st, 2);
	f->last_ns = (uint64_t)sqlite3_column_int64(st, 3);
	f->use_count = (uint64_t)sqlite3_column_int64(st, 4);
	f->pid = (uint32_t)sqlite3_column_int64(st, 5);
	col_text(st, 7, f->comm, sizeof(f->comm));
	f->fallback = sqlite3_column_int(st, 8) != 0;
	return f->path && f->exe ? 0 : -1;
}

int vigil_inventory_files(const char *state_dir, const char *scope, struct vigil_inv_file **out,
			  size_t *n, char *err, size_t errsz)
{
	sqlite3 *db = open_ro(state_dir, err, errsz);
	struct vigil_inv_file *v = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!db)
		return -1;
	rc = sqlite3_prepare_v2(db,
				"SELECT path,kind,first_ns,last_ns,use_count,pid,exe,comm,fallback"
				" FROM files WHERE scope=?1 ORDER BY path",
				-1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			struct vigil_inv_file *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (read_file_row(st, &v[(*n)++]) != 0)
			break;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s/%s: %s", state_dir ? state_dir : VIGIL_STATE_DIR_DEFAULT,
			 VIGIL_INVENTORY_DB,
			 rc == SQLITE_ROW ? "out of memory" : sqlite3_errmsg(db));
		vigil_inventory_files_free(v, *n);
		v = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	*out = v;
	return rc == SQLITE_DONE ? 0 : -1;
}

void vigil_inventory_files_free(struct vigil_inv_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].exe);
	}
	free(files);
}
