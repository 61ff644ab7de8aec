/* test_inventory.c - files mapped for execution and the runtime inventory.
 *
 * mmap_exec_event: `--filter mmap` prints one mmap event per file a process
 *   maps executable (the file's path, prot, fd), once per process image
 *   (a second map of the same file is deduplicated in the kernel; another
 *   process, or the same one after exec, reports it again); read-only and
 *   anonymous maps are not reported; the ELF interpreter the kernel maps at
 *   exec is (fd -1). The programs are generated here (a two-file ELF pair),
 *   so this runs on any kernel, the VM's busybox system included.
 * inventory_real: `vigil run --state-dir DIR` with the inventory on; real
 *   programs (curl loads libcurl and ld.so, python3 `import ctypes` dlopens
 *   the _ctypes extension module and libffi, a python script, a #! script);
 *   the database is polled until it has them, with kind, comm and exe;
 *   mmap events are not printed by --events; the agent is restarted and the
 *   inventory is still there and grows; then `vigil vuln` on a Trivy report
 *   made from this machine's dpkg database: libcurl's package in use, an
 *   installed package nobody loaded not in use; OpenVEX statuses. Needs
 *   dpkg, curl and python3 (skipped where they are missing: the VM).
 * inventory_chroot: a static program chrooted into a small root file system
 *   with its own dpkg status file is recorded in scope root:DIR with the path
 *   inside the root, not in the host's scope, and `vigil vuln --scope` reads
 *   that root's packages.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tests.h"

#define DB_TIMEOUT_MS 20000 /* a use reaches the database within ~1 s */

/* ---- helpers ------------------------------------------------------------------ */

/* vigil-e2e --inv-act map FILE... | pause: what a test runs after an exec. */
int inventory_act_main(int argc, char **argv)
{
	if (!strcmp(argv[0], "map")) {
		for (int i = 1; i < argc; i++) {
			int fd = open(argv[i], O_RDONLY | O_CLOEXEC);

			if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) ==
					  MAP_FAILED)
				return 3;
			close(fd);
		}
		return 0;
	}
	if (!strcmp(argv[0], "pause")) {
		alarm(60);
		pause();
		return 0;
	}
	fprintf(stderr, "vigil-e2e --inv-act: unknown action %s\n", argv[0]);
	return 2;
}

/* Maps path (4 KiB at offset 0) with prot; the fd is returned in *fdp. */
static int map_file(const char *path, int prot, int *fdp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fdp)
		*fdp = fd;
	if (fd < 0)
		return -1;
	return mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0;
}

static bool make_file(struct tctx *t, const char *path, size_t size)
{
	char buf[8192] = {0};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	bool ok = fd >= 0 && size <= sizeof(buf) && write(fd, buf, size) == (ssize_t)size;

	if (fd >= 0)
		close(fd);
	if (!ok)
		tfail(t, "cannot write %s: %s", path, strerror(errno));
	return ok;
}

static bool write_bytes(struct tctx *t, const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	bool ok = fd >= 0 && write(fd, data, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	if (!ok)
		tfail(t, "cannot write %s: %s", path, strerror(errno));
	return ok;
}

/* Creates (or truncates) path with text; 0 or -1. */
static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A minimal ELF interpreter (ET_DYN, exit(0) at its entry) and a program
 * (ET_EXEC) naming it in PT_INTERP: the kernel maps the interpreter at exec
 * and jumps to it, as it does with ld.so. The interpreter's one segment is
 * writable too: before 6.7 the kernel zeroes the rest of its last page. */
static bool make_elf_pair(struct tctx *t, const char *interp, const char *prog)
{
	static const unsigned char code[] = {0xb8, 0x3c, 0, 0, 0, /* mov eax, 60 (exit) */
					     0x31, 0xff,	  /* xor edi, edi */
					     0x0f, 0x05};	  /* syscall */
	unsigned char a[256] = {0}, b[512] = {0};
	size_t alen = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + sizeof(code);
	size_t plen = strlen(interp) + 1, boff = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	Elf64_Ehdr eh = {
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_DYN,
	    .e_machine = EM_X86_64,
	    .e_version = EV_CURRENT,
	    .e_entry = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr),
	    .e_phoff = sizeof(Elf64_Ehdr),
	    .e_ehsize = sizeof(Elf64_Ehdr),
	    .e_phentsize = sizeof(Elf64_Phdr),
	    .e_phnum = 1,
	};
	Elf64_Phdr load = {.p_type = PT_LOAD,
			   .p_flags = PF_R | PF_W | PF_X,
			   .p_filesz = alen,
			   .p_memsz = alen,
			   .p_align = 4096};
	Elf64_Phdr phint = {.p_type = PT_INTERP,
			    .p_flags = PF_R,
			    .p_offset = boff,
			    .p_vaddr = 0x400000 + boff,
			    .p_filesz = plen,
			    .p_memsz = plen,
			    .p_align = 1};

	if (boff + plen > sizeof(b)) {
		tfail(t, "interpreter path too long: %s", interp);
		return false;
	}
	memcpy(a, &eh, sizeof(eh));
	memcpy(a + sizeof(eh), &load, sizeof(load));
	memcpy(a + sizeof(eh) + sizeof(load), code, sizeof(code));
	eh.e_type = ET_EXEC;
	eh.e_entry = 0x400000 + boff;
	eh.e_phnum = 2;
	load.p_flags = PF_R | PF_X;
	load.p_vaddr = load.p_paddr = 0x400000;
	load.p_filesz = load.p_memsz = boff + plen;
	memcpy(b, &eh, sizeof(eh));
	memcpy(b + sizeof(eh), &phint, sizeof(phint));
	memcpy(b + sizeof(eh) + sizeof(phint), &load, sizeof(load));
	memcpy(b + boff, interp, plen);
	return write_bytes(t, interp, a, alen) && write_bytes(t, prog, b, boff + plen);
}

