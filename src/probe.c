/* probe.c - trial loads of probe.bpf.c's programs, one feature at a time. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "container.h"
#include "loader.h"
#include "mitigations.h"
#include "probe.h"
#include "probe.skel.h"

/* A function the uprobe trial attaches to; noinline keeps its symbol. */
__attribute__((noinline, used)) int vigil_probe_uprobe_target(int x)
{
	return x + 1;
}

static int attach_cgroup(struct bpf_program *prog, struct bpf_link **link)
{
	struct vigil_cgroups *cg = vigil_cgroups_new(NULL);
	char dir[VIGIL_CGROUP_PATH_MAX + 64];
	int fd, err = -ENOENT;

	if (!cg)
		return -ENOMEM;
	if (vigil_cgroups_mount(cg)[0]) {
		snprintf(dir, sizeof(dir), "%s/vigil-probe-%d", vigil_cgroups_mount(cg), getpid());
		mkdir(dir, 0700);
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			*link = bpf_program__attach_cgroup(prog, fd);
			err = *link ? 0 : -errno;
			close(fd);
			bpf_link__destroy(*link);
			*link = NULL;
		}
		rmdir(dir);
	}
	vigil_cgroups_free(cg);
	return err;
}

static int attach_uprobe(struct bpf_program *prog, struct bpf_link **link)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "vigil_probe_uprobe_target");
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	*link = bpf_program__attach_uprobe_opts(prog, getpid(), exe, 0, &opts);
	return *link ? 0 : -errno;
}

/* Loads and attaches one program alone; 0 when both worked. */
static int try_program(const char *name, char *why, size_t whysz)
{
	struct vigil_probe *skel = vigil_probe__open();
	struct bpf_program *prog, *p;
	struct bpf_link *link = NULL;
	int err;

	if (!skel)
		return -errno;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, p == prog);
	err = bpf_object__load(skel->obj);
	if (!err) {
		if (strcmp(name, "probe_cgroup_connect4") == 0)
			err = attach_cgroup(prog, &link);
		else if (strcmp(name, "probe_uprobe") == 0)
			err = attach_uprobe(prog, &link);
		else
			err = (link = bpf_program__attach(prog)) ? 0 : -errno;
	}
	if (err && why)
		snprintf(why, whysz, "%s", strerror(-err));
	bpf_link__destroy(link);
	vigil_probe__destroy(skel);
	return err;
}

static void read_lsm_list(struct vigil_features *f)
{
	const char *path = "/sys/kernel/security/lsm";
	FILE *fp;

	if (access(path, R_OK) != 0)
		mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL);
	fp = fopen(path, "r");
	if (!fp)
		return;
	if (fgets(f->lsm_list, sizeof(f->lsm_list), fp))
		f->lsm_list[strcspn(f->lsm_list, "\n")] = '\0';
	fclose(fp);
	for (char *tok = f->lsm_list; tok && *tok;
	     tok = strchr(tok, ',') ? strchr(tok, ',') + 1 : NULL)
		if (strncmp(tok, "bpf", 3) == 0 && (tok[3] == ',' || tok[3] == '\0'))
			f->bpf_lsm_enabled = true;
}

static void probe_btf(struct vigil_features *f)
{
	struct btf *btf = btf__load_vmlinux_btf();

	f->btf = btf != NULL;
	if (btf) {
		f->bpf_lsm_compiled =
		    btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC) >= 0;
		btf__free(btf);
	}
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Whether this kernel has one of the LSM hooks in `hooks` ("lsm/a,b"). */
static bool has_lsm_hook(const char *hooks)
{
	char list[128], *save = NULL;

	if (strncmp(hooks, "lsm/", 4) != 0)
		return true;
	snprintf(list, sizeof(list), "%s", hooks + 4);
	for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save))
		if (libbpf_find_vmlinux_btf_id(h, BPF_LSM_MAC) >= 0)
			return true;
	return false;
}

uint64_t vigil_probe_mitigations_without_lsm_hook(void)
{
	uint64_t missing = 0;

	for (size_t i = 0; i < vigil_nmitigations; i++)
		if (vigil_mitigations[i].mech == VIGIL_MECH_LSM &&
		    !has_lsm_hook(vigil_mitigations[i].hook))
			missing |= UINT64_C(1) << vigil_mitigations[i].id;
	return missing;
}

