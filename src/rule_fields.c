/* rule_fields.c - the fields rule conditions and outputs can use.
 *
 * One table lists every field: its name, type, argument, description and
 * the function that extracts it. Values come from the decoded event, the
 * process table (ancestry), the cgroup/container info, and a few files read
 * when a field is asked for: /proc/PID/environ, /proc/PID/fd/N (and
 * /proc/PID/net), /etc/passwd and /etc/group.
 *
 * Nothing is allocated per event: computed strings go into the context's
 * scratch space (a field that does not fit is absent), and the user/group
 * names come from static caches reloaded when the files change.
 *
 * Falco names and semantics are kept where Vigil knows the value; fields of
 * Falco's that Vigil cannot know (Kubernetes metadata, image names, DNS
 * names...) are in the table so that Falco rule files load, and are absent.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "event_json.h"
#include "event_types.h"
#include "format.h"
#include "rule_fields.h"

#define MAX_LINEAGE   64	    /* ancestors walked at most (cycles in stale entries) */
#define ID_MAX	      4096	    /* users (or groups) cached */
#define ID_POOL	      (1 << 16)	    /* bytes of names, homes and shells cached */
#define ID_RECHECK_NS 1000000000ull /* stat the files at most once a second */
#define SOCK_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) + 2)
#define EXEC_BITS     0111
#define MEMO_MAX      64 /* values remembered per event */

/* ---- the table ---- */

struct fget {
	struct vigil_eval_ctx *c;
	const struct vigil_field_ref *ref;
	int which;  /* the table entry's selector */
	int level;  /* process fields: 0 self, 1 parent, -1 from the argument */
	bool multi; /* asked through vigil_field_get_nth */
	size_t nth;
};

typedef bool (*field_fn)(const struct fget *g, struct vigil_value *out);

#define FL_MULTI  0x1 /* several values when used without an argument */
#define FL_NUMKEY 0x2 /* KEY field that also takes [N] (evt.arg[0]) */
#define FL_MEMO	  0x4 /* costly (reads /proc): remembered for the event, even absent */

struct field {
	struct vigil_field_def def;
	field_fn get;
	int which;
	int level;
	unsigned flags;
};

/* selectors */
enum {
	E_NUM,
	E_TIME,
	E_RAWTIME,
	E_TYPE,
	E_DIR,
	E_CATEGORY,
	E_SOURCE,
	E_HOSTNAME,
	E_RES,
	E_RAWRES,
	E_FAILED,
	E_ASYNC,
	E_ARGS,
	E_TRUNCATED,
	E_OPEN_READ,
	E_OPEN_WRITE,
	E_OPEN_EXEC,
	E_OPEN_CREATE,
};
enum {
	PA_NAME,
	PA_EXE,
	PA_EXEPATH,
	PA_ARGS,
	PA_CMDLINE,
	PA_EXELINE,
	PA_CWD,
	PA_PID,
	PA_NARGS,
	PA_LENARGS,
	PA_DURATION,
	PA_START_TS,
	PA_VPID,
};
enum {
	PS_TID,
	PS_VTID,
	PS_ISMAIN,
	PS_VPID,
	PS_TTY,
	PS_SID,
	PS_SID_LEADER,
	PS_SNAME,
	PS_SEXE,
	PS_SEXEPATH,
	PS_MEMFD,
	PS_EXE_INO,
	PS_EXE_CTIME,
	PS_EXE_MTIME,
	PS_CTIME_TO_START,
	PS_CAP_EFF,
	PS_CAP_PERM,
	PS_CAP_INH,
	PS_FALSE,
	PS_PIDNS,
	PS_MNTNS,
	PS_NETNS,
	PS_LOGINSHELL,
	PS_CGROUP_ID,
};
enum { U_UID, U_EUID, U_NAME, U_HOME, U_SHELL, U_LOGINUID, U_LOGINNAME, U_GID, U_EGID, U_GNAME };
enum {
	FD_NUM,
	FD_TYPE,
	FD_TYPECHAR,
	FD_NAME,
	FD_NAMERAW,
	FD_DIRECTORY,
	FD_FILENAME,
	FD_L4PROTO,
	FD_SOCKFAMILY,
	FD_IS_SERVER,
	FD_CONNECTED,
};
enum { R_ANY, R_CLIENT, R_SERVER, R_LOCAL, R_REMOTE };
enum { FS_NAME, FS_NAMERAW, FS_SOURCE, FS_SOURCERAW, FS_TARGET, FS_TARGETRAW };
enum { C_ID, C_FULL_ID, C_NAME, C_TYPE, C_INFO };
#define STDIO_NAME 0x10 /* with the fd number: the name instead of the type */

static bool get_absent(const struct fget *g, struct vigil_value *out);
static bool get_evt(const struct fget *g, struct vigil_value *out);
static bool get_evt_arg(const struct fget *g, struct vigil_value *out);
static bool get_evt_rawarg(const struct fget *g, struct vigil_value *out);
static bool get_pattr(const struct fget *g, struct vigil_value *out);
static bool get_pself(const struct fget *g, struct vigil_value *out);
static bool get_env(const struct fget *g, struct vigil_value *out);
static bool get_stdio(const struct fget *g, struct vigil_value *out);
static bool get_user(const struct fget *g, struct vigil_value *out);
static bool get_fd(const struct fget *g, struct vigil_value *out);
static bool get_sock_ip(const struct fget *g, struct vigil_value *out);
static bool get_sock_port(const struct fget *g, struct vigil_value *out);
static bool get_fspath(const struct fget *g, struct vigil_value *out);
static bool get_container(const struct fget *g, struct vigil_value *out);

