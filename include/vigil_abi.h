/* vigil_abi.h - the kernel/user event ABI shared by bpf/ and src/.
 *
 * An event is one record in the ring buffer:
 *   struct vigil_event_hdr   common header (who, when, where, result)
 *   __u64 args[VIGIL_MAX_ARGS]  syscall-specific integers, meaning per type
 *   zero or more variable fields, each a struct vigil_field followed by
 *   `len` bytes of payload, padded to 8 bytes.
 * hdr.size is the total record size; user space walks fields up to it.
 */
#ifndef VIGIL_ABI_H
#define VIGIL_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VIGIL_COMM_LEN 16
#define VIGIL_MAX_ARGS 6
/* Largest record the kernel emits; longer strings are truncated. */
#define VIGIL_EVENT_MAX 16384
/* argv bytes kept per exec (NUL-separated); the documented limit. */
#define VIGIL_ARGV_MAX 4096
/* Longest single string (raw path, fs type, memfd name...). */
#define VIGIL_STR_MAX 1024
/* Path resolution from kernel dentries: components and bytes kept. */
#define VIGIL_PATH_DEPTH   48
#define VIGIL_PATH_MAX	   4096
#define VIGIL_SOCKADDR_MAX 112

/* Event types. Names (Falco's evt.type) live in src/event_types.c. */
enum vigil_event_type {
	VIGIL_EVT_NONE = 0,
	/* process */
	VIGIL_EVT_EXECVE,
	VIGIL_EVT_EXECVEAT,
	VIGIL_EVT_CLONE,
	VIGIL_EVT_PROCEXIT,
	/* credentials */
	VIGIL_EVT_SETUID,
	VIGIL_EVT_SETGID,
	VIGIL_EVT_SETREUID,
	VIGIL_EVT_SETREGID,
	VIGIL_EVT_SETRESUID,
	VIGIL_EVT_SETRESGID,
	VIGIL_EVT_CAPSET,
	/* file */
	VIGIL_EVT_OPEN,
	VIGIL_EVT_OPENAT,
	VIGIL_EVT_OPENAT2,
	VIGIL_EVT_CREAT,
	VIGIL_EVT_UNLINK,
	VIGIL_EVT_UNLINKAT,
	VIGIL_EVT_RENAME,
	VIGIL_EVT_RENAMEAT,
	VIGIL_EVT_RENAMEAT2,
	VIGIL_EVT_CHMOD,
	VIGIL_EVT_FCHMOD,
	VIGIL_EVT_FCHMODAT,
	VIGIL_EVT_CHOWN,
	VIGIL_EVT_LCHOWN,
	VIGIL_EVT_FCHOWN,
	VIGIL_EVT_FCHOWNAT,
	VIGIL_EVT_MKDIR,
	VIGIL_EVT_MKDIRAT,
	VIGIL_EVT_SYMLINK,
	VIGIL_EVT_SYMLINKAT,
	VIGIL_EVT_LINK,
	VIGIL_EVT_LINKAT,
	VIGIL_EVT_TRUNCATE,
	VIGIL_EVT_FTRUNCATE,
	/* network */
	VIGIL_EVT_SOCKET,
	VIGIL_EVT_CONNECT,
	VIGIL_EVT_ACCEPT,
	VIGIL_EVT_ACCEPT4,
	VIGIL_EVT_BIND,
	VIGIL_EVT_LISTEN,
	/* kernel and isolation */
	VIGIL_EVT_PTRACE,
	VIGIL_EVT_INIT_MODULE,
	VIGIL_EVT_FINIT_MODULE,
	VIGIL_EVT_BPF,
	VIGIL_EVT_MOUNT,
	VIGIL_EVT_UMOUNT2,
	VIGIL_EVT_UNSHARE,
	VIGIL_EVT_SETNS,
	VIGIL_EVT_MEMFD_CREATE,
	VIGIL_EVT_KILL,
	VIGIL_EVT_TKILL,
	VIGIL_EVT_TGKILL,
	/* a file mapped for execution (runtime inventory; see bpf/inventory.bpf.c) */
	VIGIL_EVT_MMAP,
	/* enforcement: a policy decision (block, audit, kill); not filtered */
	VIGIL_EVT_POLICY,
	VIGIL_EVT_MAX,
};

