/* event_types.c - one table describing every event type Vigil emits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "event_types.h"

#define A(n, i, f)                                                                                 \
	{                                                                                          \
		n, i, VIGIL_AF_##f                                                                 \
	}
#define T(id, nm, fam, ...) [VIGIL_EVT_##id] = {.name = nm, .family = VIGIL_FAM_##fam, __VA_ARGS__}

static const struct vigil_type_desc types[VIGIL_EVT_MAX] = {
    T(EXECVE, "execve", PROCESS),
    T(EXECVEAT, "execveat", PROCESS, .args = {A("dirfd", 0, FD), A("flags", 4, AT_FLAGS)}),
    T(CLONE, "clone", PROCESS,
      .args = {A("child_tid", VIGIL_CLONE_ARG_CHILD_TID, UINT),
	       A("child_pid", VIGIL_CLONE_ARG_CHILD_PID, UINT)}),
    T(PROCEXIT, "procexit", PROCESS),

    T(SETUID, "setuid", CRED,
      .args = {A("uid", 0, UINT), A("old_uid", 3, UINT), A("old_euid", 4, UINT),
	       A("old_suid", 5, UINT)}),
    T(SETGID, "setgid", CRED,
      .args = {A("gid", 0, UINT), A("old_gid", 3, UINT), A("old_egid", 4, UINT),
	       A("old_sgid", 5, UINT)}),
    T(SETREUID, "setreuid", CRED,
      .args = {A("ruid", 0, INT), A("euid", 1, INT), A("old_uid", 3, UINT), A("old_euid", 4, UINT),
	       A("old_suid", 5, UINT)}),
    T(SETREGID, "setregid", CRED,
      .args = {A("rgid", 0, INT), A("egid", 1, INT), A("old_gid", 3, UINT), A("old_egid", 4, UINT),
	       A("old_sgid", 5, UINT)}),
    T(SETRESUID, "setresuid", CRED,
      .args = {A("ruid", 0, INT), A("euid", 1, INT), A("suid", 2, INT), A("old_uid", 3, UINT),
	       A("old_euid", 4, UINT), A("old_suid", 5, UINT)}),
    T(SETRESGID, "setresgid", CRED,
      .args = {A("rgid", 0, INT), A("egid", 1, INT), A("sgid", 2, INT), A("old_gid", 3, UINT),
	       A("old_egid", 4, UINT), A("old_sgid", 5, UINT)}),
    T(CAPSET, "capset", CRED,
      .args = {A("cap_effective", 2, CAPS), A("cap_permitted", 3, CAPS),
	       A("old_cap_effective", 4, CAPS), A("old_cap_permitted", 5, CAPS)}),

    T(OPEN, "open", FILE, .fd_in_ret = true,
      .args = {A("flags", 1, OPEN_FLAGS), A("mode", 2, OCTAL)}),
    T(OPENAT, "openat", FILE, .fd_in_ret = true,
      .args = {A("dirfd", 0, FD), A("flags", 2, OPEN_FLAGS), A("mode", 3, OCTAL)}),
    T(OPENAT2, "openat2", FILE, .fd_in_ret = true,
      .args = {A("dirfd", 0, FD), A("flags", 2, OPEN_FLAGS), A("mode", 3, OCTAL),
	       A("resolve", 4, HEX)}),
    T(CREAT, "creat", FILE, .fd_in_ret = true, .args = {A("mode", 1, OCTAL)}),
    T(UNLINK, "unlink", FILE),
    T(UNLINKAT, "unlinkat", FILE, .args = {A("dirfd", 0, FD), A("flags", 2, AT_FLAGS)}),
    T(RENAME, "rename", FILE, .path2 = VIGIL_P2_NEWPATH),
    T(RENAMEAT, "renameat", FILE, .path2 = VIGIL_P2_NEWPATH,
      .args = {A("olddirfd", 0, FD), A("newdirfd", 2, FD)}),
    T(RENAMEAT2, "renameat2", FILE, .path2 = VIGIL_P2_NEWPATH,
      .args = {A("olddirfd", 0, FD), A("newdirfd", 2, FD), A("flags", 4, HEX)}),
    T(CHMOD, "chmod", FILE, .args = {A("mode", 1, OCTAL)}),
    T(FCHMOD, "fchmod", FILE, .fd_in_arg0 = true, .args = {A("fd", 0, FD), A("mode", 1, OCTAL)}),
    T(FCHMODAT, "fchmodat", FILE, .args = {A("dirfd", 0, FD), A("mode", 2, OCTAL)}),
    T(CHOWN, "chown", FILE, .args = {A("uid", 1, INT), A("gid", 2, INT)}),
    T(LCHOWN, "lchown", FILE, .args = {A("uid", 1, INT), A("gid", 2, INT)}),
    T(FCHOWN, "fchown", FILE, .fd_in_arg0 = true,
      .args = {A("fd", 0, FD), A("uid", 1, INT), A("gid", 2, INT)}),
    T(FCHOWNAT, "fchownat", FILE,
      .args = {A("dirfd", 0, FD), A("uid", 2, INT), A("gid", 3, INT), A("flags", 4, AT_FLAGS)}),
    T(MKDIR, "mkdir", FILE, .args = {A("mode", 1, OCTAL)}),
    T(MKDIRAT, "mkdirat", FILE, .args = {A("dirfd", 0, FD), A("mode", 2, OCTAL)}),
    T(SYMLINK, "symlink", FILE, .path2 = VIGIL_P2_LINK),
    T(SYMLINKAT, "symlinkat", FILE, .path2 = VIGIL_P2_LINK, .args = {A("newdirfd", 1, FD)}),
    T(LINK, "link", FILE, .path2 = VIGIL_P2_NEWPATH),
    T(LINKAT, "linkat", FILE, .path2 = VIGIL_P2_NEWPATH,
      .args = {A("olddirfd", 0, FD), A("newdirfd", 2, FD), A("flags", 4, AT_FLAGS)}),
    T(TRUNCATE, "truncate", FILE, .args = {A("length", 1, LONG)}),
    T(FTRUNCATE, "ftruncate", FILE, .fd_in_arg0 = true,
      .args = {A("fd", 0, FD), A("length", 1, LONG)}),

    T(SOCKET, "socket", NET, .fd_in_ret = true,
      .args = {A("domain", 0, SOCK_DOMAIN), A("type", 1, SOCK_TYPE), A("proto", 2, INT)}),
    T(CONNECT, "connect", NET, .fd_in_arg0 = true, .args = {A("fd", 0, FD)}),
    T(ACCEPT, "accept", NET, .fd_in_ret = true, .args = {A("listen_fd", 0, FD)}),
    T(ACCEPT4, "accept4", NET, .fd_in_ret = true,
      .args = {A("listen_fd", 0, FD), A("flags", 3, HEX)}),
    T(BIND, "bind", NET, .fd_in_arg0 = true, .args = {A("fd", 0, FD)}),
    T(LISTEN, "listen", NET, .fd_in_arg0 = true, .args = {A("fd", 0, FD), A("backlog", 1, INT)}),

    T(PTRACE, "ptrace", KERNEL, .args = {A("request", 0, PTRACE_REQ), A("pid", 1, INT)}),
    T(INIT_MODULE, "init_module", KERNEL, .data_name = "params", .args = {A("len", 1, UINT)}),
    T(FINIT_MODULE, "finit_module", KERNEL, .fd_in_arg0 = true, .data_name = "params",
      .args = {A("fd", 0, FD), A("flags", 2, HEX)}),
    T(BPF, "bpf", KERNEL, .data_name = "prog_name",
      .args = {A("cmd", 0, BPF_CMD), A("prog_type", 3, UINT)}),
    T(MOUNT, "mount", KERNEL, .path2 = VIGIL_P2_MOUNT, .args = {A("flags", 3, MOUNT_FLAGS)}),
    T(UMOUNT2, "umount2", KERNEL, .args = {A("flags", 1, HEX)}),
    T(UNSHARE, "unshare", KERNEL, .args = {A("flags", 0, CLONE_FLAGS)}),
    T(SETNS, "setns", KERNEL, .fd_in_arg0 = true,
      .args = {A("fd", 0, FD), A("nstype", 1, CLONE_FLAGS)}),
    T(MEMFD_CREATE, "memfd_create", KERNEL, .fd_in_ret = true, .data_name = "name",
      .args = {A("flags", 1, MEMFD_FLAGS)}),
    T(KILL, "kill", KERNEL, .args = {A("pid", 0, INT), A("sig", 1, INT)}),
    T(TKILL, "tkill", KERNEL, .args = {A("tid", 0, INT), A("sig", 1, INT)}),
    T(TGKILL, "tgkill", KERNEL, .args = {A("pid", 0, INT), A("tid", 1, INT), A("sig", 2, INT)}),
    /* a file mapped for execution (the runtime inventory); evt.rawres is the
     * address; evt.arg.fd -1 is the ELF interpreter mapped by the kernel at
     * exec. Printed only when named (not by `all` or its family). */
    T(MMAP, "mmap", FILE,
      .args = {A("addr", 0, HEX), A("length", 1, UINT), A("prot", 2, PROT_FLAGS),
	       A("flags", 3, MAP_FLAGS), A("fd", 4, FD), A("offset", 5, UINT)}),
    /* enforcement decisions: written as policy alerts, never as events */
    T(POLICY, "vigil_policy", KERNEL),
};

