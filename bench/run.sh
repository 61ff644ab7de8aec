#!/bin/bash
# bench/run.sh - what Vigil costs, next to its peers, on this machine.
#
#   bench/run.sh [--quick] [--rounds N] [--out DIR]
#
# In one process tree and one session it runs seven workloads (bench/workloads.c)
# bare and under each monitor in turn, interleaved: every round runs, for each
# monitor in an order that rotates from round to round, the workloads bare and
# then the same workloads under that monitor (A B A B ...), so machine drift
# cancels in the per-round ratios. Monitors: Vigil (--events, --events
# --filter execve, default rules, default rules with --no-kernel-filter,
# default rules with the enforce policy bench/enforce-policy.yaml),
# bpftrace, libbpf-tools opensnoop+execsnoop,
# an empty BPF program on the same hooks (the floor) and auditd (last, in its
# own interleaved phase: see below). Each monitor is started, waited for,
# measured and stopped before the next; nothing is left running.
#
# Then: the kernel's own per-program cost (BPF run-time statistics on), a
# saturation test of Vigil with the default rules, and Vigil's peak RSS with
# 10,000 extra processes. bench/report.sh turns the raw tables into
# bench/results.md and bench/results.csv (raw tables: build/bench/raw/).
#
# --quick: 1 round, 0.1 s slices, 1 s saturation steps, 1,000 processes:
# a smoke run of every part in about 3 minutes, for CI (its numbers are
# not stable). The default run (5 rounds, 0.4 s slices, 10 s steps, 10,000
# processes) takes 16 to 19 minutes on a 2-core machine.
#
# Needs root. Installs auditd, bpftrace and libbpf-tools when missing and
# builds build/vigil and the helpers (bench/Makefile.bench); VIGIL=PATH
# measures that vigil binary instead. Either way the run uses a private copy
# of the binary (and of the enforce policy), so a rebuild of build/vigil
# meanwhile does not change it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
B=$BUILD/bench
VIGIL_GIVEN=${VIGIL:-} # VIGIL=PATH: measure that binary instead of building one
VIGIL=$BUILD/vigil
RAW=$B/raw
OUT=$ROOT/bench

QUICK=0
ROUNDS=5
SLICE=0.4         # seconds per workload run
SLICE_COMPILE=1.5 # the compile workload is slower per operation
SAT_STEP=10       # seconds per saturation step
SLEEPERS=10000
ROUNDS_SET=0

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--rounds)
		ROUNDS=$2
		ROUNDS_SET=1
		shift
		;;
	--out)
		OUT=$2
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "run.sh: unknown option $1" >&2
		usage
		;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	[ "$ROUNDS_SET" = 1 ] || ROUNDS=1
	SLICE=0.1
	SLICE_COMPILE=0.3
	SAT_STEP=1
	SLEEPERS=1000
fi