/* Variable field ids: what a payload means. */
enum vigil_field_id {
	VIGIL_F_NAME = 1,  /* main object path (fd.name), PATH or STR */
	VIGIL_F_NAMERAW,   /* caller's own string (fd.nameraw), STR */
	VIGIL_F_DIRPATH,   /* directory a relative NAMERAW is resolved in, PATH */
	VIGIL_F_TARGET,	   /* second path: rename/link/symlink target, STR */
	VIGIL_F_TARGETDIR, /* directory a relative TARGET is resolved in, PATH */
	VIGIL_F_EXE,	   /* resolved executable, PATH */
	VIGIL_F_ARGV,	   /* NUL-separated argv, ARGV */
	VIGIL_F_CWD,	   /* working directory, PATH */
	VIGIL_F_SOCKADDR,  /* struct sockaddr as passed by the caller */
	VIGIL_F_SOCK,	   /* struct vigil_sockinfo read from the kernel socket */
	VIGIL_F_FSTYPE,	   /* mount fs type, STR */
	VIGIL_F_DATA,	   /* free string: module params, memfd name, bpf prog name */
	VIGIL_F_EXECINFO,  /* struct vigil_execinfo, on exec events */
	VIGIL_F_NET_ADDR,  /* policy events: family, 0, port (big endian), 16 address bytes */
};

/* Payload encodings. */
enum vigil_field_kind {
	VIGIL_K_STR = 1, /* NUL-terminated string */
	VIGIL_K_PATH,	 /* dentry names leaf first, each NUL-terminated */
	VIGIL_K_BYTES,	 /* raw bytes */
};

/* PATH flags (vigil_field.flags). */
#define VIGIL_PATH_TRUNCATED 0x1 /* walk stopped before the root */
#define VIGIL_PATH_DELETED   0x2 /* the file was unlinked (or never linked: memfd) */

struct vigil_field {
	__u8 id;
	__u8 kind;
	__u8 flags;
	__u8 pad;
	__u32 len; /* payload bytes, excluding padding */
};

struct vigil_event_hdr {
	__u32 type;
	__u32 size;    /* whole record, header included */
	__u64 ts_mono; /* CLOCK_MONOTONIC ns */
	__u64 cgroup_id;
	__s64 ret; /* syscall return value, or exit status for procexit */
	__u32 tid;
	__u32 pid;  /* thread-group id */
	__u32 ppid; /* real parent's thread-group id */
	__u32 vpid; /* pid inside the process's own pid namespace */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;
	__u32 pidns;
	__u32 mntns;
	__u32 netns;
	__u32 flags; /* VIGIL_HDR_* */
	__u32 pad;
	char comm[VIGIL_COMM_LEN];
	__u64 args[VIGIL_MAX_ARGS];
};

#define VIGIL_HDR_HAS_RET 0x1 /* ret is meaningful */

/* VIGIL_F_SOCK payload: addresses as the kernel socket holds them. */
struct vigil_sockinfo {
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 lport; /* host order */
	__u16 rport; /* host order */
	__u16 pad[3];
	__u8 laddr[16];
	__u8 raddr[16];
};

/* VIGIL_F_EXECINFO payload: facts about the new program, read at exec. */
struct vigil_execinfo {
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_inheritable;
	__u64 exe_ino;
	__u64 exe_ctime_ns; /* inode change time of the executable, CLOCK_REALTIME */
	__u64 exe_mtime_ns;
	__u32 exe_dev;
	__u32 tty;   /* controlling tty as /proc/PID/stat's tty_nr, 0 for none */
	__u32 sid;   /* session id */
	__u32 flags; /* VIGIL_EXEC_* */
};

#define VIGIL_EXEC_FROM_MEMFD 0x1 /* the executable is a memfd (fileless) */

/* args[] meaning for the types that user space decodes specially. */
#define VIGIL_CLONE_ARG_CHILD_TID 0
#define VIGIL_CLONE_ARG_CHILD_PID 1
#define VIGIL_CLONE_ARG_IS_THREAD 2
#define VIGIL_EXIT_ARG_CODE	  0 /* raw exit_code: status<<8 | signal */
/* mmap: the syscall's (addr, len, prot, flags, fd, offset); fd is -1 for the
 * ELF interpreter, which the kernel maps itself at exec. */
#define VIGIL_MMAP_ARG_PROT 2
#define VIGIL_MMAP_ARG_FD   4

/* Kernel-side counters, one slot per CPU (BPF_MAP_TYPE_PERCPU_ARRAY). */
struct vigil_stats {
	__u64 emitted; /* records written to the ring buffer */
	__u64 dropped; /* records lost because the ring buffer was full */
	__u64 path_truncated;
	__u64 read_errors;  /* a helper read failed; the field is missing */
	__u64 filtered;	    /* read-only opens no rule can match, dropped in the kernel */
	__u64 mmap_deduped; /* executable maps of a file the process already reported */
};