#define FLD(nm, ty, ar, opt, fl, fn, wh, lv, ds)                                                   \
	{                                                                                          \
		{nm, VIGIL_FT_##ty, VIGIL_FARG_##ar, opt, ds}, fn, wh, lv, fl                      \
	}
#define F_STR(nm, fn, wh, ds)	   FLD(nm, STRING, NONE, false, 0, fn, wh, 0, ds)
#define F_INT(nm, fn, wh, ds)	   FLD(nm, INT, NONE, false, 0, fn, wh, 0, ds)
#define F_BOOL(nm, fn, wh, ds)	   FLD(nm, BOOL, NONE, false, 0, fn, wh, 0, ds)
#define F_NA(nm, ty, ds)	   FLD(nm, ty, NONE, false, 0, get_absent, 0, 0, ds)
#define F_NAKEY(nm, ty, ds)	   FLD(nm, ty, KEY, false, 0, get_absent, 0, 0, ds)
#define F_PROC(nm, ty, wh, lv, ds) FLD(nm, ty, NONE, false, 0, get_pattr, wh, lv, ds)
#define F_ANC(nm, ty, wh, ds)	   FLD(nm, ty, INDEX, true, FL_MULTI, get_pattr, wh, -1, ds)
#define F_IP(nm, ty, fn, wh, ds)   FLD(nm, ty, NONE, false, 0, fn, wh, 0, ds)
#define F_STDIO(nm, wh, ds)	   FLD(nm, STRING, NONE, false, FL_MEMO, get_stdio, wh, 0, ds)
#define F_IPS(nm, ty, fn, ds)	   FLD(nm, ty, NONE, false, FL_MULTI, fn, R_ANY, 0, ds)

static const struct field fields[] = {
    /* event */
    F_INT("evt.num", get_evt, E_NUM, "Sequence number of the event."),
    F_STR("evt.time", get_evt, E_TIME, "Event time, RFC 3339 UTC with nanoseconds."),
    F_INT("evt.rawtime", get_evt, E_RAWTIME, "Event time in nanoseconds since the epoch."),
    F_STR("evt.type", get_evt, E_TYPE, "Event type (the syscall's Falco name: openat, execve...)."),
    F_STR("syscall.type", get_evt, E_TYPE, "Same as evt.type."),
    FLD("evt.dir", STRING, NONE, false, FL_MULTI, get_evt, E_DIR, 0,
	"\"<\" in outputs. Vigil's events are syscall exits that also carry the entry "
	"arguments, so in conditions both evt.dir=< and evt.dir=> hold."),
    F_STR("evt.category", get_evt, E_CATEGORY,
	  "Event category: process, user, file, net, signal, memory, system."),
    F_STR("evt.source", get_evt, E_SOURCE, "Always \"syscall\"."),
    F_STR("evt.hostname", get_evt, E_HOSTNAME, "Host name of the machine."),
    F_STR("evt.res", get_evt, E_RES, "Result: SUCCESS or the errno name (ENOENT...)."),
    F_INT("evt.rawres", get_evt, E_RAWRES, "Return value of the syscall."),
    F_BOOL("evt.failed", get_evt, E_FAILED, "True when the syscall returned an error."),
    F_BOOL("evt.is_async", get_evt, E_ASYNC, "Always false: every event comes from a syscall."),
    FLD("evt.arg", STRING, KEY, false, FL_NUMKEY, get_evt_arg, 0, 0,
	"An argument by name (evt.arg.flags) or position (evt.arg[0]), rendered as in the "
	"event JSON."),
    FLD("evt.rawarg", INT, KEY, false, FL_NUMKEY, get_evt_rawarg, 0, 0,
	"An integer argument by name (evt.rawarg.flags), unformatted."),
    F_STR("evt.args", get_evt, E_ARGS, "All arguments as \"name=value name=value\"."),
    F_STR("evt.info", get_evt, E_ARGS, "Same as evt.args."),
    F_BOOL("evt.truncated", get_evt, E_TRUNCATED,
	   "True when a path or argv was cut short in the kernel."),
    F_BOOL("evt.is_open_read", get_evt, E_OPEN_READ,
	   "open/openat/openat2 for reading (O_RDONLY or O_RDWR); false for other events."),
    F_BOOL("evt.is_open_write", get_evt, E_OPEN_WRITE,
	   "open/openat/openat2 for writing (O_WRONLY or O_RDWR); false for other events."),
    F_BOOL("evt.is_open_exec", get_evt, E_OPEN_EXEC,
	   "An open with O_CREAT or O_TMPFILE, or creat, whose mode has an execute bit."),
    F_BOOL("evt.is_open_create", get_evt, E_OPEN_CREATE,
	   "An open that created a file: true for a successful O_TMPFILE, absent with O_CREAT "
	   "(Vigil cannot tell), false otherwise."),
    F_NA("evt.buffer", STRING, "I/O buffer of read/write events."),
    F_NA("evt.buflen", INT, "I/O buffer length of read/write events."),
    F_NA("evt.cpu", INT, "CPU the event happened on."),
    F_NA("evt.latency", INT, "Time spent in the syscall."),
    F_NA("evt.plugininfo", STRING, "Plugin event summary."),

    /* the event's process */
    F_INT("proc.pid", get_pattr, PA_PID, "Process id (thread-group id)."),
    F_INT("proc.tid", get_pself, PS_TID, "Thread id."),
    F_INT("thread.tid", get_pself, PS_TID, "Thread id."),
    F_INT("thread.vtid", get_pself, PS_VTID,
	  "Thread id in the process's pid namespace (main threads only)."),
    F_BOOL("thread.ismain", get_pself, PS_ISMAIN, "True for the main thread."),
    F_INT("proc.vpid", get_pself, PS_VPID, "Process id in its own pid namespace."),
    F_PROC("proc.ppid", INT, PA_PID, 1, "Parent's process id."),
    F_PROC("proc.pvpid", INT, PA_VPID, 1,
	   "Parent's pid in its pid namespace (known for host processes)."),
    F_PROC("proc.name", STRING, PA_NAME, 0, "Process name (comm, up to 15 characters)."),
    F_PROC("proc.exe", STRING, PA_EXE, 0, "First command-line argument (argv[0])."),
    F_PROC("proc.exepath", STRING, PA_EXEPATH, 0, "Executable path, resolved by the kernel."),
    F_PROC("proc.args", STRING, PA_ARGS, 0, "Arguments after argv[0], space-joined."),
    F_PROC("proc.cmdline", STRING, PA_CMDLINE, 0, "proc.name followed by proc.args."),
    F_PROC("proc.exeline", STRING, PA_EXELINE, 0, "proc.exe followed by proc.args."),
    F_PROC("proc.cmdnargs", INT, PA_NARGS, 0, "Number of arguments after argv[0]."),
    F_PROC("proc.cmdlenargs", INT, PA_LENARGS, 0,
	   "Total length of the arguments after argv[0], without separators."),
    F_PROC("proc.cwd", STRING, PA_CWD, 0, "Working directory at exec."),
    F_PROC("proc.pname", STRING, PA_NAME, 1, "Parent's name."),
    F_PROC("proc.pexe", STRING, PA_EXE, 1, "Parent's argv[0]."),
    F_PROC("proc.pexepath", STRING, PA_EXEPATH, 1, "Parent's executable path."),
    F_PROC("proc.pcmdline", STRING, PA_CMDLINE, 1, "Parent's command line."),
    F_ANC("proc.aname", STRING, PA_NAME,
	  "Name of an ancestor: [0] the process, [1] its parent... Without an index, matches "
	  "any ancestor (the process itself excluded)."),
    F_ANC("proc.apid", INT, PA_PID, "Pid of an ancestor, as proc.aname."),
    F_ANC("proc.aexe", STRING, PA_EXE, "argv[0] of an ancestor, as proc.aname."),
    F_ANC("proc.aexepath", STRING, PA_EXEPATH, "Executable path of an ancestor, as proc.aname."),
    F_ANC("proc.acmdline", STRING, PA_CMDLINE, "Command line of an ancestor, as proc.aname."),
    F_INT("proc.loginshellid", get_pself, PS_LOGINSHELL,
	  "Pid of the oldest shell (name ending in \"sh\") among the process and its "
	  "ancestors."),
    F_INT("proc.tty", get_pself, PS_TTY, "Controlling terminal (tty_nr), 0 for none."),
    F_INT("proc.sid", get_pself, PS_SID, "Session id."),
    F_STR("proc.sname", get_pself, PS_SNAME, "Name of the session leader."),
    F_STR("proc.sid.exe", get_pself, PS_SEXE, "argv[0] of the session leader."),
    F_STR("proc.sid.exepath", get_pself, PS_SEXEPATH, "Executable path of the session leader."),
    F_BOOL("proc.is_sid_leader", get_pself, PS_SID_LEADER,
	   "True when the process leads its session."),
    F_NA("proc.vpgid", INT, "Process group id."),
    F_NA("proc.vpgid.name", STRING, "Name of the process group leader."),
    F_NA("proc.vpgid.exe", STRING, "argv[0] of the process group leader."),
    F_NA("proc.vpgid.exepath", STRING, "Executable path of the process group leader."),
    F_NA("proc.is_vpgid_leader", BOOL, "True when the process leads its process group."),
    F_PROC("proc.duration", INT, PA_DURATION, 0,
	   "Nanoseconds since the process was forked or exec'd (absent when seeded from "
	   "/proc)."),
    F_PROC("proc.ppid.duration", INT, PA_DURATION, 1, "proc.duration of the parent."),
    F_PROC("proc.pid.ts", INT, PA_START_TS, 0,
	   "Start of the process (fork or exec seen), ns since the epoch."),
    F_PROC("proc.ppid.ts", INT, PA_START_TS, 1, "proc.pid.ts of the parent."),
    F_BOOL("proc.is_exe_from_memfd", get_pself, PS_MEMFD,
	   "True when the executable is a memfd (fileless execution)."),
    F_NA("proc.is_exe_writable", BOOL,
	 "True when the executable is writable by the user who ran it."),
    F_NA("proc.is_exe_upper_layer", BOOL,
	 "True when the executable is in the upper layer of an overlayfs."),
    F_NA("proc.is_exe_lower_layer", BOOL,
	 "True when the executable is in the lower layer of an overlayfs."),
    F_INT("proc.exe_ino", get_pself, PS_EXE_INO, "Inode number of the executable."),
    F_INT("proc.exe_ino.ctime", get_pself, PS_EXE_CTIME,
	  "Status change time of the executable, ns since the epoch."),
    F_INT("proc.exe_ino.mtime", get_pself, PS_EXE_MTIME,
	  "Modification time of the executable, ns since the epoch."),
    F_INT("proc.exe_ino.ctime_duration_proc_start", get_pself, PS_CTIME_TO_START,
	  "Nanoseconds from the executable's ctime to the start of the process."),
    F_NA("proc.exe_ino.ctime_duration_pidns_start", INT,
	 "Nanoseconds from the pid namespace start to the executable's ctime."),
    F_NA("proc.pidns_init_start_ts", INT, "Start of the pid namespace's init process."),
    F_BOOL("proc.is_container_healthcheck", get_pself, PS_FALSE,
	   "Always false: Vigil does not know container health checks."),
    F_BOOL("proc.is_container_liveness_probe", get_pself, PS_FALSE,
	   "Always false: Vigil does not know liveness probes."),
    F_BOOL("proc.is_container_readiness_probe", get_pself, PS_FALSE,
	   "Always false: Vigil does not know readiness probes."),
    FLD("proc.env", STRING, KEY, true, FL_MEMO, get_env, 0, 0,
	"Environment as \"NAME=value NAME=value\", or one variable's value with "
	"proc.env[NAME] (\"\" when unset); read from /proc/PID/environ, absent once the "
	"process is gone."),
    FLD("proc.aenv", STRING, KEY, true, 0, get_absent, 0, 0, "Environment of an ancestor."),
    F_STDIO("proc.stdin.type", 0,
	    "Type of fd 0, as fd.type (file, pipe, ipv4, ipv6, unix...), read from /proc."),
    F_STDIO("proc.stdout.type", 1, "Type of fd 1, as proc.stdin.type."),
    F_STDIO("proc.stderr.type", 2, "Type of fd 2, as proc.stdin.type."),
    F_STDIO("proc.stdin.name", 0 | STDIO_NAME,
	    "Name of fd 0: the path, \"lip:lport->rip:rport\" for IP sockets, the link text "
	    "otherwise."),
    F_STDIO("proc.stdout.name", 1 | STDIO_NAME, "Name of fd 1, as proc.stdin.name."),
    F_STDIO("proc.stderr.name", 2 | STDIO_NAME, "Name of fd 2, as proc.stdin.name."),
    F_INT("proc.pidns", get_pself, PS_PIDNS, "Pid namespace inode number."),
    F_INT("proc.mntns", get_pself, PS_MNTNS, "Mount namespace inode number."),
    F_INT("proc.netns", get_pself, PS_NETNS, "Network namespace inode number."),
    F_NA("proc.fdopencount", INT, "Number of open fds."),
    F_NA("proc.fdlimit", INT, "Maximum number of fds."),
    F_NA("proc.vmsize", INT, "Virtual memory size (KiB)."),
    F_NA("proc.vmrss", INT, "Resident memory (KiB)."),
    F_NA("proc.vmswap", INT, "Swapped memory (KiB)."),
    F_NA("proc.nthreads", INT, "Number of threads."),
    F_NA("proc.nchilds", INT, "Number of threads other than the main one."),
    F_STR("thread.cap_effective", get_pself, PS_CAP_EFF,
	  "Effective capabilities, space-separated (CAP_CHOWN CAP_SYS_ADMIN)."),
    F_STR("thread.cap_permitted", get_pself, PS_CAP_PERM,
	  "Permitted capabilities, as thread.cap_effective."),
    F_STR("thread.cap_inheritable", get_pself, PS_CAP_INH,
	  "Inheritable capabilities, as thread.cap_effective."),
    F_NA("thread.cgroups", STRING, "All cgroups of the thread."),
    F_NAKEY("thread.cgroup", STRING, "The thread's cgroup for one controller."),
    F_INT("cgroup.id", get_pself, PS_CGROUP_ID, "cgroup v2 id of the process."),

    /* user and group */
    F_INT("user.uid", get_user, U_UID, "Real user id."),
    F_INT("user.euid", get_user, U_EUID, "Effective user id."),
    F_STR("user.name", get_user, U_NAME, "Name of user.uid in the host's /etc/passwd."),
    F_STR("user.homedir", get_user, U_HOME, "Home directory of user.uid."),
    F_STR("user.shell", get_user, U_SHELL, "Login shell of user.uid."),
    F_INT("user.loginuid", get_user, U_LOGINUID, "Audit login uid, -1 when unset."),
    F_STR("user.loginname", get_user, U_LOGINNAME, "Name of user.loginuid."),
    F_INT("group.gid", get_user, U_GID, "Real group id."),
    F_INT("group.egid", get_user, U_EGID, "Effective group id."),
    F_STR("group.name", get_user, U_GNAME, "Name of group.gid in the host's /etc/group."),

    /* file descriptors */
    F_INT("fd.num", get_fd, FD_NUM,
	  "The fd the syscall returned (-1 when it failed) or operated on."),
    F_STR("fd.type", get_fd, FD_TYPE,
	  "file, directory, ipv4, ipv6, unix, netlink, memfd, bpf or unknown."),
    F_STR("fd.typechar", get_fd, FD_TYPECHAR,
	  "fd.type as one character: f, d, 4, 6, u, n, m, b, o."),
    F_STR("fd.name", get_fd, FD_NAME,
	  "Absolute path of the file; \"cip:cport->sip:sport\" (\"ip:port\" before a "
	  "connection) or the path for sockets."),
    F_STR("fd.nameraw", get_fd, FD_NAMERAW, "The path as the caller passed it."),
    F_STR("fd.directory", get_fd, FD_DIRECTORY, "Directory of fd.name (files)."),
    F_STR("fd.filename", get_fd, FD_FILENAME, "Last component of fd.name (files)."),
    F_IPS("fd.ip", IP, get_sock_ip,
	  "Client or server IP address: matches when either does (filters only)."),
    F_IP("fd.cip", IP, get_sock_ip, R_CLIENT, "Client IP address."),
    F_IP("fd.sip", IP, get_sock_ip, R_SERVER,
	 "Server IP address (for listen and bind, the local address)."),
    F_IP("fd.lip", IP, get_sock_ip, R_LOCAL, "Local IP address."),
    F_IP("fd.rip", IP, get_sock_ip, R_REMOTE, "Remote IP address."),
    F_IPS("fd.port", INT, get_sock_port,
	  "Client or server port: matches when either does (filters only)."),
    F_IP("fd.cport", INT, get_sock_port, R_CLIENT, "Client port."),
    F_IP("fd.sport", INT, get_sock_port, R_SERVER, "Server port."),
    F_IP("fd.lport", INT, get_sock_port, R_LOCAL, "Local port."),
    F_IP("fd.rport", INT, get_sock_port, R_REMOTE, "Remote port."),
    F_IPS("fd.net", IPNET, get_sock_ip,
	  "Client or server address in a CIDR (fd.net = \"10.0.0.0/8\"), either matches."),
    F_IP("fd.cnet", IPNET, get_sock_ip, R_CLIENT, "Client address in a CIDR."),
    F_IP("fd.snet", IPNET, get_sock_ip, R_SERVER, "Server address in a CIDR."),
    F_IP("fd.lnet", IPNET, get_sock_ip, R_LOCAL, "Local address in a CIDR."),
    F_IP("fd.rnet", IPNET, get_sock_ip, R_REMOTE, "Remote address in a CIDR."),
    F_STR("fd.l4proto", get_fd, FD_L4PROTO, "Transport protocol: tcp, udp, icmp, raw, unix."),
    F_STR("fd.sockfamily", get_fd, FD_SOCKFAMILY, "Socket family: ip, unix, netlink..."),
    F_BOOL("fd.is_server", get_fd, FD_IS_SERVER,
	   "True for accept, listen and bind, false for connect."),
    F_BOOL("fd.connected", get_fd, FD_CONNECTED,
	   "True after a successful connect or accept; false for other socket events."),
    F_NA("fd.name_changed", BOOL, "True when the event changed the fd's name."),
    F_NA("fd.cip.name", STRING, "Domain name of the client address."),
    F_NA("fd.sip.name", STRING, "Domain name of the server address."),
    F_NA("fd.lip.name", STRING, "Domain name of the local address."),
    F_NA("fd.rip.name", STRING, "Domain name of the remote address."),
    F_NA("fd.proto", STRING, "Client or server protocol name."),
    F_NA("fd.cproto", STRING, "Client protocol name."),
    F_NA("fd.sproto", STRING, "Server protocol name."),
    F_NA("fd.lproto", STRING, "Local protocol name."),
    F_NA("fd.rproto", STRING, "Remote protocol name."),
    F_NA("fd.uid", STRING, "fd number and thread id."),
    F_NA("fd.containername", STRING, "Container id and fd name."),
    F_NA("fd.containerdirectory", STRING, "Container id and directory."),
    F_NA("fd.dev", INT, "Device of the file."),
    F_NA("fd.dev.major", INT, "Major device of the file."),
    F_NA("fd.dev.minor", INT, "Minor device of the file."),
    F_NA("fd.ino", INT, "Inode of the file."),
    FLD("fd.types", STRING, INDEX, true, 0, get_absent, 0, 0, "Types of the process's fds."),

    /* file system paths */
    F_STR("fs.path.name", get_fspath, FS_NAME, "Absolute path a file syscall operated on."),
    F_STR("fs.path.nameraw", get_fspath, FS_NAMERAW, "fs.path.name as the caller passed it."),
    F_STR("fs.path.source", get_fspath, FS_SOURCE,
	  "Source of rename, link, symlink (its content) and mount."),
    F_STR("fs.path.sourceraw", get_fspath, FS_SOURCERAW, "fs.path.source as the caller passed it."),
    F_STR("fs.path.target", get_fspath, FS_TARGET,
	  "Target of rename, link, symlink (the link) and mount."),
    F_STR("fs.path.targetraw", get_fspath, FS_TARGETRAW, "fs.path.target as the caller passed it."),

    /* containers */
    F_STR("container.id", get_container, C_ID, "12-hex short container id, or \"host\"."),
    F_STR("container.full_id", get_container, C_FULL_ID, "64-hex container id, or \"host\"."),
    F_STR("container.name", get_container, C_NAME,
	  "\"host\" for host processes; container names are not known yet."),
    F_STR("container.type", get_container, C_TYPE,
	  "Runtime: docker, containerd, cri-o, podman, or \"host\"."),
    F_STR("container.runtime", get_container, C_TYPE, "Same as container.type."),
    F_STR("container.info", get_container, C_INFO, "Summary for outputs: \"container_id=<id>\"."),
    F_NA("container.image", STRING, "Image name."),
    F_NA("container.image.id", STRING, "Image id."),
    F_NA("container.image.repository", STRING, "Image repository."),
    F_NA("container.image.tag", STRING, "Image tag."),
    F_NA("container.image.digest", STRING, "Image digest."),
    F_NA("container.privileged", BOOL, "True for a privileged container."),
    F_NA("container.mounts", STRING, "Mounts of the container."),
    F_NAKEY("container.mount", STRING, "A mount by index or source path."),
    F_NAKEY("container.mount.source", STRING, "Source of a mount."),
    F_NAKEY("container.mount.dest", STRING, "Destination of a mount."),
    F_NAKEY("container.mount.mode", STRING, "Mode of a mount."),
    F_NAKEY("container.mount.rdwr", STRING, "Read/write state of a mount."),
    F_NAKEY("container.mount.propagation", STRING, "Propagation of a mount."),
    F_NA("container.start_ts", INT, "Container start, ns since the epoch."),
    F_NA("container.duration", INT, "Nanoseconds since the container started."),
    F_NA("container.ip", STRING, "Container IP address."),
    F_NA("container.cni.json", STRING, "Container CNI result."),
    F_NA("container.healthcheck", STRING, "Health check command."),
    F_NA("container.liveness_probe", STRING, "Liveness probe command."),
    F_NA("container.readiness_probe", STRING, "Readiness probe command."),
    F_NA("container.host_pid", BOOL, "True when the container shares the host pid namespace."),
    F_NA("container.host_network", BOOL,
	 "True when the container shares the host network namespace."),
    F_NA("container.host_ipc", BOOL, "True when the container shares the host IPC namespace."),

    /* Kubernetes */
    F_NA("k8s.ns.name", STRING, "Namespace name."),
    F_NA("k8s.ns.id", STRING, "Namespace id."),
    F_NAKEY("k8s.ns.label", STRING, "A namespace label."),
    F_NA("k8s.ns.labels", STRING, "Namespace labels."),
    F_NA("k8s.pod.name", STRING, "Pod name."),
    F_NA("k8s.pod.id", STRING, "Pod id."),
    F_NA("k8s.pod.uid", STRING, "Pod uid."),
    F_NA("k8s.pod.sandbox_id", STRING, "Pod sandbox id (short)."),
    F_NA("k8s.pod.full_sandbox_id", STRING, "Pod sandbox id."),
    F_NAKEY("k8s.pod.label", STRING, "A pod label."),
    F_NA("k8s.pod.labels", STRING, "Pod labels."),
    F_NA("k8s.pod.ip", STRING, "Pod IP address."),
    F_NA("k8s.pod.cni.json", STRING, "Pod CNI result."),
    F_NA("k8s.rc.name", STRING, "Replication controller name."),
    F_NA("k8s.rs.name", STRING, "Replica set name."),
    F_NA("k8s.svc.name", STRING, "Service name."),
    F_NA("k8s.deployment.name", STRING, "Deployment name."),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

size_t vigil_field_count(void)
{
	return NFIELDS;
}

const struct vigil_field_def *vigil_field_def(uint16_t id)
{
	return id < NFIELDS ? &fields[id].def : NULL;
}

/* ---- values and scratch space ---- */

static bool val_strn(struct vigil_value *v, const char *s, size_t n)
{
	if (!s)
		return false;
	v->str = s;
	v->len = n;
	return true;
}

static bool val_str(struct vigil_value *v, const char *s)
{
	return s && val_strn(v, s, strlen(s));
}

static bool val_int(struct vigil_value *v, int64_t n)
{
	v->num = n;
	return true;
}

static char *scratch_avail(struct vigil_eval_ctx *c, size_t *avail)
{
	*avail = sizeof(c->scratch) - c->scratch_used;
	return c->scratch + c->scratch_used;
}

/* Keeps n bytes written at p (the start of the free space) and a NUL. */
static bool scratch_keep(struct vigil_eval_ctx *c, char *p, size_t n, struct vigil_value *v)
{
	size_t avail = sizeof(c->scratch) - c->scratch_used;

	if (n + 1 > avail)
		return false;
	p[n] = '\0';
	c->scratch_used += n + 1;
	return val_strn(v, p, n);
}

static const char *scratch_copy(struct vigil_eval_ctx *c, const char *s, size_t n)
{
	struct vigil_value v;
	size_t avail;
	char *p = scratch_avail(c, &avail);

	if (n + 1 > avail)
		return NULL;
	memcpy(p, s, n);
	return scratch_keep(c, p, n, &v) ? p : NULL;
}

static bool scratch_put(struct vigil_eval_ctx *c, const char *s, size_t n, struct vigil_value *v)
{
	const char *p = scratch_copy(c, s, n);

	return p && val_strn(v, p, n);
}

__attribute__((format(printf, 3, 4))) static bool
scratch_printf(struct vigil_eval_ctx *c, struct vigil_value *v, const char *fmt, ...)
{
	size_t avail;
	char *p = scratch_avail(c, &avail);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, avail, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= avail)
		return false;
	return scratch_keep(c, p, (size_t)n, v);
}

/* Values computed for the current event, so that the many rules evaluated
 * on one event do not fill the scratch space with copies of proc.cmdline,
 * nor read /proc again. Cleared by vigil_eval_ctx_reset; belongs to the
 * last context reset. */
struct memo_entry {
	uint16_t id;
	int32_t index;
	bool multi;
	size_t nth;
	bool present;
	struct vigil_value v;
	char key[sizeof(((struct vigil_field_ref *)0)->key)];
};

static struct {
	const struct vigil_eval_ctx *owner;
	size_t n;
	struct memo_entry e[MEMO_MAX];
} memo;

void vigil_eval_ctx_reset(struct vigil_eval_ctx *c)
{
	c->scratch_used = 0;
	memo.owner = c;
	memo.n = 0;
}

static const struct memo_entry *memo_find(const struct vigil_eval_ctx *c,
					  const struct vigil_field_ref *ref, bool multi, size_t nth)
{
	if (memo.owner != c)
		return NULL;
	for (size_t i = 0; i < memo.n; i++) {
		const struct memo_entry *m = &memo.e[i];

		if (m->id == ref->id && m->index == ref->index && m->multi == multi &&
		    m->nth == nth && !strncmp(m->key, ref->key, sizeof(m->key)))
			return m;
	}
	return NULL;
}

static void memo_add(const struct vigil_eval_ctx *c, const struct vigil_field_ref *ref, bool multi,
		     size_t nth, bool present, const struct vigil_value *v)
{
	struct memo_entry *m;

	if (memo.owner != c || memo.n == MEMO_MAX)
		return;
	m = &memo.e[memo.n];
	*m = (struct memo_entry){ref->id, ref->index, multi, nth, present, *v, ""};
	memcpy(m->key, ref->key, sizeof(m->key));
	m->key[sizeof(m->key) - 1] = '\0';
	memo.n++;
}

static bool in_scratch(const struct vigil_eval_ctx *c, const struct vigil_value *v)
{
	return v->type == VIGIL_FT_STRING && v->str >= c->scratch &&
	       v->str < c->scratch + sizeof(c->scratch);
}

/* ---- event helpers ---- */

static const struct vigil_event_hdr *hdr_of(const struct fget *g)
{
	return g->c->ev->hdr;
}

static const struct vigil_type_desc *desc_of(const struct fget *g)
{
	return vigil_type_desc(g->c->ev->hdr->type);
}

static bool is_exec(uint32_t type)
{
	return type == VIGIL_EVT_EXECVE || type == VIGIL_EVT_EXECVEAT;
}

static bool is_open(uint32_t type)
{
	return type == VIGIL_EVT_OPEN || type == VIGIL_EVT_OPENAT || type == VIGIL_EVT_OPENAT2;
}

static bool is_accept(uint32_t type)
{
	return type == VIGIL_EVT_ACCEPT || type == VIGIL_EVT_ACCEPT4;
}

static const struct vigil_arg_desc *arg_by_name(const struct vigil_type_desc *d, const char *name)
{
	for (int i = 0; d && i < VIGIL_TYPE_MAX_ARGS && d->args[i].name; i++)
		if (strcmp(d->args[i].name, name) == 0)
			return &d->args[i];
	return NULL;
}

static bool raw_arg(const struct vigil_event *ev, const char *name, uint64_t *v)
{
	const struct vigil_arg_desc *a = arg_by_name(vigil_type_desc(ev->hdr->type), name);

	if (!a)
		return false;
	*v = ev->hdr->args[a->index];
	return true;
}

/* An argument as the event JSON shows it (numbers in decimal). */
static size_t render_arg(const struct vigil_arg_desc *a, uint64_t v, char *out, size_t outsz)
{
	int n;

	switch (a->fmt) {
	case VIGIL_AF_INT:
	case VIGIL_AF_FD:
		n = snprintf(out, outsz, "%d", (int32_t)v);
		break;
	case VIGIL_AF_LONG:
		n = snprintf(out, outsz, "%lld", (long long)v);
		break;
	case VIGIL_AF_UINT:
		n = snprintf(out, outsz, "%u", (uint32_t)v);
		break;
	default:
		return vigil_format_arg(a->fmt, v, out, outsz);
	}
	return n < 0 ? 0 : (size_t)n;
}

static int64_t arg_signed(const struct vigil_arg_desc *a, uint64_t v)
{
	switch (a->fmt) {
	case VIGIL_AF_INT:
	case VIGIL_AF_FD:
		return (int32_t)v;
	case VIGIL_AF_UINT:
		return (uint32_t)v;
	default:
		return (int64_t)v;
	}
}

static bool put_arg(struct vigil_eval_ctx *c, const struct vigil_arg_desc *a, uint64_t v,
		    struct vigil_value *out)
{
	size_t avail, n;
	char *p = scratch_avail(c, &avail);

	if (!avail)
		return false;
	n = render_arg(a, v, p, avail);
	if (n + 1 >= avail)
		return false;
	return scratch_keep(c, p, n, out);
}

/* ---- evt.* ---- */

static const char *category_of(uint32_t type, const struct vigil_type_desc *d)
{
	switch (type) {
	case VIGIL_EVT_KILL:
	case VIGIL_EVT_TKILL:
	case VIGIL_EVT_TGKILL:
		return "signal";
	case VIGIL_EVT_MEMFD_CREATE:
		return "memory";
	case VIGIL_EVT_INIT_MODULE:
	case VIGIL_EVT_FINIT_MODULE:
	case VIGIL_EVT_BPF:
		return "system";
	case VIGIL_EVT_MOUNT:
	case VIGIL_EVT_UMOUNT2:
		return "file";
	case VIGIL_EVT_PTRACE:
	case VIGIL_EVT_UNSHARE:
	case VIGIL_EVT_SETNS:
		return "process";
	default:
		break;
	}
	switch (d ? d->family : VIGIL_FAM_COUNT) {
	case VIGIL_FAM_PROCESS:
		return "process";
	case VIGIL_FAM_CRED:
		return "user";
	case VIGIL_FAM_FILE:
		return "file";
	case VIGIL_FAM_NET:
		return "net";
	default:
		return "other";
	}
}

static bool has_ret(const struct vigil_event_hdr *h)
{
	return h->flags & VIGIL_HDR_HAS_RET;
}

/* procexit carries the exit status and clone the child's tid: both "succeed". */
static bool ret_is_status(const struct vigil_event_hdr *h)
{
	return h->type == VIGIL_EVT_PROCEXIT || h->type == VIGIL_EVT_CLONE;
}

static bool get_res(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	char tmp[24];

	if (!has_ret(h))
		return false;
	if (ret_is_status(h))
		return val_str(out, "SUCCESS");
	return scratch_printf(g->c, out, "%s", vigil_errno_name(h->ret, tmp, sizeof(tmp)));
}

static bool get_time(const struct fget *g, struct vigil_value *out)
{
	char buf[48];

	vigil_format_time(hdr_of(g)->ts_mono + (uint64_t)g->c->mono_to_real_ns, buf, sizeof(buf));
	return scratch_printf(g->c, out, "%s", buf);
}

/* Flags and mode of the open family; false for other events. */
static bool open_args(const struct vigil_event *ev, uint64_t *flags, uint64_t *mode)
{
	*flags = 0;
	*mode = 0;
	if (ev->hdr->type == VIGIL_EVT_CREAT) {
		*flags = O_WRONLY | O_CREAT | O_TRUNC;
		raw_arg(ev, "mode", mode);
		return true;
	}
	if (!is_open(ev->hdr->type))
		return false;
	raw_arg(ev, "flags", flags);
	raw_arg(ev, "mode", mode);
	return true;
}

static bool creates(uint64_t flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* As Falco: read/write only for the open syscalls, exec also for creat. */
static bool get_open_kind(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint64_t flags, mode, acc;
	bool is_o = open_args(ev, &flags, &mode);
	bool creat = ev->hdr->type == VIGIL_EVT_CREAT;

	acc = flags & O_ACCMODE;
	switch (g->which) {
	case E_OPEN_READ:
		return val_int(out, is_o && !creat && (acc == O_RDONLY || acc == O_RDWR));
	case E_OPEN_WRITE:
		return val_int(out, is_o && !creat && (acc == O_WRONLY || acc == O_RDWR));
	case E_OPEN_EXEC:
		return val_int(out, is_o && (creat || creates(flags)) && (mode & EXEC_BITS));
	default: /* E_OPEN_CREATE */
		if (is_o && (flags & O_TMPFILE) == O_TMPFILE)
			return val_int(out, ev->hdr->ret >= 0);
		if (is_o && (flags & O_CREAT))
			return false;
		return val_int(out, false);
	}
}

static bool get_evt_args(const struct fget *g, struct vigil_value *out);

static bool get_evt(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	int64_t real = (int64_t)h->ts_mono + g->c->mono_to_real_ns;

	switch (g->which) {
	case E_NUM:
		return val_int(out, (int64_t)g->c->evt_num);
	case E_TIME:
		return get_time(g, out);
	case E_RAWTIME:
		return val_int(out, real);
	case E_TYPE:
		return val_str(out, vigil_type_name(h->type));
	case E_DIR:
		if (g->multi && g->nth > 1)
			return false;
		return val_str(out, g->multi && g->nth == 1 ? ">" : "<");
	case E_CATEGORY:
		return val_str(out, category_of(h->type, desc_of(g)));
	case E_SOURCE:
		return val_str(out, "syscall");
	case E_HOSTNAME:
		return val_str(out, g->c->hostname);
	case E_RES:
		return get_res(g, out);
	case E_RAWRES:
		return has_ret(h) && val_int(out, h->ret);
	case E_FAILED:
		return has_ret(h) && val_int(out, !ret_is_status(h) && h->ret < 0);
	case E_ASYNC:
		return val_int(out, false);
	case E_ARGS:
		return get_evt_args(g, out);
	case E_TRUNCATED:
		return val_int(out, g->c->ev->truncated);
	default:
		return get_open_kind(g, out);
	}
}

/* ---- evt.arg.* ---- */

/* Arguments the JSON encoder adds besides the type's table, in its order. */
static const char *const special_names[] = {
    "filename", "kind",	  "status", "exit_code", "signal",  "core",
    "flags",	"target", "source", "fstype",	 "newpath", "newpathraw",
};

static bool special_exit(const struct fget *g, const char *name, struct vigil_value *out)
{
	uint32_t status = (uint32_t)hdr_of(g)->args[VIGIL_EXIT_ARG_CODE];
	unsigned sig = status & 0x7f;

	if (!strcmp(name, "status"))
		return scratch_printf(g->c, out, "%u", status);
	if (!strcmp(name, "exit_code"))
		return scratch_printf(g->c, out, "%u", sig ? 0 : (status >> 8) & 0xff);
	if (!strcmp(name, "signal"))
		return scratch_printf(g->c, out, "%u", sig);
	if (!strcmp(name, "core"))
		return val_str(out, status & 0x80 ? "true" : "false");
	return false;
}

static bool special_path2(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;

	switch (desc_of(g)->path2) {
	case VIGIL_P2_LINK:
		return !strcmp(name, "target") && val_str(out, ev->nameraw);
	case VIGIL_P2_MOUNT:
		if (!strcmp(name, "source"))
			return val_str(out, ev->nameraw);
		return !strcmp(name, "fstype") && val_str(out, ev->fstype);
	case VIGIL_P2_NEWPATH:
		if (!strcmp(name, "newpath"))
			return val_str(out, ev->target);
		return !strcmp(name, "newpathraw") && val_str(out, ev->targetraw);
	default:
		return false;
	}
}

/* The arguments the event JSON shows that are not in the type's table. */
static bool special_arg(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);

	if (d->data_name && !strcmp(name, d->data_name))
		return val_str(out, ev->data);
	switch (ev->hdr->type) {
	case VIGIL_EVT_EXECVE:
	case VIGIL_EVT_EXECVEAT:
		return !strcmp(name, "filename") && val_str(out, ev->nameraw);
	case VIGIL_EVT_CLONE:
		return !strcmp(name, "kind") &&
		       val_str(out,
			       ev->hdr->args[VIGIL_CLONE_ARG_IS_THREAD] ? "thread" : "process");
	case VIGIL_EVT_PROCEXIT:
		return special_exit(g, name, out);
	case VIGIL_EVT_CREAT:
		if (!strcmp(name, "flags"))
			return val_str(out, "O_WRONLY|O_CREAT|O_TRUNC");
		break;
	default:
		break;
	}
	return special_path2(g, name, out);
}

/* Falco's names for path arguments (evt.arg.path, evt.arg.oldpath...). */
static bool alias_arg(const struct fget *g, const char *name, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);

	if (d->family != VIGIL_FAM_FILE && d->family != VIGIL_FAM_KERNEL)
		return false;
	if (d->path2 == VIGIL_P2_LINK)
		return !strcmp(name, "linkpath") && val_str(out, ev->target);
	if (d->path2 == VIGIL_P2_MOUNT) {
		if (!strcmp(name, "dev"))
			return val_str(out, ev->nameraw);
		if (!strcmp(name, "dir"))
			return val_str(out, ev->target);
		return !strcmp(name, "type") && val_str(out, ev->fstype);
	}
	if (!strcmp(name, "name") || !strcmp(name, "path") || !strcmp(name, "pathname") ||
	    !strcmp(name, "filename") || !strcmp(name, "oldpath"))
		return val_str(out, ev->name);
	return false;
}