WORKLOADS=(open_close open_write stat getpid fork_exec tcp_connect compile)
# Monitors of the main phase; auditd has its own phase (see run_audit_phase).
MONITORS=(vigil-events vigil-filter vigil-rules vigil-nofilter vigil-enforce bpftrace libbpf-tools floor)
# The enforce policy of vigil-enforce: rules on every area the workloads use,
# none matching their objects (they run to completion: the cost of deciding).
POLICY_SRC=$ROOT/bench/enforce-policy.yaml

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# --- state that cleanup undoes --------------------------------------------
WORK=""
MON=""          # the running monitor, if any
MON_PIDS=""     # its processes
STATS_PID=""    # the BPF statistics holder
SLEEP_PID=""    # the 10,000-process helper
AUDIT_TOUCHED=0 # auditd was started: its rules must go and auditing be restored
AUDIT_ENABLED0=0

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$MON" ] && stop_monitor 2>/dev/null
	for p in $SLEEP_PID $STATS_PID; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ "$AUDIT_TOUCHED" = 1 ]; then
		auditctl -D >/dev/null 2>&1 || true
		auditctl -e "$AUDIT_ENABLED0" >/dev/null 2>&1 || true
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- setup -----------------------------------------------------------------
setup() {
	[ "$(id -u)" = 0 ] || die "run as root"
	local missing=()
	command -v auditd >/dev/null || missing+=(auditd)
	command -v bpftrace >/dev/null || missing+=(bpftrace)
	command -v opensnoop >/dev/null || [ -x /usr/sbin/opensnoop ] || missing+=(libbpf-tools)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			"${missing[@]}" >/dev/null || {
			apt-get update >/dev/null
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
				"${missing[@]}" >/dev/null
		}
	fi
	if [ -n "$VIGIL_GIVEN" ]; then
		[ -x "$VIGIL_GIVEN" ] || die "VIGIL=$VIGIL_GIVEN is not an executable"
		VIGIL=$VIGIL_GIVEN
		log "building the bench helpers; measuring $VIGIL"
	else
		log "building build/vigil and the bench helpers"
		make -C "$ROOT" --no-print-directory BUILD="$BUILD" "$BUILD/vigil" >/dev/null
	fi
	make -C "$ROOT" --no-print-directory -f bench/Makefile.bench BUILD="$BUILD" >/dev/null
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
	cp "$VIGIL" "$WORK/vigil"
	VIGIL=$WORK/vigil
	# A copy: the agent loads its policy files again when they change.
	POLICY=$WORK/enforce-policy.yaml
	cp "$POLICY_SRC" "$POLICY"
	rm -rf "$RAW"
	mkdir -p "$RAW" "$WORK/wl"
	AUDIT_ENABLED0=$(auditctl -s 2>/dev/null | awk '$1 == "enabled" { print $2 }')
	[ "$AUDIT_ENABLED0" = 2 ] && die "auditing is locked (enabled 2): auditd cannot be measured"
	: "${AUDIT_ENABLED0:=0}"
	# The syscalls Vigil hooks, from its sensor sources (every family).
	SYSCALLS=$(grep -ohE '^\s*(SIMPLE|OPEN|NET|CRED)_SYSCALL\([a-z0-9_]+|^\s*(STATEFUL|SYSCALL)_SENSOR\([a-z0-9_]+' \
		"$ROOT"/bpf/*.bpf.c | sed -E 's/.*\(//' | grep -vx name | sort -u | tr '\n' ' ')
	[ -n "$SYSCALLS" ] || die "no syscall list from bpf/*.bpf.c"
	local help
	help=$("$VIGIL" help 2>&1 || true)
	if ! grep -q -- --no-kernel-filter <<<"$help"; then
		log "this vigil has no --no-kernel-filter: vigil-nofilter left out"
		MONITORS=("${MONITORS[@]/vigil-nofilter/}")
		read -r -a MONITORS <<<"${MONITORS[*]}"
	fi
	if ! grep -qE -- '(^|[^a-z-])-p ' <<<"$help"; then
		log "this vigil has no -p (enforce policies): vigil-enforce left out"
		MONITORS=("${MONITORS[@]/vigil-enforce/}")
		read -r -a MONITORS <<<"${MONITORS[*]}"
	elif ! "$VIGIL" check -p "$POLICY" >"$WORK/policy-check.out" 2>&1; then
		die "bench/enforce-policy.yaml does not validate: $(cat "$WORK/policy-check.out")"
	fi
	write_bpftrace_script "$WORK/vigil.bt"
	write_audit_config "$WORK/audit"
	printf 'rounds\t%s\nslice_s\t%s\nslice_compile_s\t%s\nsat_step_s\t%s\nsleepers\t%s\nquick\t%s\n' \
		"$ROUNDS" "$SLICE" "$SLICE_COMPILE" "$SAT_STEP" "$SLEEPERS" "$QUICK" >"$RAW/config.tsv"
	machine_description >"$RAW/machine.tsv"
	: >"$RAW/cells.tsv"
	: >"$RAW/sessions.tsv"
	: >"$RAW/kernel.tsv"
	: >"$RAW/kevents.tsv"
	: >"$RAW/sat.tsv"
	: >"$RAW/rss.tsv"
	: >"$RAW/rss_maps.tsv"
}

machine_description() {
	local tp=0 s
	for s in $SYSCALLS; do
		[ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$s" ] && tp=$((tp + 1))
	done
	printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	printf 'cores\t%s\n' "$(nproc)"
	printf 'memory\t%s MiB\n' "$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
	printf 'kernel\t%s\n' "$(uname -r)"
	printf 'debian\t%s\n' "$(cat /etc/debian_version)"
	printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf 'vigil\t%s\n' "$("$VIGIL" version 2>&1 | head -1)"
	printf 'bpftrace\t%s\n' "$(bpftrace --version 2>&1 | head -1)"
	printf 'auditd\t%s\n' "$(dpkg-query -W -f '${Version}' auditd 2>/dev/null)"
	printf 'libbpf-tools\t%s\n' "$(dpkg-query -W -f '${Version}' libbpf-tools 2>/dev/null)"
	printf 'syscalls\t%s of %s hooked syscalls have tracepoints here\n' "$tp" "$(wc -w <<<"$SYSCALLS")"
	printf 'hooks\t%s\n' "$("$VIGIL" probe --json 2>/dev/null | grep -q '"fentry":true' &&
		echo 'fentry allowed (Vigil uses fexit)' || echo 'no BPF trampolines: Vigil uses syscall tracepoints')"
}

# One bpftrace probe pair per hooked syscall: sys_enter keeps the first string
# argument (the path), sys_exit prints the event; plus the scheduler events
# Vigil reports (clone, exec, exit). Tracepoints only: no kprobes here.
write_bpftrace_script() {
	local t=/sys/kernel/tracing/events/syscalls s f
	{
		for s in $SYSCALLS; do
			if [ ! -d "$t/sys_enter_$s" ] || [ ! -d "$t/sys_exit_$s" ]; then continue; fi
			f=$(awk -F'[;:]' '/field:.*char \*/ { n = split($2, a, /[ *]+/); print a[n]; exit }' \
				"$t/sys_enter_$s/format")
			if [ -n "$f" ]; then
				printf 'tracepoint:syscalls:sys_enter_%s { @s[tid] = (uint64)args->%s; }\n' "$s" "$f"
				printf 'tracepoint:syscalls:sys_exit_%s { printf("%s pid=%%d tid=%%d comm=%%s path=%%s ret=%%d\\n", pid, tid, comm, str(@s[tid]), args->ret); delete(@s[tid]); }\n' "$s" "$s"
			else
				printf 'tracepoint:syscalls:sys_exit_%s { printf("%s pid=%%d tid=%%d comm=%%s ret=%%d\\n", pid, tid, comm, args->ret); }\n' "$s" "$s"
			fi
		done
		cat <<'EOF'
tracepoint:sched:sched_process_fork { printf("clone pid=%d child=%d comm=%s\n", args->parent_pid, args->child_pid, comm); }
tracepoint:sched:sched_process_exec { printf("execve pid=%d comm=%s file=%s\n", pid, comm, str(args->filename)); }
tracepoint:sched:sched_process_exit { printf("procexit pid=%d comm=%s\n", pid, comm); }
EOF
	} >"$1"
}

