/* mitigations.c - the catalogue of virtual patches as data, and lookups.
 *
 * Order matters: an entry's index is its bit in the kernel's mitigation
 * mask. Append new entries at the end; never reorder or remove one.
 *
 * A CVE is listed only when its public exploit path goes through the
 * primitive the entry blocks; the sources for each one (CVE record, fix
 * commit, researchers' write-up) are in docs/mitigations.md. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "mitigations.h"
#include "vigil_abi.h"
#include "probe.h"

#define GIT_LINUX "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id="

const struct vigil_mitigation vigil_mitigations[] = {
    {
	.id = VIGIL_MIT_USERNS,
	.name = "userns",
	.title = "Unprivileged user-namespace creation",
	.cves = {"CVE-2022-0185", "CVE-2021-22555", "CVE-2024-1086", "CVE-2026-43284"},
	.primitive = "Creating a user namespace to become root inside it and gain CAP_SYS_ADMIN "
		     "or CAP_NET_ADMIN over kernel code that is otherwise root-only (fsconfig, "
		     "netfilter, xfrm): the first step of many local kernel exploits.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/userns_create",
	.mechanism = "BPF LSM on userns_create (Linux 6.1+): a caller without CAP_SYS_ADMIN in "
		     "the initial user namespace (euid != 0) gets EPERM from unshare, clone or "
		     "clone3 with CLONE_NEWUSER.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: a non-root caller that asks for CLONE_NEWUSER in "
			 "unshare, clone or clone3 is killed (SIGKILL) at the syscall's "
			 "sys_enter tracepoint, before the namespace exists.",
	.error = "EPERM",
	.side_effects = "Rootless containers stop working for unprivileged users. Podman "
			"rootless, bubblewrap (Flatpak), Chrome's namespace sandbox, `unshare "
			"-r` and rootless BuildKit need a user namespace; root and container "
			"runtimes started by root are not affected. With the kill fallback the "
			"program dies instead of falling back.",
	.refs = {"https://www.willsroot.io/2022/01/cve-2022-0185.html",
		 "https://google.github.io/security-research/pocs/linux/cve-2021-22555/"
		 "writeup.html",
		 "https://pwning.tech/nftables/"},
    },
    {
	.id = VIGIL_MIT_IO_URING,
	.name = "io-uring",
	.title = "io_uring instance creation",
	.cves = {"CVE-2021-41073", "CVE-2022-29582", "CVE-2022-2602", "CVE-2023-2598"},
	.primitive = "Creating an io_uring instance (io_uring_setup) to reach the io_uring "
		     "subsystem, a large and fast-changing kernel attack surface with a "
		     "record of use-after-free and out-of-bounds bugs.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create,inode_init_security_anon",
	.mechanism = "BPF LSM, while the caller is in io_uring_setup: the kernel socket "
		     "(Linux before 6.7) and the anonymous inode io_uring_setup creates for the "
		     "ring are refused, so io_uring_setup fails with EPERM and the ring never "
		     "gets a file descriptor. The LSM has no hook for creating a ring itself; "
		     "the system call is recognised from the caller's registers (x86-64).",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at "
			 "sys_enter_io_uring_setup.",
	.error = "EPERM",
	.side_effects = "Programs that use io_uring fail or fall back to other I/O. Examples: "
			"some databases, QEMU with aio=io_uring, tokio-uring and other liburing "
			"programs. Rings created before the mitigation was on keep working; with "
			"the kill fallback programs get no chance to fall back. Linux 6.6+ also "
			"has the kernel.io_uring_disabled sysctl.",
	.refs = {"https://www.graplsecurity.com/post/iou-ring-exploiting-the-linux-kernel",
		 "https://ruia-ruia.github.io/2022/08/05/CVE-2022-29582-io-uring/",
		 "https://anatomic.rip/cve-2023-2598/"},
    },
    {
	.id = VIGIL_MIT_EMPTY_ARGV,
	.name = "empty-argv",
	.title = "exec with an empty argument list (argc 0)",
	.cves = {"CVE-2021-4034"},
	.primitive = "Starting a setuid program with argc == 0, so that argv[1] is envp[0] and "
		     "the program reads and rewrites its environment as if it were an argument "
		     "(PwnKit in polkit's pkexec).",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/bprm_check_security",
	.mechanism = "BPF LSM on bprm_check_security: an exec whose argument count is 0 "
		     "(kernels before 5.18) or whose execve/execveat argv, or argv[0], is NULL "
		     "in the caller's arguments (x86-64) fails with EINVAL before the new "
		     "program runs.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at "
			 "sys_enter_execve or sys_enter_execveat when argv is NULL or argv[0] "
			 "is NULL.",
	.error = "EINVAL",
	.side_effects = "Practically none: normal programs never exec with an empty argv. Linux "
			"5.18+ itself inserts an empty argv[0] (commit dcd46d897adb), so the "
			"mitigation matters on older kernels and is harmless on new ones; only "
			"test suites that exercise argc == 0 notice.",
	.refs = {"https://www.qualys.com/2022/01/25/cve-2021-4034/pwnkit.txt",
		 "https://gitlab.freedesktop.org/polkit/polkit/-/commit/"
		 "a2bf5c9c83b6ae46cbd5c779d3055bff81ded683",
		 GIT_LINUX "dcd46d897adb70d63e025f175a00a89797d31a43"},
    },
    {
	.id = VIGIL_MIT_PROC_MEM_WRITE,
	.name = "proc-mem-write",
	.title = "Writing another process's memory through /proc/PID/mem",
	.cves = {"CVE-2012-0056"},
	.primitive = "Opening another process's /proc/PID/mem for writing and writing into its "
		     "memory (Mempodipper: a child opens its parent's mem, the parent makes it "
		     "the stderr of a setuid program that then overwrites its own code).",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/file_open",
	.mechanism = "BPF LSM on file_open: an open with FMODE_WRITE of a file whose operations "
		     "are the /proc/PID/mem ones, whose target is not the caller's own process, "
		     "gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at the openat exit "
			 "when it opened another process's /proc/PID/mem for writing; the "
			 "descriptor never reaches its code.",
	.error = "EPERM",
	.side_effects = "Tools that write another process's memory through /proc/PID/mem fail. "
			"Debuggers (gdb uses ptrace or /proc/PID/mem), some JIT, hot-patch and "
			"game-trainer tools. Reading /proc/PID/mem, writing /proc/self/mem, "
			"ptrace(PTRACE_POKEDATA) and process_vm_writev keep working.",
	.refs = {"https://blog.zx2c4.com/749",
		 GIT_LINUX "e268337dfe26dfc7efd422a804dbb27977a3cccc"},
    },
    {
	.id = VIGIL_MIT_DCCP_SOCKET,
	.name = "dccp-socket",
	.title = "DCCP sockets",
	.cves = {"CVE-2017-6074", "CVE-2020-16119"},
	.primitive = "Creating a DCCP socket to reach the DCCP protocol code, rarely used and "
		     "with a record of double-free and use-after-free bugs reachable by any "
		     "user.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: a socket of type SOCK_DCCP or protocol "
		     "IPPROTO_DCCP (IPv4 or IPv6) gets EPERM before the socket is allocated and "
		     "before the dccp module is loaded.",
	.fallback = VIGIL_FALLBACK_CGROUP,
	.fallback_text = "Without BPF LSM: a cgroup sock_create program refuses the socket "
			 "synchronously with EPERM (needs cgroup BPF, not BPF LSM). That hook "
			 "runs after the protocol has set the socket up, so the dccp module is "
			 "still autoloaded by the attempt.",
	.error = "EPERM",
	.side_effects = "Programs that use DCCP fail (very rare: some streaming and test "
			"tools). DCCP has been removed from mainline Linux (commit 2a63dd0edf38, "
			"2025); on such kernels the mitigation changes nothing.",
	.refs = {"https://www.openwall.com/lists/oss-security/2017/02/22/3",
		 GIT_LINUX "5edabca9d4cff7f1f2b68f0bac55ef99d9798ba4",
		 GIT_LINUX "d9ea761fdd197351890418acd462c51f241014a7"},
    },
    {
	.id = VIGIL_MIT_SCTP_SOCKET,
	.name = "sctp-socket",
	.title = "SCTP sockets",
	.cves = {"CVE-2021-23133", "CVE-2019-8956", "CVE-2018-5803"},
	.primitive = "Creating an SCTP socket to reach the SCTP protocol code (races and "
		     "use-after-free in socket setup and teardown, sendmsg and chunk building).",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: a socket with protocol IPPROTO_SCTP (IPv4 or "
		     "IPv6) gets EPERM before the socket is allocated and before the sctp "
		     "module is loaded.",
	.fallback = VIGIL_FALLBACK_CGROUP,
	.fallback_text = "Without BPF LSM: a cgroup sock_create program refuses the socket "
			 "with EPERM. That hook runs after SCTP has set the socket up: on "
			 "kernels without the fix for CVE-2021-23133 (commit 34e5b0118685) a "
			 "denying sock_create program is what makes that race reachable, so "
			 "there use BPF LSM or also enable userns.",
	.error = "EPERM",
	.side_effects = "Programs that use kernel SCTP fail. Telecom signalling (SIGTRAN, "
			"Diameter), DLM or corosync set up for SCTP, lksctp-tools; user-space "
			"SCTP stacks (usrsctp, as in WebRTC) are not affected.",
	.refs = {GIT_LINUX "34e5b01186858b36c4d7c87e1a025071e8e2401f",
		 GIT_LINUX "ba59fb0273076637f0add4311faa990a5eec27c0",
		 GIT_LINUX "07f2c7ab6f8d0a7e7c5764c4e6cc9c52951b9d9c"},
    },
    {
	.id = VIGIL_MIT_TIPC_SOCKET,
	.name = "tipc-socket",
	.title = "TIPC sockets",
	.cves = {"CVE-2021-43267"},
	.primitive = "Creating an AF_TIPC socket, which loads the TIPC module on demand and lets "
		     "an unprivileged local user use and configure TIPC, whose message parsing "
		     "has had heap overflows.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: family AF_TIPC gets EPERM before the socket is "
		     "allocated and before the tipc module is loaded.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at sys_enter_socket "
			 "when it asks for AF_TIPC.",
	.error = "EPERM",
	.side_effects = "Programs that use TIPC fail (cluster and telecom middleware built on "
			"it). Hosts that already run TIPC bearers stay reachable from the "
			"network: remote exploitation of TIPC bugs is not blocked.",
	.refs = {"https://www.sentinelone.com/labs/"
		 "tipc-remote-linux-kernel-heap-overflow-allows-arbitrary-code-execution/",
		 "https://haxx.in/posts/pwning-tipc/",
		 GIT_LINUX "fa40d9734a57bcbfa79a280189799f76c88f7bb0"},
    },
    {
	.id = VIGIL_MIT_RDS_SOCKET,
	.name = "rds-socket",
	.title = "RDS sockets",
	.cves = {"CVE-2010-3904", "CVE-2018-5333", "CVE-2019-11815"},
	.primitive = "Creating an AF_RDS socket (Reliable Datagram Sockets), which loads the rds "
		     "module on demand and exposes its copy, RDMA-option and TCP-transport code "
		     "to any user.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: family AF_RDS gets EPERM before the socket is "
		     "allocated and before the rds module is loaded.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at sys_enter_socket "
			 "when it asks for AF_RDS.",
	.error = "EPERM",
	.side_effects = "Programs that use RDS fail. In practice only InfiniBand database "
			"clusters (Oracle RAC/Exadata style) use it.",
	.refs = {"https://www.securityfocus.com/archive/1/514379",
		 GIT_LINUX "7d11f77f84b27cef452cee332f4e469503084737",
		 GIT_LINUX "cb66ddd156203daefb8d71158036b27b0e2caf63"},
    },
    {
	.id = VIGIL_MIT_AF_ALG_SOCKET,
	.name = "af-alg-socket",
	.title = "AF_ALG (kernel crypto API) sockets for non-root",
	.cves = {"CVE-2026-31431", "CVE-2019-8912", "CVE-2017-17806", "CVE-2017-17805"},
	.primitive = "Creating an AF_ALG socket to drive the kernel crypto API from user space: "
		     "nested templates, in-place AEAD on spliced page-cache pages (Copy Fail), "
		     "socket release races.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: family AF_ALG from a caller whose euid is not "
		     "0 gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: a non-root caller is killed (SIGKILL) at "
			 "sys_enter_socket when it asks for AF_ALG.",
	.error = "EPERM",
	.side_effects = "Non-root programs that use the kernel crypto API through AF_ALG fail. "
			"Examples: cryptsetup run as a user (benchmark), libkcapi tools, the "
			"OpenSSL afalg engine when configured; root (iwd, cryptsetup as root) is "
			"not affected.",
	.refs = {"https://xint.io/blog/copy-fail-linux-distributions",
		 GIT_LINUX "a664bf3d603dc3bdcf9ae47cc21e0daec706d7a5",
		 GIT_LINUX "9060cb719e61b685ec0102574e10337fa5f445ea"},
    },
    {
	.id = VIGIL_MIT_AF_PACKET_UNPRIVILEGED,
	.name = "af-packet-unprivileged",
	.title = "AF_PACKET sockets for non-root callers",
	.cves = {"CVE-2016-8655", "CVE-2017-7308", "CVE-2020-14386"},
	.primitive = "Creating an AF_PACKET socket without being root on the host, typically as "
		     "root of a user namespace (CAP_NET_RAW there), to reach the packet "
		     "ring-buffer code.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/socket_create",
	.mechanism = "BPF LSM on socket_create: family AF_PACKET from a caller whose euid is "
		     "not 0 (in the initial user namespace) gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: a non-root caller is killed (SIGKILL) at "
			 "sys_enter_socket when it asks for AF_PACKET.",
	.error = "EPERM",
	.side_effects = "Packet capture and raw link-layer I/O by non-root processes fail. "
			"Examples: dumpcap/tcpdump given cap_net_raw as file capabilities and "
			"run by a user, network tools inside rootless containers; root is not "
			"affected.",
	.refs = {"https://googleprojectzero.blogspot.com/2017/05/"
		 "exploiting-linux-kernel-via-packet.html",
		 GIT_LINUX "84ac7260236a49c79eede91617700174c2c19b0c",
		 GIT_LINUX "acf69c946233259ab4d64f8869d4037a198c7f06"},
    },
    {
	.id = VIGIL_MIT_RELEASE_AGENT,
	.name = "release-agent",
	.title = "Writing the cgroup v1 release_agent from a container",
	.cves = {"CVE-2022-0492"},
	.primitive = "Writing the cgroup v1 release_agent file from inside a container, so that "
		     "the kernel later runs an attacker-chosen program as full root in the "
		     "host's namespaces.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/file_open",
	.mechanism = "BPF LSM on file_open: opening a file named release_agent on a cgroup v1 "
		     "filesystem with FMODE_WRITE, from a process outside the initial mount "
		     "namespace, gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at the openat exit "
			 "when it opened a cgroup v1 release_agent for writing from outside "
			 "the initial mount namespace.",
	.error = "EPERM",
	.side_effects = "Software that sets a cgroup v1 release agent from inside a container "
			"fails (uncommon). The host's own init and tools run in the initial "
			"mount namespace and are not affected; cgroup v2-only hosts have no "
			"release_agent file at all.",
	.refs = {"https://unit42.paloaltonetworks.com/cve-2022-0492-cgroups/",
		 GIT_LINUX "24f6008564183aa120d07c03d9289519c2fe02af"},
    },
    {
	.id = VIGIL_MIT_DIRTY_PIPE,
	.name = "dirty-pipe",
	.title = "splice() from a read-only file into a pipe by non-root",
	.cves = {"CVE-2022-0847", "CVE-2026-31431", "CVE-2026-43284"},
	.primitive = "Splicing page-cache pages of a file the caller can only read into a pipe, "
		     "then getting the kernel to write into those pages: the pipe-buffer merge "
		     "of Dirty Pipe, in-place crypto on spliced pages in Copy Fail and Dirty "
		     "Frag.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/file_permission",
	.mechanism = "BPF LSM on file_permission, the read check splice(2) makes before it "
		     "moves pages: when a non-root caller splices from a regular file it "
		     "opened read-only into a pipe, splice fails with EPERM. The hook is "
		     "attached only while dirty-pipe is on (it runs for every read and write).",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at "
			 "sys_enter_splice in that case.",
	.error = "EPERM",
	.side_effects = "Zero-copy file serving through splice() by non-root processes fails. "
			"Examples: pv and file servers that splice a file into a pipe. "
			"sendfile(2), copy_file_range(2) and vmsplice(2) are not covered.",
	.refs = {"https://dirtypipe.cm4all.com/",
		 "https://xint.io/blog/copy-fail-linux-distributions",
		 "https://github.com/V4bel/dirtyfrag/blob/main/assets/write-up.md"},
    },
    {
	.id = VIGIL_MIT_OVERLAYFS_USERNS,
	.name = "overlayfs-userns",
	.title = "overlayfs mounts from inside a user namespace",
	.cves = {"CVE-2021-3493", "CVE-2023-0386", "CVE-2023-2640", "CVE-2023-32629"},
	.primitive = "Mounting overlayfs as root of a user namespace, so that copy-up writes "
		     "files (setuid bits, file capabilities, xattrs) into a lower or upper "
		     "directory that the host then trusts.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/sb_mount",
	.mechanism = "BPF LSM on sb_mount: a mount of type \"overlay\" by a caller whose user "
		     "namespace is not the initial one gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: the caller is killed (SIGKILL) at sys_enter_mount "
			 "for an overlay mount from outside the initial user namespace.",
	.error = "EPERM",
	.side_effects = "Rootless containers that use kernel overlayfs must switch storage "
			"driver. Podman/buildah rootless with native overlay (Linux 5.11+) and "
			"rootless Docker need fuse-overlayfs or vfs. The new mount API "
			"(fsopen/fsconfig/fsmount) is not covered; userns covers that path.",
	.refs = {"https://ssd-disclosure.com/ssd-advisory-overlayfs-pe/",
		 "https://www.wiz.io/blog/ubuntu-overlayfs-vulnerability",
		 "https://securitylabs.datadoghq.com/articles/overlayfs-cve-2023-0386/"},
    },
    {
	.id = VIGIL_MIT_SETUID_LOADER_ENV,
	.name = "setuid-loader-env",
	.title = "setuid programs started with dangerous loader variables",
	.cves = {"CVE-2023-4911", "CVE-2017-1000366", "CVE-2010-3847", "CVE-2010-3856"},
	.primitive = "Starting a setuid/setgid (secure-exec) program with dynamic-loader "
		     "variables (GLIBC_TUNABLES, LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT) to "
		     "attack ld.so's handling of them before the program runs.",
	.mech = VIGIL_MECH_EXEC_KILL,
	.hook = "tp_btf/sched_process_exec",
	.mechanism = "At the sched_process_exec tracepoint, when the exec is a secure exec "
		     "(AT_SECURE: setuid, setgid or file capabilities) and the new environment "
		     "holds GLIBC_TUNABLES, LD_PRELOAD, LD_LIBRARY_PATH or LD_AUDIT, the process "
		     "is killed before its first instruction: the exec happened, but no code of "
		     "the program or of ld.so ran.",
	.fallback = VIGIL_FALLBACK_NONE,
	.fallback_text = "Same mechanism with or without BPF LSM (it does not use the LSM); it "
			 "needs tp_btf, and without it the mitigation is unavailable.",
	.error = "killed (SIGKILL)",
	.side_effects = "Setuid programs started with one of these variables set are killed, "
			"even when the value is harmless. For example sudo or su run from a "
			"shell that exports LD_LIBRARY_PATH, or GLIBC_TUNABLES set globally; "
			"unset the variable before calling the setuid program.",
	.refs = {"https://www.qualys.com/2023/10/03/cve-2023-4911/"
		 "looney-tunables-local-privilege-escalation-glibc-ld-so.txt",
		 "https://www.qualys.com/2017/06/19/stack-clash/stack-clash.txt",
		 "https://seclists.org/fulldisclosure/2010/Oct/257"},
    },
    {
	.id = VIGIL_MIT_UNPRIVILEGED_BPF,
	.name = "unprivileged-bpf",
	.title = "bpf() by non-root",
	.cves = {"CVE-2017-16995", "CVE-2020-8835", "CVE-2021-3490", "CVE-2022-23222"},
	.primitive = "Loading eBPF programs as non-root to exploit verifier bugs, where wrong "
		     "bounds or pointer-type tracking becomes out-of-bounds kernel memory "
		     "access.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/bpf",
	.mechanism = "BPF LSM on the bpf hook: any bpf() command from a caller whose euid is "
		     "not 0 gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: a non-root caller is killed (SIGKILL) at "
			 "sys_enter_bpf.",
	.error = "EPERM",
	.side_effects = "Non-root users of bpf() fail. That includes daemons given CAP_BPF or "
			"CAP_SYS_ADMIN as capabilities rather than uid 0, and socket filters "
			"loaded with bpf(). With the kill fallback even a probe that would have "
			"failed anyway kills the caller. Many distributions already set "
			"kernel.unprivileged_bpf_disabled.",
	.refs = {"https://bugs.chromium.org/p/project-zero/issues/detail?id=1454",
		 "https://www.zerodayinitiative.com/blog/2020/4/8/"
		 "cve-2020-8835-linux-kernel-privilege-escalation-via-improper-ebpf-program-"
		 "verification",
		 GIT_LINUX "049c4e13714ecbca567b4d5f6d563f05d431c80e"},
    },
    {
	.id = VIGIL_MIT_UNPRIVILEGED_PERF_EVENT,
	.name = "unprivileged-perf-event",
	.title = "perf_event_open by non-root",
	.cves = {"CVE-2013-2094", "CVE-2022-1729", "CVE-2023-6931"},
	.primitive = "Opening perf events as non-root to reach perf core bugs (unchecked event "
		     "config, group races, read-size overflow).",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/perf_event_open",
	.mechanism = "BPF LSM on perf_event_open: a caller whose euid is not 0 gets EPERM.",
	.fallback = VIGIL_FALLBACK_KILL,
	.fallback_text = "Without BPF LSM: a non-root caller is killed (SIGKILL) at "
			 "sys_enter_perf_event_open.",
	.error = "EPERM",
	.side_effects = "Profiling by non-root users fails. Examples: perf stat/record as a "
			"user, the rr debugger, async-profiler and other JVM profilers, PAPI. "
			"Debian's kernel.perf_event_paranoid=3 already refuses most of this; the "
			"mitigation also covers non-root processes with CAP_PERFMON.",
	.refs = {GIT_LINUX "8176cced706b5e5d15887584150764894e94e02f",
		 "https://www.openwall.com/lists/oss-security/2022/05/20/2",
		 GIT_LINUX "382c27f4ed28f803b1f1473ac2d8db0afc795a1b"},
    },
    {
	.id = VIGIL_MIT_MODULE_AUTOLOAD,
	.name = "module-autoload",
	.title = "Kernel module autoloading requested by non-root processes",
	.cves = {"CVE-2026-31431", "CVE-2021-43267"},
	.primitive = "Getting the kernel to load a rarely used, vulnerable module on demand, "
		     "without CAP_SYS_MODULE: socket() of a family whose module is not loaded, "
		     "bind() of an AF_ALG algorithm type (algif_aead), and similar requests.",
	.mech = VIGIL_MECH_LSM,
	.hook = "lsm/kernel_module_request",
	.mechanism = "BPF LSM on kernel_module_request: a module request made by a process "
		     "whose euid is not 0 gets EPERM, so the module is not loaded and the "
		     "syscall that needed it fails (socket(): EAFNOSUPPORT).",
	.fallback = VIGIL_FALLBACK_NONE,
	.fallback_text = "none: without BPF LSM nothing can refuse a module request. Block the "
			 "modules in /etc/modprobe.d instead (install NAME /bin/false).",
	.error = "EPERM",
	.side_effects = "Non-root programs that are the first to need a module get an error. "
			"For example the first SCTP or TIPC socket on the host, or an AF_ALG "
			"algorithm whose module is not loaded. Modules loaded at boot or by root, "
			"and features built into the kernel, are not affected.",
	.refs = {"https://www.osso.nl/blog/2026/linux-local-root-exploit-module-vetting/",
		 "https://www.sentinelone.com/labs/"
		 "tipc-remote-linux-kernel-heap-overflow-allows-arbitrary-code-execution/",
		 "https://lwn.net/Articles/740455/"},
    },
};

const size_t vigil_nmitigations = sizeof(vigil_mitigations) / sizeof(vigil_mitigations[0]);

/* The kernel side knows the mitigations by these ids (include/vigil_abi.h). */
_Static_assert(sizeof(vigil_mitigations) / sizeof(vigil_mitigations[0]) == VIGIL_MIT_COUNT,
	       "the catalogue and VIGIL_MIT_* disagree");