/* Key of the read_dirs map: a top-level directory name, NUL-padded (longer
 * names are cut to 15 bytes). The all-zero key switches the filter on. */
#define VIGIL_DIR_KEY_LEN 16

/* Ring buffer size and the fill level above which the reader is woken. */
#define VIGIL_RINGBUF_BYTES (8u << 20)
#define VIGIL_WAKEUP_BYTES  (VIGIL_RINGBUF_BYTES / 8)

/* ---- Enforcement policies, as the kernel sees them (user space compiles
 * src/policy.h's model into these; see src/policy_maps.c). ----
 *
 * Everything lives twice (slot 0 and 1): user space fills the inactive slot,
 * then flips pol_state.slot, so a policy change is atomic and never leaves a
 * window without enforcement. */
#define VIGIL_POL_SLOTS	       2
#define VIGIL_POL_MAX	       64 /* policies per slot */
#define VIGIL_POL_RULES	       64 /* rules per area per slot */
#define VIGIL_POL_AREAS	       9  /* enum vigil_pol_area in src/policy.h */
#define VIGIL_POL_NAME_LEN     48 /* file names are compared on their first 47 bytes */
#define VIGIL_POL_CAPS	       64
#define VIGIL_POL_SIGNALS      65
#define VIGIL_POL_FAMILIES     64
#define VIGIL_POL_DEFAULT_RULE 0xff /* args[3] of a decision made by `default: block` */

/* Areas (args[1] of a policy event); VIGIL_PA_SELF is self-protection. */
enum {
	VIGIL_PA_PROCESS,
	VIGIL_PA_FILE,
	VIGIL_PA_NETWORK,
	VIGIL_PA_CAPABILITIES,
	VIGIL_PA_PTRACE,
	VIGIL_PA_KERNEL_MODULE,
	VIGIL_PA_BPF,
	VIGIL_PA_MOUNT,
	VIGIL_PA_SIGNAL,
	VIGIL_PA_SELF,	     /* detail: the area tampered with (ptrace: aux = target pid;
				bpf: aux = command, or 1 << 32 | map id; signal:
				aux = signal << 32 | target pid; file: the pin path) */
	VIGIL_PA_MITIGATION, /* a virtual patch: rule = its id (VIGIL_MIT_*) */
};

/* Actions (rule actions, and args[2] of a policy event: what was done). */
enum {
	VIGIL_PACT_NONE,
	VIGIL_PACT_ALLOW,
	VIGIL_PACT_AUDIT,
	VIGIL_PACT_BLOCK,
	VIGIL_PACT_KILLED, /* no BPF LSM: the process was killed at the syscall */
};

/* File access bits, as src/policy.h's VIGIL_ACC_*. */
#define VIGIL_PACC_READ	  0x01
#define VIGIL_PACC_WRITE  0x02
#define VIGIL_PACC_EXEC	  0x04
#define VIGIL_PACC_CREATE 0x08
#define VIGIL_PACC_DELETE 0x10
#define VIGIL_PACC_RENAME 0x20
#define VIGIL_PACC_CHMOD  0x40
#define VIGIL_PACC_CHOWN  0x80
#define VIGIL_PACC_BITS	  8

/* Object keys: a file's inode, a (parent directory, name) pair for files
 * that may not exist yet, any entry of a directory, or a directory whose
 * whole subtree is meant. Inodes are resolved when the policy loads, so
 * renames, bind mounts, symlinks and hard links do not evade a rule. */
enum {
	VIGIL_PK_INODE = 1,
	VIGIL_PK_NAME,
	VIGIL_PK_PARENT,
	VIGIL_PK_DIR,
};

struct vigil_pol_obj_key {
	__u32 slot_kind; /* slot << 8 | VIGIL_PK_* */
	__u32 dev;	 /* super_block s_dev (new_encode_dev form, as st_dev) */
	__u64 ino;
	char name[VIGIL_POL_NAME_LEN]; /* VIGIL_PK_NAME only, else zero */
};

struct vigil_pol_obj_val {
	__u64 file_rules;   /* file rules naming this object */
	__u64 proc_rules;   /* process rules naming this executable */
	__u64 parent_rules; /* process rules naming this as the parent's executable */
	__u64 sel;	    /* policies selecting processes running this executable */
	__u64 exempt;	    /* policies exempting them */
};

struct vigil_pol_cg_key {
	__u64 cgid; /* cgroup v2 id (the directory's inode) */
	__u32 slot;
	__u32 pad;
};

struct vigil_pol_cg_val {
	__u64 sel; /* this cgroup and its descendants */
	__u64 exempt;
};