# auditd with its log in the work directory, Debian's other defaults, and
# rules on the same syscalls as Vigil (umount is umount2 to audit) plus the
# process lifecycle Vigil reports (clone/fork/vfork/exit_group).
write_audit_config() {
	local dir=$1 s names=() n
	mkdir -p "$dir/plugins.d"
	cat >"$dir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $dir/audit.log
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 0
max_log_file_action = IGNORE
num_logs = 0
priority_boost = 4
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $dir/plugins.d
end_of_event_timeout = 2
EOF
	for s in $SYSCALLS clone clone3 fork vfork exit_group; do
		n=$s
		[ "$s" = umount ] && n=umount2
		ausyscall x86_64 "$n" --exact >/dev/null 2>&1 && names+=("$n")
	done
	AUDIT_SYSCALLS=$(
		IFS=,
		echo "${names[*]}"
	)
	# Debian's default backlog (audit.rules: -b 8192), the kernel's default wait.
	printf -- '-b 8192\n-a always,exit -F arch=b64 -S %s -k vigil-bench\n' "$AUDIT_SYSCALLS" >"$dir/audit.rules"
}

# --- monitors ----------------------------------------------------------------
MON_ERR=""
OWN_PROGS=0  # BPF programs the running monitor holds
VIGIL_MAP="" # id of the running Vigil's counters map
NPROGS_BEFORE=0

wait_for_line() { # FILE PATTERN TIMEOUT_S PIDS...
	local file=$1 pat=$2 limit=$(($3 * 10)) i p
	shift 3
	for ((i = 0; i < limit; i++)); do
		grep -q -- "$pat" "$file" 2>/dev/null && return 0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null || return 1
		done
		sleep 0.1
	done
	return 1
}

