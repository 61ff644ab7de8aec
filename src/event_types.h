/* event_types.h - the event vocabulary: Falco names, families, and which
 * syscall arguments each type reports (used by the JSON encoder and --filter). */
#ifndef VIGIL_EVENT_TYPES_H
#define VIGIL_EVENT_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include "vigil_abi.h"

enum vigil_family {
	VIGIL_FAM_PROCESS,
	VIGIL_FAM_CRED,
	VIGIL_FAM_FILE,
	VIGIL_FAM_NET,
	VIGIL_FAM_KERNEL,
	VIGIL_FAM_COUNT,
};

/* How an integer argument is rendered. */
enum vigil_arg_fmt {
	VIGIL_AF_NONE = 0,
	VIGIL_AF_INT,	/* signed 32-bit decimal */
	VIGIL_AF_LONG,	/* signed 64-bit decimal */
	VIGIL_AF_UINT,	/* unsigned decimal */
	VIGIL_AF_FD,	/* int, AT_FDCWD shown as -100 */
	VIGIL_AF_OCTAL, /* "0644" */
	VIGIL_AF_HEX,	/* "0x..." */
	VIGIL_AF_OPEN_FLAGS,
	VIGIL_AF_AT_FLAGS,
	VIGIL_AF_CLONE_FLAGS, /* unshare, setns */
	VIGIL_AF_MOUNT_FLAGS,
	VIGIL_AF_MEMFD_FLAGS,
	VIGIL_AF_SOCK_DOMAIN,
	VIGIL_AF_SOCK_TYPE,
	VIGIL_AF_PTRACE_REQ,
	VIGIL_AF_BPF_CMD,
	VIGIL_AF_CAPS,	     /* capability mask as "CAP_A|CAP_B" */
	VIGIL_AF_PROT_FLAGS, /* mmap prot: "PROT_READ|PROT_EXEC" */
	VIGIL_AF_MAP_FLAGS,  /* mmap flags: "MAP_PRIVATE|MAP_DENYWRITE" */
};

struct vigil_arg_desc {
	const char *name; /* JSON key after "evt.arg." */
	uint8_t index;	  /* hdr.args[index] */
	uint8_t fmt;	  /* enum vigil_arg_fmt */
};

#define VIGIL_TYPE_MAX_ARGS 6

/* What the second path of a two-path syscall is called. */
enum vigil_path2_role {
	VIGIL_P2_NONE = 0,
	VIGIL_P2_NEWPATH, /* rename, link: evt.arg.newpath(raw) */
	VIGIL_P2_LINK,	  /* symlink: the second path is the link (fd.name); the first is content */
	VIGIL_P2_MOUNT,	  /* mount: the first is the source, the second the target (fd.name) */
};

struct vigil_type_desc {
	const char *name; /* Falco evt.type */
	uint8_t family;
	uint8_t path2;	       /* enum vigil_path2_role */
	bool fd_in_ret;	       /* the result is a new fd (fd.num) */
	bool fd_in_arg0;       /* args[0] is the fd operated on (fd.num) */
	const char *data_name; /* JSON key for VIGIL_F_DATA, NULL if unused */
	struct vigil_arg_desc args[VIGIL_TYPE_MAX_ARGS];
};

const struct vigil_type_desc *vigil_type_desc(uint32_t type);
const char *vigil_type_name(uint32_t type);
/* Type by Falco name; 0 (VIGIL_EVT_NONE) when unknown. */
uint32_t vigil_type_by_name(const char *name);
const char *vigil_family_name(enum vigil_family f);

/* Parses "openat,connect,file" (types or family names) into wanted[].
 * On error returns -EINVAL and points *bad at the offending word (static buffer). */
int vigil_parse_type_list(const char *list, bool wanted[VIGIL_EVT_MAX], const char **bad);

#endif /* VIGIL_EVENT_TYPES_H */