/* The kernel's mask is 64 bits wide. */
_Static_assert(sizeof(vigil_mitigations) / sizeof(vigil_mitigations[0]) <= 64,
	       "the mitigation mask has 64 bits");

const struct vigil_mitigation *vigil_mitigation_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < vigil_nmitigations; i++)
		if (strcmp(vigil_mitigations[i].name, name) == 0)
			return &vigil_mitigations[i];
	return NULL;
}

static bool lists_cve(const struct vigil_mitigation *m, const char *cve)
{
	for (size_t j = 0; j < VIGIL_MIT_MAX_CVES && m->cves[j]; j++)
		if (strcasecmp(m->cves[j], cve) == 0)
			return true;
	return false;
}

const struct vigil_mitigation *vigil_mitigation_for_cve(const char *cve)
{
	if (!cve)
		return NULL;
	for (size_t i = 0; i < vigil_nmitigations; i++)
		if (lists_cve(&vigil_mitigations[i], cve))
			return &vigil_mitigations[i];
	return NULL;
}

uint64_t vigil_mitigations_mask_for_cve(const char *cve)
{
	uint64_t mask = 0;

	if (!cve)
		return 0;
	for (size_t i = 0; i < vigil_nmitigations; i++)
		if (lists_cve(&vigil_mitigations[i], cve))
			mask |= 1ull << vigil_mitigations[i].id;
	return mask;
}