static const char *const family_names[VIGIL_FAM_COUNT] = {
    [VIGIL_FAM_PROCESS] = "process", [VIGIL_FAM_CRED] = "cred",	    [VIGIL_FAM_FILE] = "file",
    [VIGIL_FAM_NET] = "network",     [VIGIL_FAM_KERNEL] = "kernel",
};

const struct vigil_type_desc *vigil_type_desc(uint32_t type)
{
	if (type == VIGIL_EVT_NONE || type >= VIGIL_EVT_MAX || !types[type].name)
		return NULL;
	return &types[type];
}

const char *vigil_type_name(uint32_t type)
{
	const struct vigil_type_desc *d = vigil_type_desc(type);

	return d ? d->name : "unknown";
}

uint32_t vigil_type_by_name(const char *name)
{
	for (uint32_t t = 1; t < VIGIL_EVT_MAX; t++)
		if (types[t].name && strcmp(types[t].name, name) == 0)
			return t;
	return VIGIL_EVT_NONE;
}

const char *vigil_family_name(enum vigil_family f)
{
	return f < VIGIL_FAM_COUNT ? family_names[f] : "unknown";
}

static int family_by_name(const char *name)
{
	for (int f = 0; f < VIGIL_FAM_COUNT; f++)
		if (strcmp(family_names[f], name) == 0)
			return f;
	return -1;
}