struct map_hit {
	const char *path;
	pid_t pid;
};

static bool is_map_of(json_t *ev, void *ctx)
{
	const struct map_hit *h = ctx;
	const char *type = ev_str(ev, "evt.type"), *name = ev_str(ev, "fd.name");
	long long pid = 0;

	ev_int(ev, "proc.pid", &pid);
	return type && !strcmp(type, "mmap") && name && (!h->path || !strcmp(name, h->path)) &&
	       (!h->pid || pid == h->pid);
}

static size_t count_maps(struct tctx *t, const char *path, pid_t pid)
{
	struct map_hit h = {path, pid};

	return agent_count(t->agent, t->from, is_map_of, &h);
}

/* ---- mmap_exec_event ------------------------------------------------------------ */

struct maps_arg {
	char a[1024], b[1024], ro[1024], marker[1024], self[1024];
	bool exec_after;
};

/* Maps a twice, the read-only and anonymous ones, then the marker; with
 * exec_after, execs itself to map a again in a new image. */
static int child_maps(void *p)
{
	struct maps_arg *m = p;
	int fd;

	if (map_file(m->a, PROT_READ | PROT_EXEC, &fd) ||
	    map_file(m->a, PROT_READ | PROT_EXEC, NULL))
		return 3;
	if (map_file(m->ro, PROT_READ, NULL) ||
	    mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		MAP_FAILED)
		return 4;
	if (map_file(m->marker, PROT_READ | PROT_EXEC, NULL))
		return 5;
	if (m->exec_after) {
		const char *argv[] = {"vigil-e2e", "--inv-act", "map", m->a, NULL};

		execv(m->self, (char *const *)argv);
		return 127;
	}
	return 0;
}

static int child_exec_prog(void *p)
{
	const char *argv[] = {"tinyprog", NULL};

	execv((const char *)p, (char *const *)argv);
	return 127;
}

static void check_first_map(struct tctx *t, const struct maps_arg *m, pid_t pid)
{
	json_t *ev = WAIT_EV(t, .type = "mmap", .pid = pid, .skey = "fd.name", .sval = m->a);

	if (!ev)
		return;
	expect_str(t, ev, "evt.res", "SUCCESS");
	expect_str(t, ev, "evt.arg.prot", "PROT_READ|PROT_EXEC");
	expect_str(t, ev, "evt.arg.flags", "MAP_PRIVATE");
	expect_int(t, ev, "evt.arg.length", 4096);
	expect_int(t, ev, "evt.arg.offset", 0);
	expect_true(t, ev_str(ev, "evt.arg.addr") != NULL, "no evt.arg.addr");
	{
		long long fd = -2, ret = 0;

		ev_int(ev, "evt.arg.fd", &fd);
		ev_int(ev, "evt.rawres", &ret);
		expect_true(t, fd >= 3, "evt.arg.fd %lld is not the child's fd", fd);
		expect_true(t, ret > 0, "evt.rawres %lld is not an address", ret);
	}
	json_decref(ev);
}