struct vigil_pol_net4_key {
	__u32 prefixlen; /* 8 (slot) + address bits */
	__u8 slot;
	__u8 addr[4];
};

struct vigil_pol_net6_key {
	__u32 prefixlen;
	__u8 slot;
	__u8 addr[16];
};

/* Virtual patches: the ids of src/mitigations.c's catalogue (its table
 * order), bits of the mitigation masks below. Append only. */
enum {
	VIGIL_MIT_USERNS,
	VIGIL_MIT_IO_URING,
	VIGIL_MIT_EMPTY_ARGV,
	VIGIL_MIT_PROC_MEM_WRITE,
	VIGIL_MIT_DCCP_SOCKET,
	VIGIL_MIT_SCTP_SOCKET,
	VIGIL_MIT_TIPC_SOCKET,
	VIGIL_MIT_RDS_SOCKET,
	VIGIL_MIT_AF_ALG_SOCKET,
	VIGIL_MIT_AF_PACKET_UNPRIVILEGED,
	VIGIL_MIT_RELEASE_AGENT,
	VIGIL_MIT_DIRTY_PIPE,
	VIGIL_MIT_OVERLAYFS_USERNS,
	VIGIL_MIT_SETUID_LOADER_ENV,
	VIGIL_MIT_UNPRIVILEGED_BPF,
	VIGIL_MIT_UNPRIVILEGED_PERF_EVENT,
	VIGIL_MIT_MODULE_AUTOLOAD,
	VIGIL_MIT_COUNT,
};

#define VIGIL_MIT_MAX	  32   /* room in the masks and in mit_pols */
#define VIGIL_POL_CMDLINE 0xfe /* policy byte of a decision by `--mitigate` */

/* Mitigations, in the same slotted configuration (see below). */
struct vigil_mit_conf {
	__u64 any;		   /* on for some process: the hooks' first test */
	__u64 all;		   /* on for every process (`--mitigate`) */
	__u64 all_enforce;	   /* ... of which enforcing (the others audit) */
	__u64 pols[VIGIL_MIT_MAX]; /* policies listing each mitigation (their
				      mode, selector and exemptions apply) */
	__u32 init_userns;	   /* inode numbers of the initial user and */
	__u32 init_mntns;	   /* mount namespaces */
};

#define VIGIL_POL_PROTECT_SELF 0x1 /* self-protection on */

struct vigil_pol_conf {
	__u64 active;			      /* policies present */
	__u64 host;			      /* policies selecting every process */
	__u64 enforce;			      /* policies in enforce mode (the others audit) */
	__u64 area_pols[VIGIL_POL_AREAS];     /* policies listing the area */
	__u64 default_block[VIGIL_POL_AREAS]; /* ... with `default: block` */
	__u64 area_rules[VIGIL_POL_AREAS];    /* rules present */
	__u64 any_obj[VIGIL_POL_AREAS];	      /* rules with no object (match all) */
	__u64 any_parent;		      /* process rules without `parents` */
	__u8 rule_pol[VIGIL_POL_AREAS][VIGIL_POL_RULES];
	__u8 rule_act[VIGIL_POL_AREAS][VIGIL_POL_RULES];
	__u64 file_acc_rules[VIGIL_PACC_BITS]; /* file rules covering each access */
	__u64 cap_rules[VIGIL_POL_CAPS];
	__u64 sig_rules[VIGIL_POL_SIGNALS];
	__u64 fam_rules[VIGIL_POL_FAMILIES];  /* network rules with `families` */
	__u64 net_egress, net_ingress;	      /* rules per direction */
	__u64 net_tcp, net_udp, net_anyproto; /* rules per protocol */
	__u64 net_any_addr, net_any_port;     /* rules without cidrs / ports */
	__u64 net_addr_rules;		      /* rules that apply to addresses */
	__u32 kinds;			      /* 1 << VIGIL_PK_* present in pol_obj */
	__u32 flags;			      /* VIGIL_POL_PROTECT_SELF */
	__u32 gen;			      /* bumped on every change */
	__u32 agent_tgid;
	__u32 agent_parent; /* may stop the agent (its service manager) */
	__u32 agent_dev;    /* the vigil executable: its processes manage */
	__u64 agent_ino;    /* the BPF objects (takeover after --persist) */
	__u64 pin_dir_ino;  /* bpffs directory holding --persist pins */
	__u32 pin_dir_dev;
	__u32 pad;
	struct vigil_mit_conf mit;
};

struct vigil_pol_state {
	__u32 slot; /* the active slot */
	__u32 pad;
};

#endif /* VIGIL_ABI_H */