static bool get_evt_arg(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);
	const struct vigil_arg_desc *a;
	const char *name = g->ref->key;

	if (!d)
		return false;
	if (g->ref->index >= 0) {
		if (g->ref->index >= VIGIL_TYPE_MAX_ARGS || !d->args[g->ref->index].name)
			return false;
		a = &d->args[g->ref->index];
		return put_arg(g->c, a, h->args[a->index], out);
	}
	a = arg_by_name(d, name);
	if (a)
		return put_arg(g->c, a, h->args[a->index], out);
	return special_arg(g, name, out) || alias_arg(g, name, out);
}

static bool get_evt_rawarg(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_arg_desc *a = NULL;

	if (!d)
		return false;
	if (g->ref->index >= 0 && g->ref->index < VIGIL_TYPE_MAX_ARGS)
		a = d->args[g->ref->index].name ? &d->args[g->ref->index] : NULL;
	else if (g->ref->index < 0)
		a = arg_by_name(d, g->ref->key);
	return a && val_int(out, arg_signed(a, hdr_of(g)->args[a->index]));
}

struct strbuf {
	char *p;
	size_t len, size;
};

static void sb_add(struct strbuf *b, const char *name, const char *val, size_t vlen)
{
	int n = snprintf(b->p + b->len, b->size - b->len, "%s%s=%.*s", b->len ? " " : "", name,
			 (int)vlen, val);

	if (n > 0 && (size_t)n < b->size - b->len)
		b->len += (size_t)n;
}