void test_mmap_exec_event(struct tctx *t)
{
	static const char *const args[] = {"--filter", "mmap", "--no-inventory", NULL};
	struct maps_arg m = {.exec_after = false};
	char interp[1024], prog[1024];
	pid_t pid, pid2;
	json_t *ev;

	pjoin(m.a, sizeof(m.a), t->tmpdir, "libmapped.so");
	pjoin(m.ro, sizeof(m.ro), t->tmpdir, "readonly.dat");
	pjoin(m.marker, sizeof(m.marker), t->tmpdir, "marker.so");
	pjoin(interp, sizeof(interp), t->tmpdir, "tiny-ld.so");
	pjoin(prog, sizeof(prog), t->tmpdir, "tinyprog");
	real("/proc/self/exe", m.self, sizeof(m.self));
	if (!make_file(t, m.a, 8192) || !make_file(t, m.ro, 8192) ||
	    !make_file(t, m.marker, 8192) || !make_elf_pair(t, interp, prog))
		return;
	t->agent = start_own(t, args);
	if (!t->agent)
		return;
	t->from = agent_seq(t->agent);

	/* one process: a once (dedup), not ro, not anonymous, the marker */
	pid = spawn(t, child_maps, &m);
	if (pid > 0 && exit_code(reap(pid, EVENT_TIMEOUT_MS)) != 0)
		tfail(t, "the mapping child failed");
	check_first_map(t, &m, pid);
	ev = WAIT_EV(t, .type = "mmap", .pid = pid, .skey = "fd.name", .sval = m.marker);
	json_decref(ev);
	expect_true(t, count_maps(t, m.a, pid) == 1, "%zu mmap events of %s (want 1: deduplicated)",
		    count_maps(t, m.a, pid), m.a);
	expect_true(t, count_maps(t, m.ro, 0) == 0, "a read-only map was reported");
	expect_true(t, count_maps(t, NULL, pid) == 2,
		    "%zu mmap events of pid %d (want 2: no read-only or anonymous map)",
		    count_maps(t, NULL, pid), pid);

	/* another process reports a again; so does the same one after exec */
	m.exec_after = true;
	pid2 = spawn(t, child_maps, &m);
	if (pid2 > 0 && exit_code(reap(pid2, EVENT_TIMEOUT_MS)) != 0)
		tfail(t, "the second mapping child failed");
	ev = WAIT_EV(t, .type = "mmap", .pid = pid2, .skey = "fd.name", .sval = m.marker);
	json_decref(ev);
	{
		int64_t end = mono_ms() + EVENT_TIMEOUT_MS;

		while (count_maps(t, m.a, pid2) < 2 && mono_ms() < end)
			sleep_ms(20);
		expect_true(t, count_maps(t, m.a, pid2) == 2,
			    "%zu mmap events of %s by pid %d (want 2: before and after exec)",
			    count_maps(t, m.a, pid2), m.a, pid2);
	}

	/* the ELF interpreter, mapped by the kernel at exec */
	pid = spawn(t, child_exec_prog, prog);
	if (pid > 0 && exit_code(reap(pid, EVENT_TIMEOUT_MS)) != 0)
		tfail(t, "%s (interpreter %s) did not run", prog, interp);
	ev = WAIT_EV(t, .type = "mmap", .pid = pid, .skey = "fd.name", .sval = interp);
	if (ev) {
		expect_int(t, ev, "evt.arg.fd", -1);
		expect_str(t, ev, "evt.arg.prot", "PROT_READ|PROT_EXEC");
		expect_str(t, ev, "proc.exepath", prog);
		json_decref(ev);
	}
	{
		struct stats s;

		stop_and_check(t, t->agent, SIGINT, &s);
	}
	agent_free(t->agent);
	t->agent = NULL;
}

/* ---- the inventory database ------------------------------------------------------ */

struct inv_row {
	bool found;
	char kind[16];
	long long use_count, pid;
	char comm[32];
	char exe[1024];
};

static void col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", s ? (const char *)s : "");
}

