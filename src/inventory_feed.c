/* inventory_feed.c - exec and mmap events to runtime inventory notes, and
 * the periodic flush (see inventory_feed.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "inventory.h"
#include "inventory_feed.h"
#include "pathutil.h"

#define MAX_CANDIDATES	 8
#define MAX_ARGS_SCANNED 16
#define ERROR_REPEAT_MS	 60000

struct vigil_inv_feed {
	struct vigil_inventory *inv;
	char procfs[256];
	uint32_t self_mntns;
	uint64_t last_flush_ms, last_error_ms;
	uint64_t scripts;   /* script uses noted */
	uint64_t unflushed; /* notes since the last successful flush */
	bool error_shown;
};

static uint32_t mntns_of(const char *procfs, const char *pid)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/ns/mnt", procfs, pid);
	return stat(p, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

struct vigil_inv_feed *vigil_inv_feed_open(const char *state_dir, char *err, size_t errsz)
{
	struct vigil_inv_feed *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	f->inv = vigil_inventory_open(state_dir, err, errsz);
	if (!f->inv) {
		free(f);
		return NULL;
	}
	snprintf(f->procfs, sizeof(f->procfs), "/proc");
	f->self_mntns = mntns_of(f->procfs, "self");
	return f;
}

int vigil_inv_feed_set_roots(struct vigil_inv_feed *f, const char *procfs, const char *hostroot)
{
	snprintf(f->procfs, sizeof(f->procfs), "%s", procfs);
	f->self_mntns = mntns_of(f->procfs, "self");
	return vigil_inventory_set_roots(f->inv, procfs, hostroot);
}

/* ------------------------------------------------------------------------ */
/* Scripts                                                                   */

/* Per interpreter: options that end the options with the program text on
 * the command line (no script file), options that take a value, and an
 * option naming the file (java -jar, php -f). Space-separated words. */
struct interp {
	const char *name;
	const char *stop, *value, *file_opt;
	bool file_opt_only; /* other arguments are not files (java: a class) */
};

static const struct interp interps[] = {
    {"python", "-c -m -", "-W -X", NULL, false},
    {"perl", "-e -E -", "-I -M -m -x", NULL, false},
    {"ruby", "-e -", "-I -r -C -E", NULL, false},
    {"node", "-e --eval -p --print -", "-r --require --import --loader", NULL, false},
    {"nodejs", "-e --eval -p --print -", "-r --require --import --loader", NULL, false},
    {"php", "-r -", "-d -c -z", "-f", false},
    {"bash", "-c -s -", "-o -O +o +O", NULL, false},
    {"sh", "-c -s -", "-o +o", NULL, false},
    {"dash", "-c -s -", "-o +o", NULL, false},
    {"zsh", "-c -s -", "-o +o", NULL, false},
    {"ksh", "-c -s -", "-o +o", NULL, false},
    {"mksh", "-c -s -", "-o +o", NULL, false},
    {"lua", "-e -", "-l", NULL, false},
    {"luajit", "-e -", "-l -j", NULL, false},
    {"tclsh", "-", "", NULL, false},
    {"wish", "-", "", NULL, false},
    {"Rscript", "-e -", "", NULL, false},
    {"java", "", "", "-jar", true},
};

static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, " ");

		if (k == n && strncmp(p, word, n) == 0)
			return true;
		p += k;
		p += *p == ' ';
	}
	return false;
}

/* "python3", "python3.11", "perl5.36.0", "lua5.4": the name, then a version. */
static const struct interp *interp_of(const char *exe)
{
	const char *base = strrchr(exe, '/');

	base = base ? base + 1 : exe;
	for (size_t i = 0; i < sizeof(interps) / sizeof(interps[0]); i++) {
		size_t n = strlen(interps[i].name);

		if (strncmp(base, interps[i].name, n) == 0 &&
		    strspn(base + n, "0123456789.") == strlen(base + n))
			return &interps[i];
	}
	return NULL;
}

/* argv (NUL-separated) split into up to max pointers. */
static size_t split_argv(const char *argv, size_t len, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t off = 0; argv && off < len && n < max;) {
		const char *a = argv + off;
		size_t k = strnlen(a, len - off);

		if (k == len - off) /* cut short (truncated argv): not a whole argument */
			break;
		out[n++] = a;
		off += k + 1;
	}
	return n;
}