static bool get_evt_args(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);
	char buf[2 * VIGIL_STR_MAX], val[512];
	struct strbuf b = {buf, 0, sizeof(buf)};
	size_t mark = g->c->scratch_used;
	struct vigil_value v;

	if (!d)
		return false;
	buf[0] = '\0';
	for (int i = 0; i < VIGIL_TYPE_MAX_ARGS && d->args[i].name; i++) {
		size_t n = render_arg(&d->args[i], h->args[d->args[i].index], val, sizeof(val));

		sb_add(&b, d->args[i].name, val, n < sizeof(val) ? n : sizeof(val) - 1);
	}
	for (size_t i = 0; i < sizeof(special_names) / sizeof(special_names[0]); i++) {
		if (!arg_by_name(d, special_names[i]) && special_arg(g, special_names[i], &v))
			sb_add(&b, special_names[i], v.str, v.len);
		g->c->scratch_used = mark;
	}
	if (d->data_name && special_arg(g, d->data_name, &v))
		sb_add(&b, d->data_name, v.str, v.len);
	return scratch_put(g->c, buf, b.len, out);
}

/* ---- processes ---- */

/* One process of the event's lineage: level 0 is the event's own process
 * (its name from the event), 1 its parent, and so on. */
struct pview {
	const struct vigil_proc *p; /* NULL: level 0 without a table entry */
	const char *comm;
	uint32_t pid;
};