/* The row of (scope, path), read-only (the agent may be writing). */
static bool db_row(const char *state, const char *scope, const char *path, struct inv_row *r)
{
	char db[1100];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	bool ok = false;

	memset(r, 0, sizeof(*r));
	snprintf(db, sizeof(db), "%s/inventory.db", state);
	if (access(db, F_OK) != 0 ||
	    sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(h, 2000);
	if (sqlite3_prepare_v2(h,
			       "SELECT kind,use_count,pid,comm,exe FROM files WHERE scope=?1 AND "
			       "path=?2",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		r->found = true;
		col(st, 0, r->kind, sizeof(r->kind));
		r->use_count = sqlite3_column_int64(st, 1);
		r->pid = sqlite3_column_int64(st, 2);
		col(st, 3, r->comm, sizeof(r->comm));
		col(st, 4, r->exe, sizeof(r->exe));
		ok = true;
		break;
	case SQLITE_DONE:
		ok = true;
		break;
	default:
		break;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return ok;
}

/* Polls until (scope, path) has a row used at least min times. */
static bool wait_row(struct tctx *t, const char *state, const char *scope, const char *path,
		     long long min, struct inv_row *r)
{
	int64_t end = mono_ms() + DB_TIMEOUT_MS;

	for (;;) {
		if (db_row(state, scope, path, r) && r->found && r->use_count >= min)
			return true;
		if (mono_ms() >= end)
			break;
		sleep_ms(50);
	}
	tfail(t, "the inventory has no %s%s in scope %s after %d s (use_count %lld, want >= %lld)",
	      path, r->found ? " used often enough" : "", scope, DB_TIMEOUT_MS / 1000, r->use_count,
	      min);
	return false;
}

static bool expect_row(struct tctx *t, const char *state, const char *scope, const char *path,
		       const char *kind, struct inv_row *r)
{
	if (!wait_row(t, state, scope, path, 1, r))
		return false;
	return expect_true(t, !strcmp(r->kind, kind), "%s: kind %s, want %s", path, r->kind, kind);
}

/* ---- running things ---------------------------------------------------------------- */

static int child_exec_quiet(void *p)
{
	char *const *argv = p;
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	execv(argv[0], argv);
	return 127;
}

/* Runs argv (tracked by the agent), output discarded; its pid, or -1. */
static pid_t run_quiet(struct tctx *t, const char *const *argv)
{
	pid_t pid = spawn(t, child_exec_quiet, (void *)argv);
	int st = pid > 0 ? reap(pid, 30000) : -1;

	if (pid > 0 && exit_code(st) != 0) {
		tfail(t, "%s exited with %d", argv[0], exit_code(st));
		return -1;
	}
	return pid;
}

/* Copies src into dst (n bytes), cut if it must be. */
static void set_str(char *dst, size_t n, const char *src)
{
	size_t k = strnlen(src, n - 1);

	memcpy(dst, src, k);
	dst[k] = '\0';
}

/* First line of a shell command's output, trimmed. */
static bool sh_line(const char *cmd, char *out, size_t outsz)
{
	FILE *f = popen(cmd, "r");
	bool ok = f && fgets(out, (int)outsz, f);

	if (f)
		pclose(f);
	if (ok)
		out[strcspn(out, "\r\n")] = '\0';
	return ok && out[0];
}

/* realpath of the first of NAME in the library directories. */
static bool find_lib(const char *name, char *out, size_t outsz)
{
	static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
					   "/usr/lib64", "/usr/lib"};
	char p[1024];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dirs[i], name);
		if (access(p, F_OK) == 0 && realpath(p, out))
			return strlen(out) < outsz;
	}
	return false;
}

/* The dpkg package owning path ("libcurl4"), and its version. */
static bool dpkg_owner(const char *path, char *pkg, size_t pkgsz, char *ver, size_t versz)
{
	char cmd[1200], line[1200];

	snprintf(cmd, sizeof(cmd), "dpkg-query -S '%s' 2>/dev/null", path);
	if (!sh_line(cmd, line, sizeof(line)))
		return false;
	line[strcspn(line, ":,")] = '\0'; /* "libcurl4:amd64: /usr/lib/..." */
	set_str(pkg, pkgsz, line);
	snprintf(cmd, sizeof(cmd), "dpkg-query -W -f='${Version}' '%s' 2>/dev/null", pkg);
	return sh_line(cmd, ver, versz);
}

/* An installed package none of whose files is in the inventory. */
static bool unused_package(const char *state, char *pkg, size_t pkgsz, char *ver, size_t versz)
{
	static const char *const cands[] = {"libyaml-0-2", "libcmocka0", "libjansson4",
					    "libsqlite3-0", "libelf1"};
	char cmd[256], line[1200], real_path[4096];

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		bool used = false;
		FILE *f;

		snprintf(cmd, sizeof(cmd), "dpkg-query -W -f='${Status} ${Version}' %s 2>/dev/null",
			 cands[i]);
		if (!sh_line(cmd, line, sizeof(line)) || strncmp(line, "install ok installed ", 21))
			continue;
		set_str(ver, versz, line + 21);
		snprintf(cmd, sizeof(cmd), "dpkg -L %s 2>/dev/null", cands[i]);
		f = popen(cmd, "r");
		while (f && !used && fgets(line, sizeof(line), f)) {
			struct inv_row r;

			line[strcspn(line, "\n")] = '\0';
			if (realpath(line, real_path) && db_row(state, "host", real_path, &r))
				used = r.found;
		}
		if (f)
			pclose(f);
		if (!used) {
			snprintf(pkg, pkgsz, "%s", cands[i]);
			return true;
		}
	}
	return false;
}