size_t vigil_script_candidates(const char *exe, const char *filename, const char *argv,
			       size_t argv_len, const char **out, size_t max)
{
	const char *args[MAX_ARGS_SCANNED];
	size_t argc = split_argv(argv, argv_len, args, MAX_ARGS_SCANNED), n = 0;
	const struct interp *in;

	if (!max || argc < 2)
		return 0;
	/* binfmt_script: argv = [#! interpreter, (its argument,) filename, ...] */
	if (filename && args[0][0] == '/' && strcmp(args[0], filename) != 0 &&
	    (strcmp(args[1], filename) == 0 || (argc > 2 && strcmp(args[2], filename) == 0))) {
		out[0] = filename;
		return 1;
	}
	in = exe ? interp_of(exe) : NULL;
	if (!in)
		return 0;
	for (size_t i = 1; i < argc && n < max; i++) {
		const char *a = args[i];

		if (in->file_opt && strcmp(a, in->file_opt) == 0) {
			if (i + 1 < argc)
				out[n++] = args[i + 1];
			return n;
		}
		if (strcmp(a, "--") == 0) {
			if (i + 1 < argc && !in->file_opt_only)
				out[n++] = args[i + 1];
			return n;
		}
		if (word_in(a, in->stop))
			return n;
		if (a[0] == '-' || a[0] == '+') {
			i += word_in(a, in->value); /* skip the option's value */
			continue;
		}
		if (!in->file_opt_only)
			out[n++] = a;
	}
	return n;
}

enum { FILE_NO, FILE_YES, FILE_UNKNOWN };

/* Whether the script argument names a regular file as the process sees it
 * (its cwd and root through /proc); unknown once the process is gone. */
static int script_exists(const struct vigil_inv_feed *f, uint32_t pid, const char *arg)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%u/%s/%s", f->procfs, pid, arg[0] == '/' ? "root" : "cwd", arg);
	if (stat(p, &st) == 0)
		return S_ISREG(st.st_mode) ? FILE_YES : FILE_NO;
	snprintf(p, sizeof(p), "%s/%u", f->procfs, pid);
	return access(p, F_OK) == 0 ? FILE_NO : FILE_UNKNOWN;
}

/* The script's path as the kernel would report it: relative to the cwd the
 * kernel resolved at exec; an absolute path of a chrooted process gets the
 * chroot directory in front (the kernel shows host paths for a chroot). */
static void kernel_view(const struct vigil_inv_feed *f, const struct vigil_event *ev,
			const char *arg, char *out, size_t outsz)
{
	char link[300], root[PATH_MAX], joined[2 * PATH_MAX + 2];
	ssize_t n;

	if (arg[0] != '/') {
		vigil_path_resolve(ev->cwd ? ev->cwd : "/", arg, out, outsz);
		return;
	}
	snprintf(link, sizeof(link), "%s/%u/root", f->procfs, ev->hdr->pid);
	n = ev->hdr->mntns == f->self_mntns ? readlink(link, root, sizeof(root) - 1) : -1;
	if (n > 1 && root[0] == '/') {
		root[n] = '\0';
		snprintf(joined, sizeof(joined), "%s/%s", root, arg);
		vigil_path_resolve(NULL, joined, out, outsz);
		return;
	}
	vigil_path_resolve(NULL, arg, out, outsz);
}

static void note_script(struct vigil_inv_feed *f, const struct vigil_event *ev,
			struct vigil_inventory_use *u)
{
	const char *cand[MAX_CANDIDATES], *pick = NULL;
	char path[PATH_MAX];
	size_t n = vigil_script_candidates(ev->exe, ev->nameraw, ev->argv, ev->argv_len, cand,
					   MAX_CANDIDATES);