static const char *self_comm(struct vigil_eval_ctx *c)
{
	const char *comm = c->ev->hdr->comm;
	size_t n = strnlen(comm, VIGIL_COMM_LEN);

	return n < VIGIL_COMM_LEN ? comm : scratch_copy(c, comm, n);
}

static bool lineage(struct vigil_eval_ctx *c, int level, struct pview *v)
{
	const struct vigil_event_hdr *h = c->ev->hdr;
	const struct vigil_proc *cur = c->proc;
	uint32_t next = h->ppid ? h->ppid : (cur ? cur->ppid : 0), prev = h->pid;

	if (level == 0) {
		v->p = cur;
		v->comm = self_comm(c);
		v->pid = h->pid;
		return v->comm != NULL;
	}
	if (level < 0 || level > MAX_LINEAGE || !c->procs)
		return false;
	for (int i = 0; i < level; i++) {
		if (!next || next == prev)
			return false;
		cur = vigil_proctable_get(c->procs, next);
		if (!cur)
			return false;
		prev = cur->pid;
		next = cur->ppid;
	}
	v->p = cur;
	v->comm = cur->comm;
	v->pid = cur->pid;
	return true;
}

static size_t argv0_len(const struct vigil_proc *p)
{
	size_t len = p->args_len < sizeof(p->args) ? p->args_len : sizeof(p->args);

	return strnlen(p->args, len);
}

/* "first arg1 arg2", or "first" alone without arguments. */
static bool put_line(struct vigil_eval_ctx *c, const char *first, size_t flen,
		     const struct vigil_proc *p, struct vigil_value *out)
{
	size_t avail, n;
	char *s = scratch_avail(c, &avail);

	if (flen + 2 > avail)
		return false;
	memcpy(s, first, flen);
	s[flen] = ' ';
	n = vigil_proc_format_args(p, true, s + flen + 1, avail - flen - 1);
	if (flen + 1 + n + 1 >= avail)
		return false; /* possibly cut */
	return scratch_keep(c, s, n ? flen + 1 + n : flen, out);
}

static bool put_args(struct vigil_eval_ctx *c, const struct vigil_proc *p, struct vigil_value *out)
{
	size_t avail, n;
	char *s = scratch_avail(c, &avail);

	if (!avail)
		return false;
	n = vigil_proc_format_args(p, true, s, avail);
	if (n + 1 >= avail && n)
		return false;
	return scratch_keep(c, s, n, out);
}

/* Number and total length of the arguments after argv[0]. */
static void count_args(const struct vigil_proc *p, int64_t *count, int64_t *total)
{
	size_t len = p->args_len < sizeof(p->args) ? p->args_len : sizeof(p->args);
	size_t i = argv0_len(p) + 1;

	*count = 0;
	*total = 0;
	while (i < len) {
		size_t n = strnlen(p->args + i, len - i);

		(*count)++;
		*total += (int64_t)n;
		i += n + 1;
	}
}

static bool pattr_counts(const struct pview *v, int which, struct vigil_value *out)
{
	int64_t count, total;

	count_args(v->p, &count, &total);
	return val_int(out, which == PA_NARGS ? count : total);
}

static bool pattr_time(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	uint64_t now = hdr_of(g)->ts_mono, start = v->p->start_ns;

	if (!start)
		return false;
	if (g->which == PA_START_TS)
		return val_int(out, (int64_t)start + g->c->mono_to_real_ns);
	return now >= start && val_int(out, (int64_t)(now - start));
}

/* The parent's pid in its namespace: known when the event's process is in
 * the host's pid namespace (so is its parent). */
static bool pattr_vpid(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);

	return h->pid == h->vpid && val_int(out, v->pid);
}

static bool pattr_table(const struct fget *g, const struct pview *v, struct vigil_value *out)
{
	const struct vigil_proc *p = v->p;

	switch (g->which) {
	case PA_EXE:
		return val_strn(out, p->args, argv0_len(p));
	case PA_EXEPATH:
		return val_str(out, p->exe);
	case PA_ARGS:
		return put_args(g->c, p, out);
	case PA_CMDLINE:
		return put_line(g->c, v->comm, strlen(v->comm), p, out);
	case PA_EXELINE:
		return put_line(g->c, p->args, argv0_len(p), p, out);
	case PA_CWD:
		return val_str(out, p->cwd);
	case PA_NARGS:
	case PA_LENARGS:
		return pattr_counts(v, g->which, out);
	default:
		return pattr_time(g, v, out);
	}
}

static int pattr_level(const struct fget *g)
{
	if (g->level >= 0)
		return g->level;
	if (g->ref->index >= 0)
		return g->ref->index;
	return g->multi ? (int)g->nth + 1 : 0;
}

static bool get_pattr(const struct fget *g, struct vigil_value *out)
{
	struct pview v;

	if (g->multi && g->nth >= MAX_LINEAGE)
		return false;
	if (!lineage(g->c, pattr_level(g), &v))
		return false;
	switch (g->which) {
	case PA_NAME:
		return val_str(out, v.comm);
	case PA_PID:
		return val_int(out, v.pid);
	case PA_VPID:
		return pattr_vpid(g, &v, out);
	default:
		return v.p && pattr_table(g, &v, out);
	}
}

/* Facts from exec: the event's own when it is an exec, else the table's. */
struct xinfo {
	uint32_t tty, sid, flags;
	uint64_t cap_eff, cap_perm, cap_inh;
	uint64_t ino, ctime, mtime;
};

static bool exec_info(struct vigil_eval_ctx *c, struct xinfo *x)
{
	const struct vigil_execinfo *e = c->ev->execinfo;
	const struct vigil_proc *p = c->proc;

	if (e && c->ev->hdr->ret >= 0) {
		*x = (struct xinfo){e->tty,	      e->sid,		e->flags,
				    e->cap_effective, e->cap_permitted, e->cap_inheritable,
				    e->exe_ino,	      e->exe_ctime_ns,	e->exe_mtime_ns};
		return true;
	}
	if (!p)
		return false;
	*x = (struct xinfo){p->tty,	      p->sid,		p->exe_flags,
			    p->cap_effective, p->cap_permitted, p->cap_inheritable,
			    p->exe_ino,	      p->exe_ctime_ns,	p->exe_mtime_ns};
	return true;
}

/* The session leader: the process whose pid is the sid when the event's
 * process is in the host pid namespace, else (or when it is gone) the
 * eldest ancestor with the same sid, as Falco does. */
static bool session_leader(struct vigil_eval_ctx *c, uint32_t sid, struct pview *out)
{
	const struct vigil_event_hdr *h = c->ev->hdr;
	const struct vigil_proc *s;
	struct pview a;

	if (h->pid == h->vpid && c->procs && (s = vigil_proctable_get(c->procs, sid))) {
		*out = (struct pview){s, s->comm, s->pid};
		return true;
	}
	if (!lineage(c, 0, out))
		return false;
	for (int lvl = 1; lvl <= MAX_LINEAGE; lvl++) {
		if (!lineage(c, lvl, &a) || a.p->sid != sid)
			break;
		*out = a;
	}
	return true;
}

static bool pself_session(const struct fget *g, const struct xinfo *x, struct vigil_value *out)
{
	struct pview v;

	if (!x->sid || !session_leader(g->c, x->sid, &v))
		return false;
	if (g->which == PS_SNAME)
		return val_str(out, v.comm);
	if (!v.p)
		return false;
	if (g->which == PS_SEXE)
		return val_strn(out, v.p->args, argv0_len(v.p));
	return val_str(out, v.p->exe);
}

/* Capabilities as Falco writes them: names separated by spaces. */
static bool put_caps(struct vigil_eval_ctx *c, uint64_t caps, struct vigil_value *out)
{
	size_t avail, n;
	char *s = scratch_avail(c, &avail);

	if (avail < 2)
		return false;
	n = vigil_format_arg(VIGIL_AF_CAPS, caps, s, avail);
	if (n + 1 >= avail)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '|')
			s[i] = ' ';
	return scratch_keep(c, s, n, out);
}

/* capset changes the sets: its own arguments hold the new ones. */
static bool pself_caps(const struct fget *g, const struct xinfo *x, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint64_t v;

	switch (g->which) {
	case PS_CAP_EFF:
		if (ev->hdr->type != VIGIL_EVT_CAPSET || !raw_arg(ev, "cap_effective", &v))
			v = x->cap_eff;
		return put_caps(g->c, v, out);
	case PS_CAP_PERM:
		if (ev->hdr->type != VIGIL_EVT_CAPSET || !raw_arg(ev, "cap_permitted", &v))
			v = x->cap_perm;
		return put_caps(g->c, v, out);
	default:
		return put_caps(g->c, x->cap_inh, out);
	}
}

static bool pself_ctime_to_start(const struct fget *g, const struct xinfo *x,
				 struct vigil_value *out)
{
	const struct vigil_proc *p = g->c->proc;
	int64_t start;

	if (!p || !p->start_ns || !x->ctime)
		return false;
	start = (int64_t)p->start_ns + g->c->mono_to_real_ns;
	return start >= (int64_t)x->ctime && val_int(out, start - (int64_t)x->ctime);
}

static bool pself_exec(const struct fget *g, struct vigil_value *out)
{
	struct xinfo x;

	if (!exec_info(g->c, &x))
		return false;
	switch (g->which) {
	case PS_TTY:
		return val_int(out, x.tty);
	case PS_SID:
		return x.sid && val_int(out, x.sid);
	case PS_SID_LEADER:
		return x.sid && val_int(out, x.sid == hdr_of(g)->vpid);
	case PS_SNAME:
	case PS_SEXE:
	case PS_SEXEPATH:
		return pself_session(g, &x, out);
	case PS_MEMFD:
		return val_int(out, (x.flags & VIGIL_EXEC_FROM_MEMFD) != 0);
	case PS_EXE_INO:
		return x.ino && val_int(out, (int64_t)x.ino);
	case PS_EXE_CTIME:
		return x.ctime && val_int(out, (int64_t)x.ctime);
	case PS_EXE_MTIME:
		return x.mtime && val_int(out, (int64_t)x.mtime);
	case PS_CTIME_TO_START:
		return pself_ctime_to_start(g, &x, out);
	default:
		return pself_caps(g, &x, out);
	}
}

static bool ends_with_sh(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && s[n - 2] == 's' && s[n - 1] == 'h';
}

static bool pself_loginshell(const struct fget *g, struct vigil_value *out)
{
	struct pview v;
	bool found = false;

	for (int lvl = 0; lvl <= MAX_LINEAGE && lineage(g->c, lvl, &v); lvl++) {
		if (ends_with_sh(v.comm)) {
			out->num = v.pid;
			found = true;
		}
	}
	return found;
}

