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
 *
 * This file has the table (the one place a field is declared), the parsing
 * of references ("proc.aname[2]", "evt.arg.flags"), the extraction entry
 * points with the per-event memo and scratch space, value formatting and
 * the listing. The extractors are by family: rule_fields_evt.c (evt.*,
 * evt.arg.*, container.*), rule_fields_proc.c (processes, ancestors,
 * environment, standard fds, users and groups), rule_fields_fd.c (fd.*,
 * sockets, fs.path.*).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rule_fields_int.h"

#define MEMO_MAX 64 /* values remembered per event */

/* ---- the table ---- */

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

/* The extractor of the fields Vigil cannot know. */
static bool get_absent(const struct fget *g, struct vigil_value *out)
{
	(void)g;
	(void)out;
	return false;
}

#define FLD(nm, ty, ar, opt, fl, fn, wh, lv, ds)                                                   \
	{                                                                                          \
		{nm, VIGIL_FT_##ty, VIGIL_FARG_##ar, opt, ds}, fn, wh, lv, fl                      \
	}
#define F_STR(nm, fn, wh, ds)	   FLD(nm, STRING, NONE, false, 0, fn, wh, 0, ds)
#define F_INT(nm, fn, wh, ds)	   FLD(nm, INT, NONE, false, 0, fn, wh, 0, ds)
#define F_BOOL(nm, fn, wh, ds)	   FLD(nm, BOOL, NONE, false, 0, fn, wh, 0, ds)
#define F_NA(nm, ty, ds)	   FLD(nm, ty, NONE, false, 0, get_absent, 0, 0, ds)
#define F_NAKEY(nm, ty, ds)	   FLD(nm, ty, KEY, false, 0, get_absent, 0, 0, ds)
#define F_PROC(nm, ty, wh, lv, ds) FLD(nm, ty, NONE, false, 0, rf_get_pattr, wh, lv, ds)
#define F_ANC(nm, ty, wh, ds)	   FLD(nm, ty, INDEX, true, FL_MULTI, rf_get_pattr, wh, -1, ds)
#define F_IP(nm, ty, fn, wh, ds)   FLD(nm, ty, NONE, false, 0, fn, wh, 0, ds)
#define F_STDIO(nm, wh, ds)	   FLD(nm, STRING, NONE, false, FL_MEMO, rf_get_stdio, wh, 0, ds)
#define F_IPS(nm, ty, fn, ds)	   FLD(nm, ty, NONE, false, FL_MULTI, fn, R_ANY, 0, ds)

static const struct field fields[] = {
    /* event */
    F_INT("evt.num", rf_get_evt, E_NUM, "Sequence number of the event."),
    F_STR("evt.time", rf_get_evt, E_TIME, "Event time, RFC 3339 UTC with nanoseconds."),
    F_INT("evt.rawtime", rf_get_evt, E_RAWTIME, "Event time in nanoseconds since the epoch."),
    F_STR("evt.type", rf_get_evt, E_TYPE,
	  "Event type (the syscall's Falco name: openat, execve...)."),
    F_STR("syscall.type", rf_get_evt, E_TYPE, "Same as evt.type."),
    FLD("evt.dir", STRING, NONE, false, FL_MULTI, rf_get_evt, E_DIR, 0,
	"\"<\" in outputs. Vigil's events are syscall exits that also carry the entry "
	"arguments, so in conditions both evt.dir=< and evt.dir=> hold."),
    F_STR("evt.category", rf_get_evt, E_CATEGORY,
	  "Event category: process, user, file, net, signal, memory, system."),
    F_STR("evt.source", rf_get_evt, E_SOURCE, "Always \"syscall\"."),
    F_STR("evt.hostname", rf_get_evt, E_HOSTNAME, "Host name of the machine."),
    F_STR("evt.res", rf_get_evt, E_RES, "Result: SUCCESS or the errno name (ENOENT...)."),
    F_INT("evt.rawres", rf_get_evt, E_RAWRES, "Return value of the syscall."),
    F_BOOL("evt.failed", rf_get_evt, E_FAILED, "True when the syscall returned an error."),
    F_BOOL("evt.is_async", rf_get_evt, E_ASYNC, "Always false: every event comes from a syscall."),
    FLD("evt.arg", STRING, KEY, false, FL_NUMKEY, rf_get_evt_arg, 0, 0,
	"An argument by name (evt.arg.flags) or position (evt.arg[0]), rendered as in the "
	"event JSON."),
    FLD("evt.rawarg", INT, KEY, false, FL_NUMKEY, rf_get_evt_rawarg, 0, 0,
	"An integer argument by name (evt.rawarg.flags), unformatted."),
    F_STR("evt.args", rf_get_evt, E_ARGS, "All arguments as \"name=value name=value\"."),
    F_STR("evt.info", rf_get_evt, E_ARGS, "Same as evt.args."),
    F_BOOL("evt.truncated", rf_get_evt, E_TRUNCATED,
	   "True when a path or argv was cut short in the kernel."),
    F_BOOL("evt.is_open_read", rf_get_evt, E_OPEN_READ,
	   "open/openat/openat2 for reading (O_RDONLY or O_RDWR); false for other events."),
    F_BOOL("evt.is_open_write", rf_get_evt, E_OPEN_WRITE,
	   "open/openat/openat2 for writing (O_WRONLY or O_RDWR); false for other events."),
    F_BOOL("evt.is_open_exec", rf_get_evt, E_OPEN_EXEC,
	   "An open with O_CREAT or O_TMPFILE, or creat, whose mode has an execute bit."),
    F_BOOL("evt.is_open_create", rf_get_evt, E_OPEN_CREATE,
	   "An open that created a file: true for a successful O_TMPFILE, absent with O_CREAT "
	   "(Vigil cannot tell), false otherwise."),
    F_NA("evt.buffer", STRING, "I/O buffer of read/write events."),
    F_NA("evt.buflen", INT, "I/O buffer length of read/write events."),
    F_NA("evt.cpu", INT, "CPU the event happened on."),
    F_NA("evt.latency", INT, "Time spent in the syscall."),
    F_NA("evt.plugininfo", STRING, "Plugin event summary."),

    /* the event's process */
    F_INT("proc.pid", rf_get_pattr, PA_PID, "Process id (thread-group id)."),
    F_INT("proc.tid", rf_get_pself, PS_TID, "Thread id."),
    F_INT("thread.tid", rf_get_pself, PS_TID, "Thread id."),
    F_INT("thread.vtid", rf_get_pself, PS_VTID,
	  "Thread id in the process's pid namespace (main threads only)."),
    F_BOOL("thread.ismain", rf_get_pself, PS_ISMAIN, "True for the main thread."),
    F_INT("proc.vpid", rf_get_pself, PS_VPID, "Process id in its own pid namespace."),
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
    F_INT("proc.loginshellid", rf_get_pself, PS_LOGINSHELL,
	  "Pid of the oldest shell (name ending in \"sh\") among the process and its "
	  "ancestors."),
    F_INT("proc.tty", rf_get_pself, PS_TTY, "Controlling terminal (tty_nr), 0 for none."),
    F_INT("proc.sid", rf_get_pself, PS_SID, "Session id."),
    F_STR("proc.sname", rf_get_pself, PS_SNAME, "Name of the session leader."),
    F_STR("proc.sid.exe", rf_get_pself, PS_SEXE, "argv[0] of the session leader."),
    F_STR("proc.sid.exepath", rf_get_pself, PS_SEXEPATH, "Executable path of the session leader."),
    F_BOOL("proc.is_sid_leader", rf_get_pself, PS_SID_LEADER,
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
    F_BOOL("proc.is_exe_from_memfd", rf_get_pself, PS_MEMFD,
	   "True when the executable is a memfd (fileless execution)."),
    F_NA("proc.is_exe_writable", BOOL,
	 "True when the executable is writable by the user who ran it."),
    F_NA("proc.is_exe_upper_layer", BOOL,
	 "True when the executable is in the upper layer of an overlayfs."),
    F_NA("proc.is_exe_lower_layer", BOOL,
	 "True when the executable is in the lower layer of an overlayfs."),
    F_INT("proc.exe_ino", rf_get_pself, PS_EXE_INO, "Inode number of the executable."),
    F_INT("proc.exe_ino.ctime", rf_get_pself, PS_EXE_CTIME,
	  "Status change time of the executable, ns since the epoch."),
    F_INT("proc.exe_ino.mtime", rf_get_pself, PS_EXE_MTIME,
	  "Modification time of the executable, ns since the epoch."),
    F_INT("proc.exe_ino.ctime_duration_proc_start", rf_get_pself, PS_CTIME_TO_START,
	  "Nanoseconds from the executable's ctime to the start of the process."),
    F_NA("proc.exe_ino.ctime_duration_pidns_start", INT,
	 "Nanoseconds from the pid namespace start to the executable's ctime."),
    F_NA("proc.pidns_init_start_ts", INT, "Start of the pid namespace's init process."),
    F_BOOL("proc.is_container_healthcheck", rf_get_pself, PS_FALSE,
	   "Always false: Vigil does not know container health checks."),
    F_BOOL("proc.is_container_liveness_probe", rf_get_pself, PS_FALSE,
	   "Always false: Vigil does not know liveness probes."),
    F_BOOL("proc.is_container_readiness_probe", rf_get_pself, PS_FALSE,
	   "Always false: Vigil does not know readiness probes."),
    FLD("proc.env", STRING, KEY, true, FL_MEMO, rf_get_env, 0, 0,
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
    F_INT("proc.pidns", rf_get_pself, PS_PIDNS, "Pid namespace inode number."),
    F_INT("proc.mntns", rf_get_pself, PS_MNTNS, "Mount namespace inode number."),
    F_INT("proc.netns", rf_get_pself, PS_NETNS, "Network namespace inode number."),
    F_NA("proc.fdopencount", INT, "Number of open fds."),
    F_NA("proc.fdlimit", INT, "Maximum number of fds."),
    F_NA("proc.vmsize", INT, "Virtual memory size (KiB)."),
    F_NA("proc.vmrss", INT, "Resident memory (KiB)."),
    F_NA("proc.vmswap", INT, "Swapped memory (KiB)."),
    F_NA("proc.nthreads", INT, "Number of threads."),
    F_NA("proc.nchilds", INT, "Number of threads other than the main one."),
    F_STR("thread.cap_effective", rf_get_pself, PS_CAP_EFF,
	  "Effective capabilities, space-separated (CAP_CHOWN CAP_SYS_ADMIN)."),
    F_STR("thread.cap_permitted", rf_get_pself, PS_CAP_PERM,
	  "Permitted capabilities, as thread.cap_effective."),
    F_STR("thread.cap_inheritable", rf_get_pself, PS_CAP_INH,
	  "Inheritable capabilities, as thread.cap_effective."),
    F_NA("thread.cgroups", STRING, "All cgroups of the thread."),
    F_NAKEY("thread.cgroup", STRING, "The thread's cgroup for one controller."),
    F_INT("cgroup.id", rf_get_pself, PS_CGROUP_ID, "cgroup v2 id of the process."),

    /* user and group */
    F_INT("user.uid", rf_get_user, U_UID, "Real user id."),
    F_INT("user.euid", rf_get_user, U_EUID, "Effective user id."),
    F_STR("user.name", rf_get_user, U_NAME, "Name of user.uid in the host's /etc/passwd."),
    F_STR("user.homedir", rf_get_user, U_HOME, "Home directory of user.uid."),
    F_STR("user.shell", rf_get_user, U_SHELL, "Login shell of user.uid."),
    F_INT("user.loginuid", rf_get_user, U_LOGINUID, "Audit login uid, -1 when unset."),
    F_STR("user.loginname", rf_get_user, U_LOGINNAME, "Name of user.loginuid."),
    F_INT("group.gid", rf_get_user, U_GID, "Real group id."),
    F_INT("group.egid", rf_get_user, U_EGID, "Effective group id."),
    F_STR("group.name", rf_get_user, U_GNAME, "Name of group.gid in the host's /etc/group."),

    /* file descriptors */
    F_INT("fd.num", rf_get_fd, FD_NUM,
	  "The fd the syscall returned (-1 when it failed) or operated on."),
    F_STR("fd.type", rf_get_fd, FD_TYPE,
	  "file, directory, ipv4, ipv6, unix, netlink, memfd, bpf or unknown."),
    F_STR("fd.typechar", rf_get_fd, FD_TYPECHAR,
	  "fd.type as one character: f, d, 4, 6, u, n, m, b, o."),
    F_STR("fd.name", rf_get_fd, FD_NAME,
	  "Absolute path of the file; \"cip:cport->sip:sport\" (\"ip:port\" before a "
	  "connection) or the path for sockets."),
    F_STR("fd.nameraw", rf_get_fd, FD_NAMERAW, "The path as the caller passed it."),
    F_STR("fd.directory", rf_get_fd, FD_DIRECTORY, "Directory of fd.name (files)."),
    F_STR("fd.filename", rf_get_fd, FD_FILENAME, "Last component of fd.name (files)."),
    F_IPS("fd.ip", IP, rf_get_sock_ip,
	  "Client or server IP address: matches when either does (filters only)."),
    F_IP("fd.cip", IP, rf_get_sock_ip, R_CLIENT, "Client IP address."),
    F_IP("fd.sip", IP, rf_get_sock_ip, R_SERVER,
	 "Server IP address (for listen and bind, the local address)."),
    F_IP("fd.lip", IP, rf_get_sock_ip, R_LOCAL, "Local IP address."),
    F_IP("fd.rip", IP, rf_get_sock_ip, R_REMOTE, "Remote IP address."),
    F_IPS("fd.port", INT, rf_get_sock_port,
	  "Client or server port: matches when either does (filters only)."),
    F_IP("fd.cport", INT, rf_get_sock_port, R_CLIENT, "Client port."),
    F_IP("fd.sport", INT, rf_get_sock_port, R_SERVER, "Server port."),
    F_IP("fd.lport", INT, rf_get_sock_port, R_LOCAL, "Local port."),
    F_IP("fd.rport", INT, rf_get_sock_port, R_REMOTE, "Remote port."),
    F_IPS("fd.net", IPNET, rf_get_sock_ip,
	  "Client or server address in a CIDR (fd.net = \"10.0.0.0/8\"), either matches."),
    F_IP("fd.cnet", IPNET, rf_get_sock_ip, R_CLIENT, "Client address in a CIDR."),
    F_IP("fd.snet", IPNET, rf_get_sock_ip, R_SERVER, "Server address in a CIDR."),
    F_IP("fd.lnet", IPNET, rf_get_sock_ip, R_LOCAL, "Local address in a CIDR."),
    F_IP("fd.rnet", IPNET, rf_get_sock_ip, R_REMOTE, "Remote address in a CIDR."),
    F_STR("fd.l4proto", rf_get_fd, FD_L4PROTO, "Transport protocol: tcp, udp, icmp, raw, unix."),
    F_STR("fd.sockfamily", rf_get_fd, FD_SOCKFAMILY, "Socket family: ip, unix, netlink..."),
    F_BOOL("fd.is_server", rf_get_fd, FD_IS_SERVER,
	   "True for accept, listen and bind, false for connect."),
    F_BOOL("fd.connected", rf_get_fd, FD_CONNECTED,
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
    F_STR("fs.path.name", rf_get_fspath, FS_NAME, "Absolute path a file syscall operated on."),
    F_STR("fs.path.nameraw", rf_get_fspath, FS_NAMERAW, "fs.path.name as the caller passed it."),
    F_STR("fs.path.source", rf_get_fspath, FS_SOURCE,
	  "Source of rename, link, symlink (its content) and mount."),
    F_STR("fs.path.sourceraw", rf_get_fspath, FS_SOURCERAW,
	  "fs.path.source as the caller passed it."),
    F_STR("fs.path.target", rf_get_fspath, FS_TARGET,
	  "Target of rename, link, symlink (the link) and mount."),
    F_STR("fs.path.targetraw", rf_get_fspath, FS_TARGETRAW,
	  "fs.path.target as the caller passed it."),

    /* containers */
    F_STR("container.id", rf_get_container, C_ID, "12-hex short container id, or \"host\"."),
    F_STR("container.full_id", rf_get_container, C_FULL_ID, "64-hex container id, or \"host\"."),
    F_STR("container.name", rf_get_container, C_NAME,
	  "\"host\" for host processes; container names are not known yet."),
    F_STR("container.type", rf_get_container, C_TYPE,
	  "Runtime: docker, containerd, cri-o, podman, or \"host\"."),
    F_STR("container.runtime", rf_get_container, C_TYPE, "Same as container.type."),
    F_STR("container.info", rf_get_container, C_INFO,
	  "Summary for outputs: \"container_id=<id>\"."),
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

/* ---- scratch space and the per-event memo ---- */

char *rf_scratch_avail(struct vigil_eval_ctx *c, size_t *avail)
{
	*avail = sizeof(c->scratch) - c->scratch_used;
	return c->scratch + c->scratch_used;
}

bool rf_scratch_keep(struct vigil_eval_ctx *c, char *p, size_t n, struct vigil_value *v)
{
	size_t avail = sizeof(c->scratch) - c->scratch_used;

	if (n + 1 > avail)
		return false;
	p[n] = '\0';
	c->scratch_used += n + 1;
	return val_strn(v, p, n);
}

const char *rf_scratch_copy(struct vigil_eval_ctx *c, const char *s, size_t n)
{
	struct vigil_value v;
	size_t avail;
	char *p = rf_scratch_avail(c, &avail);

	if (n + 1 > avail)
		return NULL;
	memcpy(p, s, n);
	return rf_scratch_keep(c, p, n, &v) ? p : NULL;
}

bool rf_scratch_put(struct vigil_eval_ctx *c, const char *s, size_t n, struct vigil_value *v)
{
	const char *p = rf_scratch_copy(c, s, n);

	return p && val_strn(v, p, n);
}

bool rf_scratch_printf(struct vigil_eval_ctx *c, struct vigil_value *v, const char *fmt, ...)
{
	size_t avail;
	char *p = rf_scratch_avail(c, &avail);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, avail, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= avail)
		return false;
	return rf_scratch_keep(c, p, (size_t)n, v);
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

/* ---- listing (vigil fields, the README) ---- */

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

/* The table for `vigil fields` (plain columns) or the README (a Markdown
 * table). */
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