# Attached: every program the process loaded has a perf event or a link and
# that count has not changed for half a second.
wait_attached() { # PID TIMEOUT_S
	local pid=$1 limit=$(($2 * 10)) i progs att last=-1 same=0
	for ((i = 0; i < limit; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		progs=$(find "/proc/$pid/fd" -lname 'anon_inode:bpf-prog' 2>/dev/null | wc -l)
		att=$(find "/proc/$pid/fd" \( -lname 'anon_inode:\[perf_event\]' -o -lname 'anon_inode:bpf_link' \) 2>/dev/null | wc -l)
		if [ "$progs" -gt 0 ] && [ "$att" -ge "$progs" ] && [ "$att" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 5 ] && return 0
		else
			same=0
		fi
		last=$att
		sleep 0.1
	done
	return 1
}

start_monitor() { # NAME
	NPROGS_BEFORE=$("$B/bpfstat" nprogs)
	MON=$1
	MON_ERR=$WORK/$1.err
	: >"$MON_ERR"
	case "$1" in
	vigil-events | vigil-filter | vigil-rules | vigil-nofilter | vigil-enforce)
		local args=(run)
		[ "$1" = vigil-events ] && args+=(--events)
		[ "$1" = vigil-filter ] && args+=(--events --filter execve)
		[ "$1" = vigil-nofilter ] && args+=(--no-kernel-filter)
		[ "$1" = vigil-enforce ] && args+=(-p "$POLICY")
		"$VIGIL" "${args[@]}" >/dev/null 2>"$MON_ERR" &
		MON_PIDS=$!
		wait_for_line "$MON_ERR" 'ready' 60 "$MON_PIDS" || die "$1 did not start: $(cat "$MON_ERR")"
		VIGIL_MAP=$("$B/bpfstat" stats-map "$MON_PIDS") || die "no counters map in $1"
		[ "$1" = vigil-enforce ] && record_enforcement
		;;
	bpftrace)
		bpftrace "$WORK/vigil.bt" >/dev/null 2>"$MON_ERR" &
		MON_PIDS=$!
		wait_attached "$MON_PIDS" 120 || die "bpftrace did not attach: $(cat "$MON_ERR")"
		;;
	libbpf-tools)
		opensnoop >/dev/null 2>"$MON_ERR" &
		MON_PIDS=$!
		execsnoop >/dev/null 2>>"$MON_ERR" &
		MON_PIDS="$MON_PIDS $!"
		local p
		for p in $MON_PIDS; do
			wait_attached "$p" 60 || die "libbpf-tools did not attach: $(cat "$MON_ERR")"
		done
		;;
	floor)
		# shellcheck disable=SC2086 # one argument per syscall
		"$B/floor" $SYSCALLS 2>"$MON_ERR" &
		MON_PIDS=$!
		wait_for_line "$MON_ERR" 'floor: ready' 60 "$MON_PIDS" || die "floor did not start: $(cat "$MON_ERR")"
		;;
	auditd)
		AUDIT_TOUCHED=1
		: >"$WORK/audit/audit.log"
		auditd -n -s enable -c "$WORK/audit" >/dev/null 2>"$MON_ERR" &
		MON_PIDS=$!
		local i
		for ((i = 0; i < 100; i++)); do
			auditctl -s 2>/dev/null | grep -qx "pid $MON_PIDS" && break
			kill -0 "$MON_PIDS" 2>/dev/null || die "auditd did not start: $(cat "$MON_ERR")"
			sleep 0.1
		done
		auditctl -R "$WORK/audit/audit.rules" >/dev/null 2>>"$MON_ERR" || die "auditctl -R failed: $(cat "$MON_ERR")"
		auditctl -l | grep -q vigil-bench || die "audit rules not loaded"
		# The kernel's audit thread does the monitor's work too.
		MON_PIDS="$MON_PIDS $(pgrep -x kauditd | head -1)"
		;;
	*) die "unknown monitor $1" ;;
	esac
	# shellcheck disable=SC2086
	OWN_PROGS=$("$B/bpfstat" progs $MON_PIDS | wc -l)
}