static bool get_pself(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);

	switch (g->which) {
	case PS_TID:
		return val_int(out, h->tid);
	case PS_VTID:
		return h->tid == h->pid && val_int(out, h->vpid);
	case PS_ISMAIN:
		return val_int(out, h->tid == h->pid);
	case PS_VPID:
		return val_int(out, h->vpid);
	case PS_FALSE:
		return val_int(out, false);
	case PS_PIDNS:
		return val_int(out, h->pidns);
	case PS_MNTNS:
		return val_int(out, h->mntns);
	case PS_NETNS:
		return val_int(out, h->netns);
	case PS_CGROUP_ID:
		return val_int(out, (int64_t)h->cgroup_id);
	case PS_LOGINSHELL:
		return pself_loginshell(g, out);
	default:
		return pself_exec(g, out);
	}
}

/* ---- /proc reads: environment and standard fds ---- */

/* Reads up to size - 1 bytes of /proc/PID/name; false when it cannot be opened. */
static bool read_proc(uint32_t pid, const char *name, char *buf, size_t size, size_t *len)
{
	char path[64];
	int fd;
	ssize_t n;

	*len = 0;
	if (size < 2)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (*len < size - 1 && (n = read(fd, buf + *len, size - 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	return true;
}

/* Finds NAME=value in a NUL-separated environment block. */
static bool env_find(const char *env, size_t len, const char *name, size_t *voff, size_t *vlen)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < len;) {
		size_t n = strnlen(env + i, len - i);

		if (n > nl && env[i + nl] == '=' && !memcmp(env + i, name, nl)) {
			*voff = i + nl + 1;
			*vlen = n - nl - 1;
			return true;
		}
		i += n + 1;
	}
	return false;
}

static bool get_env(const struct fget *g, struct vigil_value *out)
{
	size_t avail, len, voff, vlen;
	char *s = scratch_avail(g->c, &avail);

	if (!read_proc(hdr_of(g)->pid, "environ", s, avail, &len))
		return false;
	if (g->ref->key[0]) {
		if (!env_find(s, len, g->ref->key, &voff, &vlen))
			return scratch_keep(g->c, s, 0, out); /* unset: "", as Falco */
		memmove(s, s + voff, vlen);
		return scratch_keep(g->c, s, vlen, out);
	}
	while (len && s[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return scratch_keep(g->c, s, len, out);
}

/* Lines of a /proc file through a fixed buffer (no stdio, no allocation). */
struct lines {
	int fd;
	size_t len, pos;
	char buf[4096];
};

static char *next_line(struct lines *l)
{
	for (;;) {
		char *nl = memchr(l->buf + l->pos, '\n', l->len - l->pos);
		ssize_t n;

		if (nl) {
			char *s = l->buf + l->pos;

			*nl = '\0';
			l->pos = (size_t)(nl - l->buf) + 1;
			return s;
		}
		memmove(l->buf, l->buf + l->pos, l->len - l->pos);
		l->len -= l->pos;
		l->pos = 0;
		if (l->len == sizeof(l->buf) - 1)
			l->len = 0; /* a line longer than the buffer: dropped */
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - 1 - l->len);
		if (n > 0) {
			l->len += (size_t)n;
			continue;
		}
		if (!l->len)
			return NULL;
		l->buf[l->len] = '\0';
		l->pos = l->len;
		return l->buf;
	}
}

static void hex_addr(const char *hex, uint8_t *addr, size_t words)
{
	for (size_t w = 0; w < words; w++) {
		char word[9];
		uint32_t v;

		memcpy(word, hex + 8 * w, 8);
		word[8] = '\0';
		v = (uint32_t)strtoul(word, NULL, 16);
		memcpy(addr + 4 * w, &v, 4); /* the kernel prints the words as stored */
	}
}

static size_t ip_port_str(int family, const uint8_t *addr, unsigned port, char *out, size_t sz)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	inet_ntop(family, addr, ip, sizeof(ip));
	n = snprintf(out, sz, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
	return n < 0 ? 0 : (size_t)n;
}

/* "lip:lport->rip:rport" of the IP socket with this inode, from
 * /proc/PID/net/tcp, udp or raw (tcp6... for IPv6). */
static bool inet_sock_name(uint32_t pid, unsigned long ino, bool v6, char *out, size_t sz)
{
	static const char *const files[] = {"tcp", "udp", "raw"};
	char path[64], lhex[40], rhex[40], a[64], b[64];
	unsigned lport, rport;
	unsigned long inode;
	uint8_t la[16], ra[16];
	struct lines l;
	char *line;
	bool found = false;

	for (size_t f = 0; f < 3 && !found; f++) {
		snprintf(path, sizeof(path), "/proc/%u/net/%s%s", pid, files[f], v6 ? "6" : "");
		l.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (l.fd < 0)
			continue;
		l.len = l.pos = 0;
		while (!found && (line = next_line(&l)))
			found = sscanf(line,
				       " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %*x %*s %*s %*s "
				       "%*u %*u %lu",
				       lhex, &lport, rhex, &rport, &inode) == 5 &&
				inode == ino && strlen(lhex) == (v6 ? 32u : 8u) &&
				strlen(rhex) == strlen(lhex);
		close(l.fd);
	}
	if (!found)
		return false;
	hex_addr(lhex, la, v6 ? 4 : 1);
	hex_addr(rhex, ra, v6 ? 4 : 1);
	ip_port_str(v6 ? AF_INET6 : AF_INET, la, lport, a, sizeof(a));
	if (!rport) {
		snprintf(out, sz, "%s", a);
		return true;
	}
	ip_port_str(v6 ? AF_INET6 : AF_INET, ra, rport, b, sizeof(b));
	snprintf(out, sz, "%s->%s", a, b);
	return true;
}

/* fd.type names for the socket families the kernel reports. */
static const char *sock_type(const char *path)
{
	char proto[32];
	ssize_t n = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);

	if (n <= 0)
		return "unknown";
	proto[n] = '\0';
	if (!strncmp(proto, "UNIX", 4))
		return "unix";
	if (!strncmp(proto, "NETLINK", 7))
		return "netlink";
	if (strstr(proto, "v6"))
		return "ipv6";
	if (!strncmp(proto, "TCP", 3) || !strncmp(proto, "UDP", 3) || !strncmp(proto, "RAW", 3) ||
	    !strncmp(proto, "PING", 4) || !strncmp(proto, "SCTP", 4) || !strncmp(proto, "MPTCP", 5))
		return "ipv4";
	return "unknown";
}

static const char *anon_type(const char *what)
{
	static const struct {
		const char *prefix, *type;
	} anon[] = {
	    {"[eventfd]", "event"},
	    {"[signalfd]", "signalfd"},
	    {"[eventpoll]", "eventpoll"},
	    {"inotify", "inotify"},
	    {"[timerfd]", "timerfd"},
	    {"bpf", "bpf"},
	    {"[userfaultfd]", "userfaultfd"},
	    {"[io_uring]", "io_uring"},
	    {"[pidfd]", "pidfd"},
	};

	for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
		if (!strncmp(what, anon[i].prefix, strlen(anon[i].prefix)))
			return anon[i].type;
	return "unknown";
}

/* fd.type of what /proc/PID/fd/N (path) links to (link). */
static const char *link_type(const char *path, const char *link)
{
	struct stat st;

	if (!strncmp(link, "pipe:", 5))
		return "pipe";
	if (!strncmp(link, "socket:", 7))
		return sock_type(path);
	if (!strncmp(link, "anon_inode:", 11))
		return anon_type(link + 11);
	if (!strncmp(link, "/memfd:", 7))
		return "memfd";
	if (link[0] != '/')
		return "unknown";
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "directory" : "file";
}

static bool stdio_name(const struct fget *g, uint32_t pid, const char *type, const char *link,
		       struct vigil_value *out)
{
	char name[160];
	unsigned long ino;

	if ((!strcmp(type, "ipv4") || !strcmp(type, "ipv6")) &&
	    sscanf(link, "socket:[%lu]", &ino) == 1 &&
	    inet_sock_name(pid, ino, type[3] == '6', name, sizeof(name)))
		return scratch_printf(g->c, out, "%s", name);
	return scratch_printf(g->c, out, "%s", link);
}

static bool get_stdio(const struct fget *g, struct vigil_value *out)
{
	uint32_t pid = hdr_of(g)->pid;
	char path[64], link[VIGIL_PATH_MAX];
	const char *type;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, g->which & 0xf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	type = link_type(path, link);
	if (g->which & STDIO_NAME)
		return stdio_name(g, pid, type, link, out);
	return val_str(out, type);
}

/* ---- users and groups ---- */

struct id_entry {
	uint32_t id;
	uint32_t name, home, shell; /* offsets in the pool */
};

struct id_db {
	const char *path;
	bool groups;
	bool loaded;
	uint64_t checked; /* event time of the last stat */
	struct timespec mtime;
	off_t size;
	ino_t ino;
	size_t n, used;
	struct id_entry e[ID_MAX];
	char pool[ID_POOL];
};

static struct id_db users = {.path = "/etc/passwd"};
static struct id_db groups = {.path = "/etc/group", .groups = true};

/* Where the user and group names come from, e.g. the host's files seen
 * from a container ("/proc/1/root/etc/passwd"). NULL keeps the current one;
 * the strings are kept, not copied. Not in rule_fields.h yet. */

void vigil_fields_set_id_files(const char *passwd, const char *group)
{
	if (passwd) {
		users.path = passwd;
		users.loaded = false;
	}
	if (group) {
		groups.path = group;
		groups.loaded = false;
	}
}

static uint32_t pool_add(struct id_db *db, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	uint32_t off = (uint32_t)db->used;

	if (n > sizeof(db->pool) - db->used)
		return UINT32_MAX;
	memcpy(db->pool + db->used, s ? s : "", n);
	db->used += n;
	return off;
}

static void id_add(struct id_db *db, uint32_t id, const char *name, const char *home,
		   const char *shell)
{
	struct id_entry *e = &db->e[db->n];

	if (db->n == ID_MAX)
		return;
	e->id = id;
	e->name = pool_add(db, name);
	e->home = pool_add(db, home);
	e->shell = pool_add(db, shell);
	if (e->name != UINT32_MAX && e->home != UINT32_MAX && e->shell != UINT32_MAX)
		db->n++;
}

static void id_load(struct id_db *db)
{
	FILE *f = fopen(db->path, "re");
	struct passwd *pw;
	struct group *gr;

	db->n = 0;
	db->used = 0;
	if (!f)
		return;
	if (db->groups) {
		while ((gr = fgetgrent(f)))
			id_add(db, gr->gr_gid, gr->gr_name, NULL, NULL);
	} else {
		while ((pw = fgetpwent(f)))
			id_add(db, pw->pw_uid, pw->pw_name, pw->pw_dir, pw->pw_shell);
	}
	fclose(f);
}

/* Reloads when the file changed; looks at it at most once a second. */
static void id_refresh(struct id_db *db, uint64_t now)
{
	struct stat st;

	if (db->loaded && now >= db->checked && now - db->checked < ID_RECHECK_NS)
		return;
	db->checked = now;
	if (stat(db->path, &st) != 0) {
		db->n = 0;
		db->size = -1;
		db->loaded = true;
		return;
	}
	if (db->loaded && st.st_mtim.tv_sec == db->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == db->mtime.tv_nsec && st.st_size == db->size &&
	    st.st_ino == db->ino)
		return;
	id_load(db);
	db->mtime = st.st_mtim;
	db->size = st.st_size;
	db->ino = st.st_ino;
	db->loaded = true;
}

static const struct id_entry *id_find(struct id_db *db, uint32_t id, uint64_t now)
{
	id_refresh(db, now);
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].id == id)
			return &db->e[i];
	return NULL;
}

static bool user_str(const struct fget *g, uint32_t uid, int which, struct vigil_value *out)
{
	const struct id_entry *e = id_find(&users, uid, hdr_of(g)->ts_mono);

	if (!e)
		return false;
	if (which == U_HOME)
		return val_str(out, users.pool + e->home);
	if (which == U_SHELL)
		return val_str(out, users.pool + e->shell);
	return val_str(out, users.pool + e->name);
}