	for (size_t i = 0; i < n && !pick; i++) {
		int e = script_exists(f, ev->hdr->pid, cand[i]);

		if (e == FILE_YES || (e == FILE_UNKNOWN && i == 0))
			pick = cand[i];
		else if (e == FILE_UNKNOWN)
			break;
	}
	if (!pick)
		return;
	kernel_view(f, ev, pick, path, sizeof(path));
	u->kind = "script";
	u->path = path;
	vigil_inventory_note(f->inv, u);
	f->scripts++;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

void vigil_inv_feed_event(struct vigil_inv_feed *f, const struct vigil_event *ev,
			  const struct vigil_inv_ctx *ctx)
{
	const struct vigil_event_hdr *h = ev->hdr;
	char comm[VIGIL_COMM_LEN + 1];
	struct vigil_inventory_use u = {
	    .pid = h->tid,
	    .tgid = h->pid,
	    .mntns = h->mntns,
	    .container_id = ctx->container_id,
	    .comm = comm,
	    .wall_ns = ctx->wall_ns,
	};
	bool exec = h->type == VIGIL_EVT_EXECVE || h->type == VIGIL_EVT_EXECVEAT;

	if (!f || (!exec && h->type != VIGIL_EVT_MMAP) || !(h->flags & VIGIL_HDR_HAS_RET) ||
	    h->ret < 0)
		return;
	memcpy(comm, h->comm, VIGIL_COMM_LEN);
	comm[VIGIL_COMM_LEN] = '\0';
	if (exec) {
		if (!ev->exe)
			return;
		u.kind = "exec";
		u.path = ev->exe;
		u.exe = ev->exe;
		vigil_inventory_note(f->inv, &u);
		f->unflushed++;
		note_script(f, ev, &u);
		return;
	}
	if (!ev->name)
		return;
	u.kind = "map";
	u.path = ev->name;
	u.exe = ctx->exe;
	vigil_inventory_note(f->inv, &u);
	f->unflushed++;
}

/* ------------------------------------------------------------------------ */
/* Flushing                                                                  */

static int flush_now(struct vigil_inv_feed *f, uint64_t now_ms, bool final)
{
	if (vigil_inventory_flush(f->inv) == 0) {
		f->unflushed = 0;
		if (f->error_shown)
			fprintf(stderr, "vigil: inventory: writing works again\n");
		f->error_shown = false;
		return 0;
	}
	if (final || !f->error_shown || now_ms - f->last_error_ms >= ERROR_REPEAT_MS) {
		fprintf(stderr, "vigil: inventory: %s%s\n", vigil_inventory_error(f->inv),
			final ? " (the uses since the last flush are lost)"
			      : "; the uses are kept in memory and written later");
		f->error_shown = true;
		f->last_error_ms = now_ms;
	}
	return -1;
}

void vigil_inv_feed_tick(struct vigil_inv_feed *f, uint64_t now_ms)
{
	uint64_t due;

	if (!f)
		return;
	if (!f->last_flush_ms) {
		f->last_flush_ms = now_ms;
		return;
	}
	due = f->unflushed ? VIGIL_INV_FLUSH_MS : VIGIL_INV_IDLE_FLUSH_MS;
	if (now_ms - f->last_flush_ms < due)
		return;
	f->last_flush_ms = now_ms;
	flush_now(f, now_ms, false);
}

int vigil_inv_feed_flush(struct vigil_inv_feed *f)
{
	return f ? flush_now(f, 0, true) : 0;
}

void vigil_inv_feed_print_stats(const struct vigil_inv_feed *f, FILE *out)
{
	struct vigil_inventory_stats st;

	if (!f)
		return;
	vigil_inventory_stats(f->inv, &st);
	fprintf(out,
		",\"inventory\":{\"notes\":%llu,\"scripts\":%llu,\"ignored\":%llu,"
		"\"dropped\":%llu,\"rows_written\":%llu,\"flushes\":%llu,\"flush_errors\":%llu,"
		"\"evicted\":%llu}",
		(unsigned long long)st.notes, (unsigned long long)f->scripts,
		(unsigned long long)st.ignored, (unsigned long long)st.dropped,
		(unsigned long long)st.rows_written, (unsigned long long)st.flushes,
		(unsigned long long)st.flush_errors, (unsigned long long)st.evicted);
}

void vigil_inv_feed_close(struct vigil_inv_feed *f)
{
	if (!f)
		return;
	vigil_inventory_close(f->inv);
	free(f);
}