# How the agent enforces here (BPF LSM, or the cgroup and kill-at-syscall
# fallback), from its "vigil: enforcement: ..." line: once, into machine.tsv.
ENFORCEMENT_SEEN=0
record_enforcement() {
	local line
	[ "$ENFORCEMENT_SEEN" = 0 ] || return 0
	line=$(sed -n 's/^vigil: enforcement: //p' "$MON_ERR" | head -1)
	grep -q 'policies applied' "$MON_ERR" || die "vigil-enforce applied no policy: $(cat "$MON_ERR")"
	printf 'enforcement\t%s\n' "${line:-not reported by this vigil}" >>"$RAW/machine.tsv"
	ENFORCEMENT_SEEN=1
}

hwm_kb() { # PID -> VmHWM in KiB
	awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

stop_pid() { # PID SIGNAL: signal, wait up to 20 s, then SIGKILL
	local pid=$1 sig=$2 i
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Stops the monitor; sets STOPPED to "hwm_kb generated delivered dropped lost
# kernel_filtered"
# (tab-separated). Not in a subshell: the monitor is this shell's child.
STOPPED=""
stop_monitor() {
	local first hwm gen="-" del="-" drop="-" lost="-" filt="-" p line
	first=${MON_PIDS%% *}
	hwm=$(hwm_kb "$first")
	case "$MON" in
	vigil-*)
		stop_pid "$first" INT
		line=$(grep -o 'vigil: stats {[^}]*' "$MON_ERR" | head -1 || true)
		gen=$(sed -nE 's/.*"generated":([0-9]+).*/\1/p' <<<"$line")
		del=$(sed -nE 's/.*"delivered":([0-9]+).*/\1/p' <<<"$line")
		drop=$(sed -nE 's/.*"dropped":([0-9]+).*/\1/p' <<<"$line")
		filt=$(sed -nE 's/.*"kernel_filtered":([0-9]+).*/\1/p' <<<"$line")
		[ -n "$filt" ] || filt="-"
		[ -n "$gen" ] || {
			gen="-" del="-" drop="-"
		}
		;;
	bpftrace | libbpf-tools)
		for p in $MON_PIDS; do
			local h
			h=$(hwm_kb "$p")
			[ "$p" = "$first" ] || hwm=$((hwm + h))
			stop_pid "$p" INT
		done
		lost=$(grep -oiE 'lost [0-9]+ events' "$MON_ERR" | awk '{ s += $2 } END { print s + 0 }' || true)
		;;
	floor)
		stop_pid "$first" INT
		;;
	auditd)
		lost=$(audit_lost)
		auditctl -D >/dev/null 2>&1 || true
		stop_pid "$first" TERM
		auditctl -e "$AUDIT_ENABLED0" >/dev/null 2>&1 || true
		;;
	esac
	STOPPED=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$hwm" "$gen" "$del" "$drop" "$lost" "$filt")
	# The kernel frees programs after the last reference goes (RCU): wait
	# until they are gone, so that the next bare run does not count them.
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$("$B/bpfstat" nprogs)" -le "$NPROGS_BEFORE" ] && break
		sleep 0.1
	done
	MON=""
	MON_PIDS=""
	OWN_PROGS=0
	VIGIL_MAP=""
}

audit_lost() { auditctl -s 2>/dev/null | awk '$1 == "lost" { print $2 }'; }

mon_cpu() { # [--top]: on-CPU ns of the monitor's processes (and children)
	if [ -z "$MON_PIDS" ]; then
		echo 0
	else
		# shellcheck disable=SC2086
		"$B/bpfstat" cpu "$@" $MON_PIDS
	fi
}

# Waits until the monitor has caught up with the work just done: its CPU time
# grows by less than 10 ms in 100 ms (at most 1 s: on a busy machine a monitor
# that sees every process never goes fully idle); for auditd, until the
# kernel backlog is also empty.
settle() {
	[ -n "$MON_PIDS" ] || return 0
	local i prev cur
	prev=$(mon_cpu --top)
	for ((i = 0; i < 10; i++)); do
		sleep 0.1
		cur=$(mon_cpu --top)
		if [ $((cur - prev)) -lt 10000000 ]; then
			if [ "$MON" != auditd ] || auditctl -s | grep -qx 'backlog 0'; then
				return 0
			fi
		fi
		prev=$cur
	done
}

# Vigil's kernel counters "emitted dropped filtered", or "- - -".
vigil_counters() {
	if [ -n "$VIGIL_MAP" ]; then
		"$B/bpfstat" counters "$VIGIL_MAP" 2>/dev/null || echo "- - -"
	else
		echo "- - -"
	fi
}