/* `vigil vuln ARGS...` output parsed as JSON; NULL (test failed) otherwise. */
static json_t *vuln_json(struct tctx *t, const char *const *args)
{
	const char *argv[24] = {vigil_path(), "vuln"};
	struct capture *c = calloc(1, sizeof(*c));
	json_t *j = NULL;
	int n = 2;

	if (!c)
		return NULL;
	for (int i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	c->argv = argv;
	c->timeout_ms = 60000;
	run_capture(c);
	if (exit_code(c->status) != 0)
		tfail(t, "vigil vuln exited %d: %.500s", exit_code(c->status), c->err);
	else if (!(j = json_loads(c->out, 0, NULL)))
		tfail(t, "vigil vuln output is not JSON: %.300s", c->out);
	free(c);
	return j;
}

/* The finding (or VEX statement) whose id (vulnerability.name) is id. */
static json_t *by_id(json_t *arr, const char *id)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
	{
		const char *v = json_string_value(json_object_get(x, "id"));

		if (!v)
			v = json_string_value(
			    json_object_get(json_object_get(x, "vulnerability"), "name"));
		if (v && !strcmp(v, id))
			return x;
	}
	return NULL;
}

static void expect_member(struct tctx *t, json_t *obj, const char *what, const char *key,
			  const char *want)
{
	const char *v = json_string_value(json_object_get(obj, key));

	expect_true(t, v && !strcmp(v, want), "%s: %s is %s, want %s", what, key, v ? v : "(none)",
		    want);
}

/* ---- inventory_real ------------------------------------------------------------------ */

struct real_env {
	char state[1024], curl_lib[4096], ffi_lib[4096], ld_so[4096], ctypes_so[4096];
	char py_script[1024], sh_script[1024];
	char curl_pkg[128], curl_ver[128], ffi_pkg[128], ffi_ver[128];
	char unused_pkg[128], unused_ver[128];
};

static bool real_env_setup(struct tctx *t, struct real_env *e)
{
	char line[4096];

	if (access("/usr/bin/curl", X_OK) || access("/usr/bin/python3", X_OK) ||
	    access("/usr/bin/dpkg-query", X_OK) || access("/bin/sh", X_OK)) {
		tskip(t, "needs /usr/bin/curl, /usr/bin/python3, dpkg and /bin/sh");
		return false;
	}
	if (!find_lib("libcurl.so.4", e->curl_lib, sizeof(e->curl_lib)) ||
	    !find_lib("libffi.so.8", e->ffi_lib, sizeof(e->ffi_lib)) ||
	    !find_lib("ld-linux-x86-64.so.2", e->ld_so, sizeof(e->ld_so))) {
		tskip(t, "libcurl.so.4, libffi.so.8 or ld-linux-x86-64.so.2 not found");
		return false;
	}
	if (!sh_line("/usr/bin/python3 -c 'import _ctypes; print(_ctypes.__file__)' 2>/dev/null",
		     line, sizeof(line)) ||
	    !realpath(line, e->ctypes_so)) {
		tskip(t, "python3 has no _ctypes extension module to dlopen");
		return false;
	}
	if (!dpkg_owner(e->curl_lib, e->curl_pkg, sizeof(e->curl_pkg), e->curl_ver,
			sizeof(e->curl_ver)) ||
	    !dpkg_owner(e->ffi_lib, e->ffi_pkg, sizeof(e->ffi_pkg), e->ffi_ver,
			sizeof(e->ffi_ver))) {
		tskip(t, "dpkg does not know who owns %s or %s", e->curl_lib, e->ffi_lib);
		return false;
	}
	pjoin(e->state, sizeof(e->state), t->tmpdir, "state");
	pjoin(e->py_script, sizeof(e->py_script), t->tmpdir, "app.py");
	pjoin(e->sh_script, sizeof(e->sh_script), t->tmpdir, "hello.sh");
	return put_file(e->py_script, "import sys\n") == 0 &&
	       put_file(e->sh_script, "#!/bin/sh\nexit 0\n") == 0 && chmod(e->sh_script, 0755) == 0;
}