uint64_t vigil_mitigations_all_mask(void)
{
	return vigil_nmitigations >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << vigil_nmitigations) - 1;
}

int vigil_mitigations_parse_list(const char *csv, uint64_t *mask, const char **bad_or_null)
{
	static char bad[64];
	uint64_t m = 0;
	const char *p = csv ? csv : "";

	if (bad_or_null)
		*bad_or_null = NULL;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;
		char name[64];

		p = end ? end + 1 : p + len;
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		if (len < sizeof(name)) {
			const struct vigil_mitigation *mit;

			memcpy(name, s, len);
			name[len] = '\0';
			mit = vigil_mitigation_find(name);
			if (strcmp(name, "all") == 0) {
				m |= vigil_mitigations_all_mask();
				continue;
			}
			if (mit) {
				m |= 1ull << mit->id;
				continue;
			}
		}
		snprintf(bad, sizeof(bad), "%.*s", (int)(len < sizeof(bad) ? len : sizeof(bad) - 1),
			 s);
		if (bad_or_null)
			*bad_or_null = bad;
		return -1;
	}
	if (mask)
		*mask = m;
	return 0;
}

const char *vigil_mitigation_availability(const struct vigil_mitigation *m,
					  const struct vigil_features *f)
{
	if (!f)
		return "unknown (run as root)";
	switch (m->mech) {
	case VIGIL_MECH_LSM:
		if (f->lsm_active && (f->lsm_hooks_missing & (UINT64_C(1) << m->id)))
			return "unavailable (this kernel's BPF LSM lacks the hook)";
		if (f->lsm_active)
			return "enforce (BPF LSM)";
		break;
	case VIGIL_MECH_FMOD_RET:
		if (f->fentry)
			return "enforce (fmod_ret)";
		break;
	case VIGIL_MECH_CGROUP:
		if (f->cgroup_sock_addr)
			return "enforce (cgroup hook)";
		break;
	case VIGIL_MECH_EXEC_KILL:
		if (f->tp_btf)
			return "kill (sched_process_exec)";
		break;
	}
	switch (m->fallback) {
	case VIGIL_FALLBACK_KILL:
		return f->tracepoint ? "kill (no BPF LSM)" : "unavailable (no tracepoints)";
	case VIGIL_FALLBACK_CGROUP:
		return f->cgroup_sock_addr ? "enforce (cgroup hook)"
					   : "unavailable (no BPF LSM, no cgroup hooks)";
	case VIGIL_FALLBACK_NONE:
		break;
	}
	switch (m->mech) {
	case VIGIL_MECH_LSM:
		return "unavailable (needs BPF LSM)";
	case VIGIL_MECH_FMOD_RET:
		return "unavailable (needs fmod_ret)";
	case VIGIL_MECH_CGROUP:
		return "unavailable (needs cgroup hooks)";
	case VIGIL_MECH_EXEC_KILL:
		return "unavailable (needs tp_btf)";
	}
	return "unavailable";
}

const char *vigil_mitigation_fallback_error(const struct vigil_mitigation *m)
{
	switch (m->fallback) {
	case VIGIL_FALLBACK_KILL:
		return "killed (SIGKILL)";
	case VIGIL_FALLBACK_CGROUP:
		return "EPERM";
	case VIGIL_FALLBACK_NONE:
		break;
	}
	return "none";
}

const char *vigil_mit_mech_name(enum vigil_mit_mech mech)
{
	switch (mech) {
	case VIGIL_MECH_LSM:
		return "BPF LSM";
	case VIGIL_MECH_FMOD_RET:
		return "fmod_ret";
	case VIGIL_MECH_EXEC_KILL:
		return "kill at exec";
	case VIGIL_MECH_CGROUP:
		return "cgroup hook";
	}
	return "?";
}

const char *vigil_mit_fallback_name(enum vigil_mit_fallback fb)
{
	switch (fb) {
	case VIGIL_FALLBACK_NONE:
		return "none";
	case VIGIL_FALLBACK_KILL:
		return "kill";
	case VIGIL_FALLBACK_CGROUP:
		return "cgroup hook";
	}
	return "?";
}