static bool get_user(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event_hdr *h = hdr_of(g);
	const struct id_entry *e;

	switch (g->which) {
	case U_UID:
		return val_int(out, h->uid);
	case U_EUID:
		return val_int(out, h->euid);
	case U_LOGINUID:
		return val_int(out, (int32_t)h->loginuid);
	case U_LOGINNAME:
		return h->loginuid != UINT32_MAX && user_str(g, h->loginuid, U_NAME, out);
	case U_GID:
		return val_int(out, h->gid);
	case U_EGID:
		return val_int(out, h->egid);
	case U_GNAME:
		e = id_find(&groups, h->gid, h->ts_mono);
		return e && val_str(out, groups.pool + e->name);
	default:
		return user_str(g, h->uid, g->which, out);
	}
}

/* ---- sockets ---- */

struct endpoint {
	unsigned family;
	uint8_t addr[16];
	unsigned port;
	bool set;
	char path[SOCK_PATH_MAX];
};

/* The two ends of the event's socket and who is client and server. Holds
 * pointers to itself: use in place. */
struct sockview {
	unsigned family; /* 0: not a socket event */
	struct endpoint local, remote;
	const struct endpoint *client, *server; /* NULL: role unknown */
	bool servsock;				/* listen, bind: only a server end */
};

static void ep_from_bytes(struct endpoint *e, unsigned family, const uint8_t *addr, unsigned port)
{
	e->family = family;
	e->port = port;
	e->set = true;
	memcpy(e->addr, addr, family == AF_INET6 ? 16 : 4);
}

static void ep_from_unix(struct endpoint *e, const char *p, size_t n)
{
	e->family = AF_UNIX;
	e->set = true;
	if (n > sizeof(e->path) - 2)
		n = sizeof(e->path) - 2;
	if (n > 0 && p[0] == '\0') { /* abstract socket */
		e->path[0] = '@';
		memcpy(e->path + 1, p + 1, n - 1);
		e->path[n] = '\0';
	} else {
		memcpy(e->path, p, n);
		e->path[n] = '\0';
	}
}

static void ep_from_sockaddr(struct endpoint *e, const uint8_t *sa, uint32_t len)
{
	uint16_t family, port;

	if (len < 2)
		return;
	memcpy(&family, sa, 2);
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(&port, sa + 2, 2);
		ep_from_bytes(e, AF_INET, sa + 4, ntohs(port));
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(&port, sa + 2, 2);
		ep_from_bytes(e, AF_INET6, sa + 8, ntohs(port));
	} else if (family == AF_UNIX) {
		ep_from_unix(e, (const char *)sa + 2, len - 2);
	}
}

/* As the event JSON: the kernel socket, with the caller's sockaddr for the
 * remote end of connect and the local end of bind. */
static void sock_ends(const struct vigil_event *ev, struct sockview *s)
{
	const struct vigil_sockinfo *si = ev->sock;
	uint32_t type = ev->hdr->type;

	if (si && (si->family == AF_INET || si->family == AF_INET6)) {
		ep_from_bytes(&s->local, si->family, si->laddr, si->lport);
		if (si->rport)
			ep_from_bytes(&s->remote, si->family, si->raddr, si->rport);
	}
	if (ev->sockaddr && type == VIGIL_EVT_CONNECT)
		ep_from_sockaddr(&s->remote, ev->sockaddr, ev->sockaddr_len);
	if (ev->sockaddr && type == VIGIL_EVT_BIND)
		ep_from_sockaddr(&s->local, ev->sockaddr, ev->sockaddr_len);
}

static void sock_view(const struct vigil_event *ev, struct sockview *s)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint32_t type = ev->hdr->type;
	uint64_t domain;

	memset(s, 0, sizeof(*s));
	if (!d || d->family != VIGIL_FAM_NET)
		return;
	sock_ends(ev, s);
	s->family =
	    ev->sock ? ev->sock->family : (s->local.set ? s->local.family : s->remote.family);
	if (!s->family && raw_arg(ev, "domain", &domain))
		s->family = (unsigned)domain;
	if (s->family != AF_INET && s->family != AF_INET6)
		return;
	if (is_accept(type) && s->remote.set) {
		s->client = &s->remote;
		s->server = &s->local;
	} else if (type == VIGIL_EVT_CONNECT && s->remote.set) {
		s->client = &s->local;
		s->server = &s->remote;
	} else if ((type == VIGIL_EVT_LISTEN || type == VIGIL_EVT_BIND) && s->local.set) {
		s->server = &s->local;
		s->servsock = true;
	}
}

static const struct endpoint *sock_end(const struct sockview *s, int role, size_t nth)
{
	switch (role) {
	case R_CLIENT:
		return s->client;
	case R_SERVER:
		return s->server;
	case R_LOCAL:
		return &s->local;
	case R_REMOTE:
		return &s->remote;
	default: /* R_ANY: client then server */
		if (s->servsock)
			return nth == 0 ? s->server : NULL;
		if (!s->client || !s->server || nth > 1)
			return NULL;
		return nth == 0 ? s->client : s->server;
	}
}

static const struct endpoint *ip_end(const struct fget *g, struct sockview *s)
{
	const struct endpoint *e;

	sock_view(g->c->ev, s);
	e = sock_end(s, g->which, g->multi ? g->nth : 0);
	if (!e || !e->set || (e->family != AF_INET && e->family != AF_INET6))
		return NULL;
	return e;
}

static bool get_sock_ip(const struct fget *g, struct vigil_value *out)
{
	struct sockview s;
	const struct endpoint *e = ip_end(g, &s);

	if (!e)
		return false;
	out->ip_len = e->family == AF_INET6 ? 16 : 4;
	memcpy(out->ip, e->addr, out->ip_len);
	return true;
}

static bool get_sock_port(const struct fget *g, struct vigil_value *out)
{
	struct sockview s;
	const struct endpoint *e = ip_end(g, &s);

	return e && val_int(out, e->port);
}

/* fd.name of a socket event, as the event JSON writes it. */
static bool sock_name(const struct fget *g, struct vigil_value *out)
{
	bool accepted = is_accept(hdr_of(g)->type);
	const struct endpoint *client, *server, *e;
	char a[64], b[64];
	struct sockview s;

	sock_view(g->c->ev, &s);
	if (s.family == AF_UNIX) {
		e = s.remote.set ? &s.remote : &s.local;
		return e->set && e->family == AF_UNIX && scratch_printf(g->c, out, "%s", e->path);
	}
	if (s.family != AF_INET && s.family != AF_INET6)
		return false;
	client = accepted ? &s.remote : &s.local;
	server = accepted ? &s.local : &s.remote;
	if (s.remote.set) {
		ip_port_str((int)client->family, client->addr, client->port, a, sizeof(a));
		ip_port_str((int)server->family, server->addr, server->port, b, sizeof(b));
		return scratch_printf(g->c, out, "%s->%s", a, b);
	}
	if (!s.local.set)
		return false;
	ip_port_str((int)s.local.family, s.local.addr, s.local.port, a, sizeof(a));
	return scratch_printf(g->c, out, "%s", a);
}

/* ---- fd.* and fs.path.* ---- */

enum fdkind {
	FK_NONE,
	FK_FILE,
	FK_DIR,
	FK_IPV4,
	FK_IPV6,
	FK_UNIX,
	FK_NETLINK,
	FK_MEMFD,
	FK_BPF,
	FK_OTHER
};

static const char *const fdkind_type[] = {
    [FK_FILE] = "file",	  [FK_DIR] = "directory", [FK_IPV4] = "ipv4",
    [FK_IPV6] = "ipv6",	  [FK_UNIX] = "unix",	  [FK_NETLINK] = "netlink",
    [FK_MEMFD] = "memfd", [FK_BPF] = "bpf",	  [FK_OTHER] = "unknown",
};
static const char *const fdkind_char[] = {
    [FK_FILE] = "f",	[FK_DIR] = "d",	  [FK_IPV4] = "4", [FK_IPV6] = "6",  [FK_UNIX] = "u",
    [FK_NETLINK] = "n", [FK_MEMFD] = "m", [FK_BPF] = "b",  [FK_OTHER] = "o",
};

static enum fdkind sock_kind(const struct vigil_event *ev)
{
	struct sockview s;

	sock_view(ev, &s);
	switch (s.family) {
	case 0:
		return FK_NONE;
	case AF_INET:
		return FK_IPV4;
	case AF_INET6:
		return FK_IPV6;
	case AF_UNIX:
		return FK_UNIX;
	case AF_NETLINK:
		return FK_NETLINK;
	default:
		return FK_OTHER;
	}
}

static enum fdkind fd_kind(const struct vigil_event *ev)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint64_t flags = 0;

	if (!d)
		return FK_NONE;
	switch (ev->hdr->type) {
	case VIGIL_EVT_MEMFD_CREATE:
		return FK_MEMFD;
	case VIGIL_EVT_BPF:
		return FK_BPF;
	default:
		break;
	}
	switch (d->family) {
	case VIGIL_FAM_NET:
		return sock_kind(ev);
	case VIGIL_FAM_FILE:
		if (is_open(ev->hdr->type) && raw_arg(ev, "flags", &flags) &&
		    (flags & O_DIRECTORY) && ev->hdr->ret >= 0)
			return FK_DIR;
		return FK_FILE;
	case VIGIL_FAM_KERNEL:
		return d->fd_in_arg0 || d->fd_in_ret ? FK_FILE : FK_NONE;
	default:
		return FK_NONE;
	}
}

/* The object's path as the event JSON gives it (fd.name / fd.nameraw). */
static const char *event_path(const struct vigil_event *ev, bool raw)
{
	const struct vigil_type_desc *d = vigil_type_desc(ev->hdr->type);
	uint32_t type = ev->hdr->type;

	if (!d || d->family == VIGIL_FAM_NET || type == VIGIL_EVT_CLONE ||
	    type == VIGIL_EVT_PROCEXIT)
		return NULL;
	if (is_exec(type)) /* the process itself changed; a failed exec names the file */
		return ev->hdr->ret < 0 ? (raw ? ev->nameraw : ev->name) : NULL;
	if (d->path2 == VIGIL_P2_LINK || d->path2 == VIGIL_P2_MOUNT)
		return raw ? ev->targetraw : ev->target;
	return raw ? ev->nameraw : ev->name;
}

static bool fd_num(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_type_desc *d = desc_of(g);
	const struct vigil_event_hdr *h = hdr_of(g);

	if (!d)
		return false;
	if (d->fd_in_ret)
		return val_int(out, h->ret >= 0 ? h->ret : -1);
	return d->fd_in_arg0 && val_int(out, (int32_t)h->args[0]);
}

/* As Falco: the directory of a file ("/" for a name without one); a
 * directory is its own. */
static bool fd_directory(const struct fget *g, const char *name, enum fdkind k,
			 struct vigil_value *out)
{
	const char *slash = strrchr(name, '/');
	size_t len = strlen(name);

	if (k == FK_DIR)
		return val_str(out, name);
	if (!slash || slash == name)
		return val_str(out, "/");
	if ((size_t)(slash - name) == len - 1)
		return val_str(out, name);
	return scratch_put(g->c, name, (size_t)(slash - name), out);
}

static bool fd_filename(const char *name, struct vigil_value *out)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return val_str(out, "/");
	return val_str(out, slash[1] ? slash + 1 : name);
}

static bool fd_file(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	enum fdkind k = fd_kind(ev);
	const char *name = event_path(ev, false);

	if ((k != FK_FILE && k != FK_DIR) || !name)
		return false;
	if (g->which == FD_DIRECTORY)
		return fd_directory(g, name, k, out);
	return k == FK_FILE && fd_filename(name, out);
}