void vigil_probe_features(struct vigil_features *f)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (uname(&u) == 0)
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	vigil_ensure_tracefs();
	probe_btf(f);
	read_lsm_list(f);
	f->tracepoint = try_program("probe_tracepoint", NULL, 0) == 0;
	f->ringbuf = try_program("probe_ringbuf", NULL, 0) == 0;
	f->raw_tp = try_program("probe_raw_tp", NULL, 0) == 0;
	f->tp_btf = try_program("probe_tp_btf", NULL, 0) == 0;
	f->fentry = try_program("probe_fentry", f->fentry_error, sizeof(f->fentry_error)) == 0;
	f->lsm_active =
	    f->bpf_lsm_enabled && try_program("probe_lsm", f->lsm_error, sizeof(f->lsm_error)) == 0;
	if (!f->bpf_lsm_enabled)
		snprintf(f->lsm_error, sizeof(f->lsm_error), "bpf is not in the active LSM list");
	if (f->lsm_active)
		f->lsm_hooks_missing = vigil_probe_mitigations_without_lsm_hook();
	f->cgroup_sock_addr = try_program("probe_cgroup_connect4", NULL, 0) == 0;
	f->uprobe = try_program("probe_uprobe", NULL, 0) == 0;
	libbpf_set_print(old);
}

bool vigil_probe_fentry(void)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	bool ok = try_program("probe_fentry", NULL, 0) == 0;

	libbpf_set_print(old);
	return ok;
}

bool vigil_probe_lsm(char *why, size_t whysz)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	struct vigil_features f = {0};
	bool ok;

	read_lsm_list(&f);
	ok = f.bpf_lsm_enabled && try_program("probe_lsm", why, whysz) == 0;
	if (!f.bpf_lsm_enabled)
		snprintf(why, whysz, "bpf is not in the active LSM list (%s)",
			 f.lsm_list[0] ? f.lsm_list : "unknown");
	libbpf_set_print(old);
	return ok;
}

static void line(FILE *out, const char *name, bool v, const char *why)
{
	fprintf(out, "%-18s %s%s%s%s\n", name, v ? "yes" : "no", !v && why && *why ? " (" : "",
		!v && why && *why ? why : "", !v && why && *why ? ")" : "");
}

void vigil_probe_print(const struct vigil_features *f, FILE *out, bool json)
{
	if (json) {
		fprintf(out,
			"{\"kernel\":\"%s\",\"btf\":%s,\"ringbuf\":%s,\"tracepoint\":%s,"
			"\"raw_tp\":%s,\"tp_btf\":%s,\"fentry\":%s,\"bpf_lsm_compiled\":%s,"
			"\"bpf_lsm_enabled\":%s,\"lsm_active\":%s,\"cgroup_sock_addr\":%s,"
			"\"uprobe\":%s,\"lsm_list\":\"%s\"}\n",
			f->kernel, f->btf ? "true" : "false", f->ringbuf ? "true" : "false",
			f->tracepoint ? "true" : "false", f->raw_tp ? "true" : "false",
			f->tp_btf ? "true" : "false", f->fentry ? "true" : "false",
			f->bpf_lsm_compiled ? "true" : "false",
			f->bpf_lsm_enabled ? "true" : "false", f->lsm_active ? "true" : "false",
			f->cgroup_sock_addr ? "true" : "false", f->uprobe ? "true" : "false",
			f->lsm_list);
		return;
	}
	fprintf(out, "%-18s %s\n", "kernel", f->kernel);
	line(out, "btf", f->btf, "no /sys/kernel/btf/vmlinux");
	line(out, "ringbuf", f->ringbuf, NULL);
	line(out, "tracepoint", f->tracepoint, NULL);
	line(out, "raw_tp", f->raw_tp, NULL);
	line(out, "tp_btf", f->tp_btf, NULL);
	line(out, "fentry", f->fentry, f->fentry_error);
	line(out, "bpf_lsm_compiled", f->bpf_lsm_compiled, NULL);
	line(out, "lsm_active", f->lsm_active, f->lsm_error);
	line(out, "cgroup_sock_addr", f->cgroup_sock_addr, NULL);
	line(out, "uprobe", f->uprobe, NULL);
	fprintf(out, "%-18s %s\n", "active lsm list", f->lsm_list[0] ? f->lsm_list : "(unknown)");
	if (!f->lsm_active)
		fprintf(out, "note: BPF LSM is not active here: enforcement falls back to cgroup "
			     "socket hooks and kill-on-syscall (see README).\n");
}