/* The programs, and the rows they must leave. */
static void use_and_expect(struct tctx *t, struct real_env *e)
{
	const char *curl[] = {"/usr/bin/curl", "--version", NULL};
	const char *ctypes[] = {"/usr/bin/python3", "-c", "import ctypes", NULL};
	const char *py[] = {"/usr/bin/python3", "-W", "ignore", e->py_script, NULL};
	const char *sh[] = {e->sh_script, NULL};
	struct inv_row r;
	pid_t curl_pid = run_quiet(t, curl);

	run_quiet(t, ctypes);
	run_quiet(t, py);
	run_quiet(t, sh);
	if (tfailed(t))
		return;
	expect_row(t, e->state, "host", "/usr/bin/curl", "exec", &r);
	if (expect_row(t, e->state, "host", e->curl_lib, "map", &r)) {
		expect_true(t, !strcmp(r.comm, "curl"), "%s: comm %s, want curl", e->curl_lib,
			    r.comm);
		expect_true(t, !strcmp(r.exe, "/usr/bin/curl"), "%s: exe %s, want /usr/bin/curl",
			    e->curl_lib, r.exe);
	}
	expect_row(t, e->state, "host", e->ld_so, "map", &r);
	expect_row(t, e->state, "host", e->ffi_lib, "map", &r);
	/* the extension module python3 dlopens for `import ctypes` */
	if (expect_row(t, e->state, "host", e->ctypes_so, "map", &r))
		expect_true(t, !strncmp(r.comm, "python3", 7), "%s: comm %s, want python3",
			    e->ctypes_so, r.comm);
	expect_row(t, e->state, "host", e->py_script, "script", &r);
	expect_row(t, e->state, "host", e->sh_script, "script", &r);
	/* noted, but --events does not print mmap unless asked */
	expect_true(t, count_maps(t, NULL, curl_pid) == 0, "%zu mmap events of curl were printed",
		    count_maps(t, NULL, curl_pid));
}

static void check_inventory_stats(struct tctx *t, struct agent *a)
{
	char *err = malloc(65536);
	json_t *st, *inv;
	long long notes = -1, errors = -1;

	if (!err)
		return;
	agent_stderr(a, err, 65536);
	expect_true(t, strstr(err, "runtime inventory: ") != NULL,
		    "the agent did not name its inventory on stderr");
	st = parse_stats_line(err);
	inv = json_object_get(st, "inventory");
	ev_int(inv, "notes", &notes);
	ev_int(inv, "flush_errors", &errors);
	expect_true(t, notes > 0 && errors == 0, "stats: inventory notes %lld, flush_errors %lld",
		    notes, errors);
	json_decref(st);
	free(err);
}

static bool write_report(struct tctx *t, const char *path, const struct real_env *e)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"debian\", \"Class\": "
		 "\"os-pkgs\", \"Type\": \"debian\", \"Vulnerabilities\": ["
		 "{\"VulnerabilityID\": \"CVE-TEST-9001\", \"PkgName\": \"%s\", "
		 "\"InstalledVersion\": \"%s\", \"FixedVersion\": \"99.0\", \"Severity\": \"LOW\"},"
		 "{\"VulnerabilityID\": \"CVE-TEST-9002\", \"PkgName\": \"%s\", "
		 "\"InstalledVersion\": \"%s\", \"Severity\": \"CRITICAL\"},"
		 "{\"VulnerabilityID\": \"CVE-TEST-9003\", \"PkgName\": \"%s\", "
		 "\"InstalledVersion\": \"%s\", \"Severity\": \"MEDIUM\"}]}]}\n",
		 e->curl_pkg, e->curl_ver, e->unused_pkg, e->unused_ver, e->ffi_pkg, e->ffi_ver);
	if (put_file(path, buf) != 0) {
		tfail(t, "cannot write %s", path);
		return false;
	}
	return true;
}

static void check_vuln(struct tctx *t, struct real_env *e)
{
	char report[1024];
	const char *args[] = {"--state-dir", e->state, "-i", report, "--format", "json", NULL};
	const char *vex[] = {"--state-dir", e->state, "-i", report, "--vex", "openvex", NULL};
	json_t *j, *f, *ev;

	if (!unused_package(e->state, e->unused_pkg, sizeof(e->unused_pkg), e->unused_ver,
			    sizeof(e->unused_ver))) {
		tfail(t, "no installed package left unused to compare with");
		return;
	}
	pjoin(report, sizeof(report), t->tmpdir, "trivy.json");
	if (!write_report(t, report, e) || !(j = vuln_json(t, args)))
		return;
	f = json_object_get(j, "findings");
	expect_member(t, by_id(f, "CVE-TEST-9001"), e->curl_pkg, "status", "in_use");
	expect_member(t, by_id(f, "CVE-TEST-9003"), e->ffi_pkg, "status", "in_use");
	expect_member(t, by_id(f, "CVE-TEST-9002"), e->unused_pkg, "status", "not_in_use");
	ev = json_array_get(json_object_get(by_id(f, "CVE-TEST-9001"), "evidence"), 0);
	expect_true(t,
		    ev && json_string_value(json_object_get(ev, "path")) &&
			strstr(json_string_value(json_object_get(ev, "path")), "libcurl"),
		    "the libcurl finding's evidence does not name libcurl");
	/* in use first: the LOW in-use finding ranks above the CRITICAL unused one */
	expect_member(t, json_array_get(f, 2), "third finding", "id", "CVE-TEST-9002");
	json_decref(j);
	if (!(j = vuln_json(t, vex)))
		return;
	f = json_object_get(j, "statements");
	expect_member(t, by_id(f, "CVE-TEST-9001"), "VEX libcurl", "status", "affected");
	expect_member(t, by_id(f, "CVE-TEST-9002"), "VEX unused", "status", "not_affected");
	expect_member(t, by_id(f, "CVE-TEST-9002"), "VEX unused", "justification",
		      "vulnerable_code_not_in_execute_path");
	json_decref(j);
	tnote(t, "%s in use, %s not in use", e->curl_pkg, e->unused_pkg);
}