static bool fd_sock(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	uint32_t type = ev->hdr->type;
	struct sockview s;

	sock_view(ev, &s);
	if (!s.family)
		return false;
	switch (g->which) {
	case FD_L4PROTO:
		return val_str(out, vigil_l4proto_name(s.family, ev->sock ? ev->sock->type : 0,
						       ev->sock ? ev->sock->protocol : 0));
	case FD_SOCKFAMILY:
		return val_str(out, vigil_sockfamily_name(s.family));
	case FD_IS_SERVER:
		if (type == VIGIL_EVT_CONNECT)
			return val_int(out, false);
		return (is_accept(type) || type == VIGIL_EVT_LISTEN || type == VIGIL_EVT_BIND) &&
		       val_int(out, true);
	default: /* FD_CONNECTED */
		return val_int(out, (type == VIGIL_EVT_CONNECT || is_accept(type)) &&
					ev->hdr->ret >= 0 && s.remote.set);
	}
}

static bool get_fd(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);
	enum fdkind k;

	switch (g->which) {
	case FD_NUM:
		return fd_num(g, out);
	case FD_TYPE:
	case FD_TYPECHAR:
		k = fd_kind(ev);
		if (k == FK_NONE)
			return false;
		return val_str(out, g->which == FD_TYPE ? fdkind_type[k] : fdkind_char[k]);
	case FD_NAME:
		if (d && d->family == VIGIL_FAM_NET)
			return sock_name(g, out);
		return val_str(out, event_path(ev, false));
	case FD_NAMERAW:
		return val_str(out, event_path(ev, true));
	case FD_DIRECTORY:
	case FD_FILENAME:
		return fd_file(g, out);
	default:
		return fd_sock(g, out);
	}
}

static bool get_fspath(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_event *ev = g->c->ev;
	const struct vigil_type_desc *d = desc_of(g);
	bool two = d && d->path2 != VIGIL_P2_NONE;

	if (!d || (d->family != VIGIL_FAM_FILE && d->family != VIGIL_FAM_KERNEL))
		return false;
	switch (g->which) {
	case FS_NAME:
		return val_str(out, event_path(ev, false));
	case FS_NAMERAW:
		return val_str(out, event_path(ev, true));
	case FS_SOURCE: /* symlink and mount: the caller's string is the source */
		if (d->path2 == VIGIL_P2_LINK || d->path2 == VIGIL_P2_MOUNT)
			return val_str(out, ev->nameraw);
		return two && val_str(out, ev->name);
	case FS_SOURCERAW:
		return two && val_str(out, ev->nameraw);
	case FS_TARGET:
		return two && val_str(out, ev->target);
	default: /* FS_TARGETRAW */
		return two && val_str(out, ev->targetraw);
	}
}

/* ---- containers ---- */

static bool get_container(const struct fget *g, struct vigil_value *out)
{
	const struct vigil_cgroup_info *cg = g->c->cgroup;
	const struct vigil_container_ref *ct;

	if (!cg)
		return false;
	ct = cg->container.id[0] ? &cg->container : NULL;
	switch (g->which) {
	case C_ID:
		if (!ct)
			return val_str(out, "host");
		return scratch_put(g->c, ct->id, strnlen(ct->id, VIGIL_CONTAINER_SHORT_ID_LEN),
				   out);
	case C_FULL_ID:
		return val_str(out, ct ? ct->id : "host");
	case C_NAME:
		return !ct && val_str(out, "host");
	case C_TYPE:
		return val_str(out, ct ? ct->runtime : "host");
	default: /* C_INFO */
		return scratch_printf(g->c, out, "container_id=%.*s",
				      ct ? VIGIL_CONTAINER_SHORT_ID_LEN : 4, ct ? ct->id : "host");
	}
}

static bool get_absent(const struct fget *g, struct vigil_value *out)
{
	(void)g;
	(void)out;
	return false;
}

/* ---- parsing field references ---- */

static bool is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.';
}

static bool parse_index(const char *s, size_t n, int32_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = (int32_t)v;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static bool set_key(struct vigil_field_ref *ref, const char *s, size_t n, const char **err)
{
	if (n == 0) {
		*err = "empty field argument";
		return false;
	}
	if (n >= sizeof(ref->key)) {
		*err = "field argument too long";
		return false;
	}
	memcpy(ref->key, s, n);
	ref->key[n] = '\0';
	return true;
}

/* "[...]" after the name at text + n. */
static size_t parse_bracket(const struct field *f, const char *text, size_t n,
			    struct vigil_field_ref *ref, const char **err)
{
	const char *arg = text + n + 1;
	const char *end = strchr(arg, ']');
	size_t len;

	if (!end) {
		*err = "missing ']' after the field argument";
		return 0;
	}
	len = (size_t)(end - arg);
	if (f->def.arg == VIGIL_FARG_NONE) {
		*err = "field takes no argument";
		return 0;
	}
	if (f->def.arg == VIGIL_FARG_INDEX || ((f->flags & FL_NUMKEY) && all_digits(arg, len))) {
		if (!parse_index(arg, len, &ref->index)) {
			*err = "field index must be a number";
			return 0;
		}
	} else if (!set_key(ref, arg, len, err)) {
		return 0;
	}
	return (size_t)(end - text) + 1;
}

/* What follows the name (n characters; ident: length of the word). */
static size_t parse_arg(const struct field *f, const char *text, size_t n, size_t ident,
			struct vigil_field_ref *ref, const char **err)
{
	if (text[n] == '[')
		return parse_bracket(f, text, n, ref, err);
	if (text[n] == '.' && f->def.arg == VIGIL_FARG_KEY)
		return set_key(ref, text + n + 1, ident - n - 1, err) ? ident : 0;
	if (f->def.arg != VIGIL_FARG_NONE && !f->def.arg_optional) {
		*err = f->def.arg == VIGIL_FARG_INDEX ? "field needs an index"
						      : "field needs an argument";
		return 0;
	}
	return n;
}

size_t vigil_field_parse(const char *text, struct vigil_field_ref *ref, const char **err)
{
	size_t ident = 0, best = 0;
	long id = -1;

	while (is_ident(text[ident]))
		ident++;
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		size_t n = strlen(f->def.name);

		if (n <= best || n > ident || memcmp(text, f->def.name, n) != 0)
			continue;
		if (n == ident || (text[n] == '.' && f->def.arg == VIGIL_FARG_KEY)) {
			best = n;
			id = (long)i;
		}
	}
	if (id < 0) {
		*err = "unknown field";
		return 0;
	}
	memset(ref, 0, sizeof(*ref));
	ref->id = (uint16_t)id;
	ref->index = -1;
	return parse_arg(&fields[id], text, best, ident, ref, err);
}

/* ---- extraction ---- */

static bool extract(struct vigil_eval_ctx *c, const struct vigil_field_ref *ref, bool multi,
		    size_t nth, struct vigil_value *out)
{
	const struct memo_entry *m;
	const struct field *f;
	struct fget g;
	bool present;

	memset(out, 0, sizeof(*out));
	if (!c || !ref || ref->id >= NFIELDS || !c->ev || !c->ev->hdr)
		return false;
	m = memo_find(c, ref, multi, nth);
	if (m) {
		*out = m->v;
		return m->present;
	}
	f = &fields[ref->id];
	g = (struct fget){c, ref, f->which, f->level, multi, nth};
	present = f->get(&g, out);
	if (present)
		out->type = f->def.type;
	else
		memset(out, 0, sizeof(*out));
	if ((f->flags & FL_MEMO) || (present && in_scratch(c, out)))
		memo_add(c, ref, multi, nth, present, out);
	return present;
}

/* A multi-valued field read whole (an output's %proc.aname) gives one
 * value: for the ancestor fields the process itself, as Falco's outputs do;
 * for fd.ip, fd.port, fd.net the client end (the server of a listening
 * socket). */
bool vigil_field_get(struct vigil_eval_ctx *c, const struct vigil_field_ref *ref,
		     struct vigil_value *out)
{
	return extract(c, ref, false, 0, out);
}

bool vigil_field_is_multi(const struct vigil_field_ref *ref)
{
	return ref && ref->id < NFIELDS && (fields[ref->id].flags & FL_MULTI) && ref->index < 0 &&
	       !ref->key[0];
}

bool vigil_field_get_nth(struct vigil_eval_ctx *c, const struct vigil_field_ref *ref, size_t n,
			 struct vigil_value *out)
{
	if (!vigil_field_is_multi(ref)) {
		if (n > 0) {
			memset(out, 0, sizeof(*out));
			return false;
		}
		return vigil_field_get(c, ref, out);
	}
	return extract(c, ref, true, n, out);
}

/* ---- output ---- */

size_t vigil_value_format(const struct vigil_value *v, bool present, char *out, size_t outsz)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (!outsz)
		return 0;
	if (!present || !v) {
		n = snprintf(out, outsz, "<NA>");
	} else if (v->type == VIGIL_FT_INT) {
		n = snprintf(out, outsz, "%lld", (long long)v->num);
	} else if (v->type == VIGIL_FT_BOOL) {
		n = snprintf(out, outsz, "%s", v->num ? "true" : "false");
	} else if (v->type == VIGIL_FT_IP || v->type == VIGIL_FT_IPNET) {
		if (!inet_ntop(v->ip_len == 16 ? AF_INET6 : AF_INET, v->ip, ip, sizeof(ip)))
			ip[0] = '\0';
		n = snprintf(out, outsz, "%s", ip);
	} else {
		n = snprintf(out, outsz, "%.*s", (int)v->len, v->str ? v->str : "");
	}
	if (n < 0)
		n = 0;
	return (size_t)n < outsz ? (size_t)n : outsz - 1;
}

/* ---- listing (vigil --list-fields, the README) ---- */

static const char *type_name(enum vigil_ftype t)
{
	static const char *const names[] = {
	    [VIGIL_FT_STRING] = "string", [VIGIL_FT_INT] = "int",     [VIGIL_FT_BOOL] = "bool",
	    [VIGIL_FT_IP] = "ip",	  [VIGIL_FT_IPNET] = "ipnet",
	};

	return names[t];
}

/* "proc.aname[N]", "evt.arg.NAME", "proc.env[NAME]" (optional part in
 * brackets for the plain listing). */
static void field_usage(const struct field *f, char *out, size_t outsz)
{
	const char *name = f->def.name;

	switch (f->def.arg) {
	case VIGIL_FARG_INDEX:
		snprintf(out, outsz, "%s[N]", name);
		break;
	case VIGIL_FARG_KEY:
		if (f->flags & FL_NUMKEY)
			snprintf(out, outsz, "%s.NAME, %s[N]", name, name);
		else
			snprintf(out, outsz, "%s[NAME]", name);
		break;
	default:
		snprintf(out, outsz, "%s", name);
		break;
	}
}

/* The table for --list-fields (plain columns) or the README (a Markdown
 * table). Not in rule_fields.h yet. */


void vigil_fields_print(FILE *out, bool markdown)
{
	char usage[128];

	if (markdown)
		fprintf(out, "| field | type | description |\n|---|---|---|\n");
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		bool absent = f->get == get_absent;
		const char *opt = f->def.arg != VIGIL_FARG_NONE && f->def.arg_optional
				      ? " The argument is optional."
				      : "";

		field_usage(f, usage, sizeof(usage));
		if (markdown)
			fprintf(out, "| `%s` | %s | %s%s%s |\n", usage, type_name(f->def.type),
				f->def.desc, opt, absent ? " Always absent in Vigil." : "");
		else
			fprintf(out, "%-44s %-6s %s%s%s\n", usage, type_name(f->def.type),
				f->def.desc, opt, absent ? " (always absent)" : "");
	}
}