# Under vigil-enforce a workload that fails was most likely refused or killed:
# a rule of the policy matched one of its objects (fix the policy, not the
# workload; the agent's reports go to /dev/null like the other monitors').
enforce_hint() {
	[ "$MON" = vigil-enforce ] || return 0
	echo " (refused or killed? then a rule of bench/enforce-policy.yaml matched one of its objects)"
}

slice_for() { [ "$1" = compile ] && echo "$SLICE_COMPILE" || echo "$SLICE"; }

# One workload run under the current monitor: appends a line to cells.tsv
# phase round monitor pair workload ops ns cpu_ns generated dropped window_ns
# progs own_progs kernel_filtered workload_cpu_ns. progs is the number of BPF programs on the machine (the
# larger of before and after); more than own_progs means someone else's
# programs were attached meanwhile and the report leaves the pair out.
cell() { # PHASE ROUND PAIR WORKLOAD
	local phase=$1 round=$2 pair=$3 wl=$4 out ops ns c0 c1 g0 d0 g1 d1 gen="-" drop="-" a0 a1 off
	local name=${MON:-bare} w0 w1 n0 n1 f0 f1 filt="-" wcpu
	n0=$("$B/bpfstat" nprogs)
	w0=$(date +%s%N)
	c0=$(mon_cpu)
	read -r g0 d0 f0 <<<"$(vigil_counters)"
	if [ "$MON" = auditd ]; then
		a0=$(audit_lost)
		off=$(stat -c %s "$WORK/audit/audit.log")
	fi
	out=$("$B/workloads" --workload "$wl" --time "$(slice_for "$wl")" --dir "$WORK/wl") ||
		die "workload $wl failed under $name$(enforce_hint)"
	settle
	c1=$(mon_cpu)
	w1=$(date +%s%N)
	n1=$("$B/bpfstat" nprogs)
	[ "$n1" -gt "$n0" ] && n0=$n1
	read -r g1 d1 f1 <<<"$(vigil_counters)"
	if [ "$g0" != "-" ] && [ "$g1" != "-" ]; then
		gen=$((g1 + d1 - g0 - d0))
		drop=$((d1 - d0))
	fi
	if [ "$f0" != "-" ] && [ "$f1" != "-" ]; then
		filt=$((f1 - f0))
	fi
	if [ "$MON" = auditd ]; then
		a1=$(audit_lost)
		drop=$((a1 - a0))
		gen=$(tail -c +"$((off + 1))" "$WORK/audit/audit.log" | grep -c '^type=SYSCALL' || true)
		gen=$((gen + drop))
		: >"$WORK/audit/audit.log" # auditd appends: keeps the disk use bounded
	fi
	ops=$(sed -nE 's/.* ops=([0-9]+).*/\1/p' <<<"$out")
	ns=$(sed -nE 's/.* ns=([0-9]+).*/\1/p' <<<"$out")
	wcpu=$(sed -nE 's/.* cpu_ns=([0-9]+).*/\1/p' <<<"$out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$round" \
		"$name" "$pair" "$wl" "$ops" "$ns" "$((c1 - c0))" "$gen" "$drop" "$((w1 - w0))" "$n0" \
		"$OWN_PROGS" "$filt" "$wcpu" >>"$RAW/cells.tsv"
}

group() { # PHASE ROUND PAIR: every workload once under the current monitor
	local wl
	for wl in "${WORKLOADS[@]}"; do
		cell "$1" "$2" "$3" "$wl"
	done
}

session() { # PHASE ROUND MONITOR: bare group, then the monitor's group
	local phase=$1 r=$2 m=$3 t0
	t0=$(date +%s)
	group "$phase" "$r" "$m"
	start_monitor "$m"
	settle
	group "$phase" "$r" "$m"
	stop_monitor
	printf '%s\t%s\t%s\t%s\n' "$phase" "$r" "$m" "$STOPPED" >>"$RAW/sessions.tsv"
	log "  round $r: $m ($(($(date +%s) - t0)) s)"
}

run_main_phase() {
	local r i n=${#MONITORS[@]}
	for ((r = 1; r <= ROUNDS; r++)); do
		log "round $r/$ROUNDS"
		for ((i = 0; i < n; i++)); do
			session main "$r" "${MONITORS[$(((i + r - 1) % n))]}"
		done
	done
}

# auditd runs after everything else: once auditing has been enabled, the
# kernel (audit_ever_enabled) gives every new task an audit context for the
# rest of the boot, so bare runs after it are not comparable with bare runs
# before it. Its own interleaved bare runs keep its ratios honest.
run_audit_phase() {
	local r
	for ((r = 1; r <= ROUNDS; r++)); do
		session audit "$r" auditd
	done
}

# --- the kernel's own cost per program ------------------------------------
prog_snapshot() { # -> id name run_cnt run_time_ns, one line each
	# shellcheck disable=SC2086
	"$B/bpfstat" progs $MON_PIDS 2>/dev/null || true
}

run_kernel_phase() {
	local m wl s0 s1 out ops g0 d0 g1 d1 f
	"$B/bpfstat" stats-on >"$WORK/stats.out" 2>&1 &
	STATS_PID=$!
	wait_for_line "$WORK/stats.out" 'stats on' 10 "$STATS_PID" || die "cannot turn BPF statistics on"
	for m in "${MONITORS[@]}"; do
		start_monitor "$m"
		settle
		for wl in "${WORKLOADS[@]}"; do
			s0=$(prog_snapshot)
			read -r g0 d0 f <<<"$(vigil_counters)"
			out=$("$B/workloads" --workload "$wl" --time "$(slice_for "$wl")" --dir "$WORK/wl") ||
				die "workload $wl failed under $m$(enforce_hint)"
			settle
			s1=$(prog_snapshot)
			read -r g1 d1 f <<<"$(vigil_counters)"
			ops=$(sed -nE 's/.* ops=([0-9]+).*/\1/p' <<<"$out")
			awk -v m="$m" -v wl="$wl" -v ops="$ops" -F'\t' '
				NR == FNR { c[$1] = $3; t[$1] = $4; next }
				($1 in c) { printf "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", m, wl, ops, $1, $2, $3 - c[$1], $4 - t[$1] }
			' <(echo "$s0") <(echo "$s1") >>"$RAW/kernel.tsv"
			if [ "$g0" != "-" ] && [ "$g1" != "-" ]; then
				printf '%s\t%s\t%s\t%s\t%s\n' "$m" "$wl" "$ops" "$((g1 + d1 - g0 - d0))" "$((d1 - d0))" >>"$RAW/kevents.tsv"
			fi
		done
		stop_monitor
		log "  kernel cost: $m"
	done
	stop_pid "$STATS_PID" TERM
	STATS_PID=""
}

# --- saturation: the highest open rate with zero drops for SAT_STEP seconds
sat_step() { # KIND RATE [THREADS [NICE]] -> appends to sat.tsv; sets SAT_DROP SAT_ACHIEVED
	local kind=$1 rate=$2 threads=${3:-2} nice=${4:-0} out c0 c1 g0 d0 g1 d1 f rss_kb pid=${MON_PIDS%% *}
	settle
	c0=$(mon_cpu)
	read -r g0 d0 f <<<"$(vigil_counters)"
	out=$(nice -n "$nice" "$B/workloads" --rate "$rate" --time "$SAT_STEP" --threads "$threads" \
		--dir "$WORK/wl") || die "rate generator failed"
	rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	settle
	c1=$(mon_cpu)
	read -r g1 d1 f <<<"$(vigil_counters)"
	SAT_ACHIEVED=$(sed -nE 's/.* achieved=([0-9]+).*/\1/p' <<<"$out")
	SAT_DROP=$((d1 - d0))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$rate" "$threads" "$SAT_STEP" \
		"$SAT_ACHIEVED" "$((g1 + d1 - g0 - d0))" "$SAT_DROP" "$((c1 - c0))" "$(hwm_kb "$pid")" \
		"$rss_kb" "$nice" >>"$RAW/sat.tsv"
	log "  saturation $kind: target $rate/s ($threads threads, nice $nice) achieved $SAT_ACHIEVED/s dropped $SAT_DROP"
}

# Doubles the rate from 25,000/s until a step drops events or the generator
# cannot reach 95% of the target (on 2 cores the generator and Vigil share the
# CPUs), then bisects between the last good and the first dropping rate. Then
# the target rate (200,000/s), twice the safe rate, and, when two generator
# threads cannot outrun Vigil, a flood from four threads at nice -10 (Vigil
# at 0: a CPU-starved agent), so that the behaviour above the limit is seen;
# then the safe rate again (recovery).
run_saturation() {
	local rate=25000 good=0 bad=0 i mid
	start_monitor vigil-rules
	settle
	while :; do
		sat_step search "$rate"
		if [ "$SAT_DROP" -gt 0 ]; then
			bad=$rate
			break
		fi
		[ "$SAT_ACHIEVED" -lt $((rate * 95 / 100)) ] && break
		good=$rate
		[ "$rate" -ge 3200000 ] && break
		rate=$((rate * 2))
	done
	if [ "$bad" -gt 0 ]; then
		for ((i = 0; i < 3; i++)); do
			mid=$(((good + bad) / 2))
			[ "$mid" -le "$good" ] && break
			sat_step search "$mid"
			if [ "$SAT_DROP" -eq 0 ] && [ "$SAT_ACHIEVED" -ge $((mid * 95 / 100)) ]; then
				good=$mid
			else
				bad=$mid
			fi
		done
	fi
	if ! awk -F'\t' '$2 == 200000 { f = 1 } END { exit !f }' "$RAW/sat.tsv"; then
		sat_step target 200000
	fi
	if [ "$good" -gt 0 ]; then
		sat_step overload $((good * 2))
		if [ "$SAT_DROP" -eq 0 ]; then
			sat_step flood $((good * 20)) 4 -10
		fi
		sat_step recovery "$good"
	fi
	stop_monitor
	printf '%s\t%s\t%s\t%s\n' saturation 1 vigil-rules "$STOPPED" >>"$RAW/sessions.tsv"
}

# --- agent RSS with a process table of SLEEPERS extra processes -----------
run_rss() {
	local pid hwm0 made
	start_monitor vigil-rules
	pid=${MON_PIDS%% *}
	sleep 1
	hwm0=$(hwm_kb "$pid")
	"$B/workloads" --sleepers "$SLEEPERS" >"$WORK/sleepers.out" 2>&1 &
	SLEEP_PID=$!
	wait_for_line "$WORK/sleepers.out" 'sleepers ready' 600 "$SLEEP_PID" || die "sleepers: $(cat "$WORK/sleepers.out")"
	made=$(awk '/sleepers ready/ { print $3 }' "$WORK/sleepers.out")
	sleep 2
	settle
	printf 'sleepers\t%s\nprocs_total\t%s\nhwm_before_kb\t%s\nhwm_kb\t%s\nrss_kb\t%s\n' \
		"$made" "$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)" "$hwm0" "$(hwm_kb "$pid")" \
		"$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")" >>"$RAW/rss.tsv"
	# Where the memory is: resident KiB per mapping (anonymous ones named
	# by their kind), largest first.
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; next }
		/^Rss:/ { rss[name] += $2 }
		END { for (n in rss) if (rss[n] > 0) printf "%s\t%d\n", n, rss[n] }' \
		"/proc/$pid/smaps" | sort -t"$(printf '\t')" -k2,2nr >"$RAW/rss_maps.tsv"
	stop_pid "$SLEEP_PID" TERM
	SLEEP_PID=""
	settle
	stop_monitor
	printf '%s\t%s\t%s\t%s\n' rss 1 vigil-rules "$STOPPED" >>"$RAW/sessions.tsv"
	log "  rss: $made processes, VmHWM $(awk -F'\t' '$1 == "hwm_kb" { print $2 }' "$RAW/rss.tsv") KiB"
}

main() {
	local t0
	t0=$(date +%s)
	setup
	log "monitors: ${MONITORS[*]} auditd; workloads: ${WORKLOADS[*]}; $ROUNDS rounds"
	run_main_phase
	log "auditd phase"
	run_audit_phase
	log "kernel cost per program (BPF statistics on)"
	run_kernel_phase
	log "saturation (default rules, ${SAT_STEP} s steps)"
	run_saturation
	log "RSS with $SLEEPERS extra processes"
	run_rss
	printf 'wall_s\t%s\n' "$(($(date +%s) - t0))" >>"$RAW/config.tsv"
	"$ROOT/bench/report.sh" "$RAW" "$OUT"
	log "done in $(($(date +%s) - t0)) s: $OUT/results.md, $OUT/results.csv"
}

main