void test_inventory_real(struct tctx *t)
{
	struct real_env *e = calloc(1, sizeof(*e));
	const char *args[] = {"--state-dir", NULL, NULL};
	const char *curl[] = {"/usr/bin/curl", "--version", NULL};
	struct inv_row before, after;
	struct stats s;

	if (!e || !real_env_setup(t, e))
		goto out;
	args[1] = e->state;
	t->agent = start_own(t, args);
	if (!t->agent)
		goto out;
	t->from = agent_seq(t->agent);
	use_and_expect(t, e);
	stop_and_check(t, t->agent, SIGINT, &s);
	check_inventory_stats(t, t->agent);
	agent_free(t->agent);
	t->agent = NULL;
	if (tfailed(t))
		goto out;

	/* a restart keeps the inventory, and adds to it */
	db_row(e->state, "host", e->curl_lib, &before);
	t->agent = start_own(t, args);
	if (!t->agent)
		goto out;
	t->from = agent_seq(t->agent);
	db_row(e->state, "host", e->curl_lib, &after);
	expect_true(t, after.found && after.use_count >= before.use_count,
		    "after the restart: %s %s (use_count %lld, before %lld)", e->curl_lib,
		    after.found ? "kept" : "gone", after.use_count, before.use_count);
	run_quiet(t, curl);
	wait_row(t, e->state, "host", e->curl_lib, before.use_count + 1, &after);
	stop_and_check(t, t->agent, SIGINT, &s);
	agent_free(t->agent);
	t->agent = NULL;
	if (!tfailed(t))
		check_vuln(t, e);
out:
	free(e);
}

/* ---- inventory_chroot ----------------------------------------------------------------- */

static int child_chroot(void *p)
{
	const char *root = p;
	const char *argv[] = {"app", "--inv-act", "pause", NULL};

	if (chroot(root) || chdir("/"))
		return 3;
	execv("/bin/app", (char *const *)argv);
	return 127;
}

static bool copy_self(struct tctx *t, const char *to)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n = 0;
	bool ok = in >= 0 && out >= 0;

	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(out, buf, (size_t)n) == n;
	ok = ok && n == 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (!ok)
		tfail(t, "cannot copy this program to %s: %s", to, strerror(errno));
	return ok;
}

static bool make_rootfs(struct tctx *t, const char *r)
{
	static const char *const dirs[] = {"",	       "/bin",		"/var",
					   "/var/lib", "/var/lib/dpkg", "/var/lib/dpkg/info"};
	char p[1200];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", r, dirs[i]);
		if (mkdir(p, 0755) && errno != EEXIST) {
			tfail(t, "mkdir %s: %s", p, strerror(errno));
			return false;
		}
	}
	snprintf(p, sizeof(p), "%s/bin/app", r);
	if (!copy_self(t, p))
		return false;
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/status", r);
	if (put_file(p, "Package: rootapp\nStatus: install ok installed\nArchitecture: all\n"
			"Version: 2.0-1\n\nPackage: rootunused\nStatus: install ok installed\n"
			"Architecture: all\nVersion: 1.0\n") != 0)
		return false;
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/info/rootapp.list", r);
	if (put_file(p, "/.\n/bin\n/bin/app\n") != 0)
		return false;
	snprintf(p, sizeof(p), "%s/var/lib/dpkg/info/rootunused.list", r);
	return put_file(p, "/.\n/bin\n/bin/unused\n") == 0;
}