static int mark_word(const char *word, bool wanted[VIGIL_EVT_MAX])
{
	uint32_t t = vigil_type_by_name(word);
	int fam;

	if (t != VIGIL_EVT_NONE) {
		wanted[t] = true;
		return 0;
	}
	/* mmap (one event per library a process loads) only when named */
	if (strcmp(word, "all") == 0) {
		for (t = 1; t < VIGIL_EVT_MAX; t++)
			wanted[t] |= t != VIGIL_EVT_MMAP;
		return 0;
	}
	fam = family_by_name(word);
	if (fam < 0)
		return -EINVAL;
	for (t = 1; t < VIGIL_EVT_MAX; t++)
		if (types[t].name && types[t].family == fam && t != VIGIL_EVT_POLICY &&
		    t != VIGIL_EVT_MMAP)
			wanted[t] = true;
	return 0;
}

int vigil_parse_type_list(const char *list, bool wanted[VIGIL_EVT_MAX], const char **bad)
{
	static char badword[64];
	char word[64];
	size_t n = 0;

	for (const char *p = list;; p++) {
		if (*p != ',' && *p != '\0') {
			if (n + 1 < sizeof(word))
				word[n++] = *p;
			continue;
		}
		word[n] = '\0';
		if (n == 0 || mark_word(word, wanted)) {
			snprintf(badword, sizeof(badword), "%s", word);
			*bad = badword;
			return -EINVAL;
		}
		n = 0;
		if (*p == '\0')
			return 0;
	}
}