static void check_chroot_vuln(struct tctx *t, const char *state, const char *scope)
{
	char report[1024];
	const char *args[] = {"--state-dir", state,	 "--scope", scope, "-i",
			      report,	     "--format", "json",    NULL};
	json_t *j, *f, *ev;

	pjoin(report, sizeof(report), t->tmpdir, "trivy.json");
	if (put_file(report,
		     "{\"Results\": [{\"Class\": \"os-pkgs\", \"Vulnerabilities\": ["
		     "{\"VulnerabilityID\": \"CVE-TEST-9101\", \"PkgName\": \"rootapp\", "
		     "\"InstalledVersion\": \"2.0-1\", \"Severity\": \"LOW\"},"
		     "{\"VulnerabilityID\": \"CVE-TEST-9102\", \"PkgName\": \"rootunused\", "
		     "\"InstalledVersion\": \"1.0\", \"Severity\": \"HIGH\"}]}]}\n") != 0) {
		tfail(t, "cannot write %s", report);
		return;
	}
	if (!(j = vuln_json(t, args)))
		return;
	f = json_object_get(j, "findings");
	expect_member(t, j, "report", "scope", scope);
	expect_member(t, by_id(f, "CVE-TEST-9101"), "rootapp", "status", "in_use");
	expect_member(t, by_id(f, "CVE-TEST-9102"), "rootunused", "status", "not_in_use");
	ev = json_array_get(json_object_get(by_id(f, "CVE-TEST-9101"), "evidence"), 0);
	expect_member(t, ev, "rootapp evidence", "path", "/bin/app");
	json_decref(j);
}

void test_inventory_chroot(struct tctx *t)
{
	char root[1024], state[1024], scope[1100], hostpath[1100];
	const char *args[] = {"--filter", "execve", "--state-dir", state, NULL};
	struct inv_row r;
	struct stats s;
	pid_t pid;

	pjoin(root, sizeof(root), t->tmpdir, "rootfs");
	pjoin(state, sizeof(state), t->tmpdir, "state");
	snprintf(scope, sizeof(scope), "root:%s", root);
	snprintf(hostpath, sizeof(hostpath), "%s/bin/app", root);
	if (!make_rootfs(t, root))
		return;
	t->agent = start_own(t, args);
	if (!t->agent)
		return;
	t->from = agent_seq(t->agent);
	pid = spawn(t, child_chroot, root);
	if (pid > 0 && expect_row(t, state, scope, "/bin/app", "exec", &r)) {
		expect_true(t, r.pid == pid, "/bin/app: pid %lld, want %d", r.pid, pid);
		db_row(state, "host", hostpath, &r);
		expect_true(t, !r.found, "%s is in the host's scope too", hostpath);
		db_row(state, "host", "/bin/app", &r);
		expect_true(t, !r.found, "/bin/app is in the host's scope");
	}
	kill_reap(pid);
	stop_and_check(t, t->agent, SIGINT, &s);
	agent_free(t->agent);
	t->agent = NULL;
	if (!tfailed(t))
		check_chroot_vuln(t, state, scope);
}

/* ---- inventory_bad_state_dir ---------------------------------------------------------- */

/* A state directory that cannot be created: said on stderr, the agent runs
 * on (and reports events) without the inventory. --state-dir with
 * --no-inventory is a usage error. */
void test_inventory_bad_state_dir(struct tctx *t)
{
	static const char *const args[] = {"--filter", "execve", "--state-dir",
					   "/proc/vigil-no-such-dir/state", NULL};
	const char *both[] = {vigil_path(),	"run", "--state-dir", t->tmpdir,
			      "--no-inventory", NULL};
	struct capture *c = calloc(1, sizeof(*c));
	char *err = malloc(65536);
	struct stats s;
	json_t *ev, *st;
	pid_t pid;

	if (!c || !err)
		goto out;
	t->agent = start_own(t, args);
	if (!t->agent)
		goto out;
	t->from = agent_seq(t->agent);
	agent_stderr(t->agent, err, 65536);
	expect_true(t,
		    strstr(err, "/proc/vigil-no-such-dir/state") &&
			strstr(err, "running without the runtime inventory"),
		    "stderr does not say the inventory is off: %.300s", err);
	pid = spawn(t, child_exec_prog, "/bin/true");
	reap(pid, EVENT_TIMEOUT_MS);
	ev = WAIT_EV(t, .type = "execve", .pid = pid);
	json_decref(ev);
	stop_and_check(t, t->agent, SIGINT, &s);
	agent_stderr(t->agent, err, 65536);
	st = parse_stats_line(err);
	expect_true(t, st && !json_object_get(st, "inventory"),
		    "the stats line has inventory counters");
	json_decref(st);
	agent_free(t->agent);
	t->agent = NULL;

	c->argv = both;
	c->timeout_ms = 30000;
	run_capture(c);
	expect_true(t, exit_code(c->status) == 2 && strstr(c->err, "--no-inventory"),
		    "--state-dir with --no-inventory: exit %d, %.200s", exit_code(c->status),
		    c->err);
out:
	free(c);
	free(err);
}
