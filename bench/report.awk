# bench/report.awk - the raw tables of bench/run.sh to Markdown (stdout) and
# CSV (the file named by -v csv=...). POSIX awk (Debian's mawk). Inputs, in
# order: config machine cells sessions kernel kevents sat rss rss_maps (.tsv).

function median(list, n, a, i, j, x)
{
	n = split(list, a, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++) {
		x = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > x; j--)
			a[j + 1] = a[j]
		a[j + 1] = x
	}
	if (n % 2)
		return a[(n + 1) / 2] + 0
	return (a[n / 2] + a[n / 2 + 1]) / 2
}

function lmin(list, n, a, i, m)
{
	n = split(list, a, " ")
	m = a[1] + 0
	for (i = 2; i <= n; i++)
		if (a[i] + 0 < m)
			m = a[i] + 0
	return m
}

function lmax(list, n, a, i, m)
{
	n = split(list, a, " ")
	m = a[1] + 0
	for (i = 2; i <= n; i++)
		if (a[i] + 0 > m)
			m = a[i] + 0
	return m
}

function add(arr, key, v)
{
	arr[key] = (key in arr) ? arr[key] " " v : v
}

# 1234567 -> 1,234,567 (integers only)
function commas(x, s, neg, out)
{
	x = sprintf("%.0f", x)
	neg = (substr(x, 1, 1) == "-")
	if (neg)
		x = substr(x, 2)
	out = ""
	while (length(x) > 3) {
		out = "," substr(x, length(x) - 2) out
		x = substr(x, 1, length(x) - 3)
	}
	return (neg ? "-" : "") x out
}

function fmt_ns(x)
{
	if (x == "")
		return "—"
	if (x >= 1e6 || x <= -1e6)
		return sprintf("%.2f ms", x / 1e6)
	if (x >= 1e4 || x <= -1e4)
		return sprintf("%.1f µs", x / 1e3)
	return commas(x) " ns"
}

function signed_ns(x)
{
	if (x == "")
		return "—"
	return (x >= 0 ? "+" : "") fmt_ns(x)
}

function csvq(s)
{
	if (s ~ /[",]/) {
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	return s
}

function out_csv(table, monitor, workload, metric, value, unit)
{
	print csvq(table) "," csvq(monitor) "," csvq(workload) "," csvq(metric) "," csvq(value) "," csvq(unit) > csv
}

# Programs that report events: not the sys_enter halves, and not Vigil's
# enforcement programs (lsm_* on BPF LSM hooks, fb_* of the fallback), which
# decide rather than report.
function is_event_prog(name)
{
	return name !~ /enter/ && !is_enforce_prog(name)
}

function is_enforce_prog(name)
{
	return name ~ /^(lsm|fb)_/
}

BEGIN {
	nmon = split("vigil-events vigil-filter vigil-rules vigil-nofilter vigil-enforce auditd bpftrace libbpf-tools floor", MON, " ")
	nwl = split("open_close open_write stat getpid fork_exec tcp_connect compile", WL, " ")
	LABEL["bare"] = "bare (no monitor)"
	LABEL["vigil-events"] = "Vigil `run --events` > /dev/null (kernel filter off: all types)"
	LABEL["vigil-filter"] = "Vigil `run --events --filter execve` (kernel filter on)"
	LABEL["vigil-rules"] = "Vigil `run`, default rules"
	LABEL["vigil-nofilter"] = "Vigil `run --no-kernel-filter`, default rules (same alerts, filtered in user space)"
	LABEL["vigil-enforce"] = "Vigil `run -p bench/enforce-policy.yaml`, default rules + enforce policy"
	LABEL["auditd"] = "auditd, rules on the same syscalls"
	LABEL["bpftrace"] = "bpftrace, same tracepoints, printf > /dev/null"
	LABEL["libbpf-tools"] = "libbpf-tools opensnoop + execsnoop > /dev/null"
	LABEL["floor"] = "empty BPF programs on Vigil's hooks (floor)"
	WDESC["open_close"] = "openat + close of an existing file, read-only (the default rules' kernel read filter drops it)"
	WDESC["open_write"] = "openat + close of the same file for writing, nothing written (delivered under the default rules)"
	WDESC["stat"] = "stat of the same file (no monitor reports it)"
	WDESC["getpid"] = "getpid (no monitor reports it)"
	WDESC["fork_exec"] = "fork + exec /bin/true + wait"
	WDESC["tcp_connect"] = "TCP socket + connect + accept + close on 127.0.0.1"
	WDESC["compile"] = "gcc -O1 -c of one small C file (of 300)"
	print "table,monitor,workload,metric,value,unit" > csv
}

FILENAME ~ /config\.tsv$/ { cfg[$1] = $2; next }
FILENAME ~ /machine\.tsv$/ { mach[$1] = $2; morder[++nmach] = $1; next }
FILENAME ~ /cells\.tsv$/ {
	# phase round monitor pair workload ops ns cpu_ns generated dropped
	# window_ns progs own_progs
	t = $7 / $6
	tc = $15 / $6
	foreign = ($12 > $13)
	pw = $1 SUBSEP $5
	if ($3 == "bare") {
		nbare++
		if ($1 == "main")
			add(bare_main_all, $5, t)
		if (foreign) {
			nbare_foreign++
			next
		}
		if ($1 == "main") {
			add(bare_main, $5, t)
			add(bare_main_cpu, $5, tc)
		}
		# the bare run after monitored runs still waiting for one
		np = split(pend[pw], pl, " ")
		for (k = 1; k <= np; k++) {
			c_next[pl[k]] = t
			c_nextc[pl[k]] = tc
		}
		pend[pw] = ""
		last_bare[pw] = t
		last_bare_cpu[pw] = tc
		next
	}
	nc++
	c_tc[nc] = tc
	if (pw in last_bare) {
		c_prev[nc] = last_bare[pw]
		c_prevc[nc] = last_bare_cpu[pw]
	}
	pend[pw] = pend[pw] " " nc
	c_phase[nc] = $1; c_round[nc] = $2; c_mon[nc] = $3; c_wl[nc] = $5
	c_ops[nc] = $6; c_ns[nc] = $7; c_t[nc] = t; c_cpu[nc] = $8; c_gen[nc] = $9; c_drop[nc] = $10
	c_win[nc] = $11; c_foreign[nc] = foreign; c_filt[nc] = $14
	next
}
FILENAME ~ /sessions\.tsv$/ {
	# phase round monitor hwm_kb generated delivered dropped lost
	if ($1 != "main" && $1 != "audit")
		next
	add(s_hwm, $3, $4)
	s_n[$3]++
	if ($5 != "-") { s_gen[$3] += $5; s_del[$3] += $6; s_drop[$3] += $7; s_hasgen[$3] = 1 }
	if ($8 != "-") { s_lost[$3] += $8; s_haslost[$3] = 1 }
	if ($9 != "-" && $9 != "") { s_filt[$3] += $9; s_hasfilt[$3] = 1 }
	next
}
FILENAME ~ /kernel\.tsv$/ {
	# monitor workload ops prog_id prog_name run_cnt run_time_ns
	k = $1 SUBSEP $2
	k_ops[k] = $3
	k_time[k] += $7
	if (is_event_prog($5))
		k_ev[k] += $6
	if (is_enforce_prog($5)) {
		k_etime[k] += $7
		k_has_enf[$1] = 1
	}
	p = $1 SUBSEP $5
	if (!(p in p_cnt))
		p_order[$1] = ($1 in p_order) ? p_order[$1] SUBSEP $5 : $5
	p_cnt[p] += $6
	p_time[p] += $7
	next
}
FILENAME ~ /kevents\.tsv$/ { ke_gen[$1 SUBSEP $2] = $4; next }
FILENAME ~ /sat\.tsv$/ {
	# kind rate threads seconds achieved generated dropped cpu_ns hwm_kb rss_kb nice
	ns++
	for (i = 1; i <= 11; i++)
		sat[ns, i] = $i
	next
}
FILENAME ~ /rss_maps\.tsv$/ { nmaps++; map_name[nmaps] = $1; map_kb[nmaps] = $2; next }
FILENAME ~ /rss\.tsv$/ { rss[$1] = $2; next }

END {
	# ---- per-cell figures --------------------------------------------------
	# A monitored run during which someone else's BPF programs were attached
	# is left out, unless every round of it was hit; bare runs hit by them
	# are not used as references.
	for (i = 1; i <= nc; i++) {
		c_bad[i] = c_foreign[i]
		if (!c_bad[i])
			clean[c_mon[i] SUBSEP c_wl[i]]++
	}
	for (i = 1; i <= nc; i++) {
		m = c_mon[i]; w = c_wl[i]; key = m SUBSEP w
		if (c_bad[i] && clean[key] > 0) {
			excluded++
			continue
		}
		if (c_bad[i])
			tainted[key] = 1
		# reference: the mean of the bare runs of this workload just before
		# and just after (the next monitor's), or the one that exists
		if ((i in c_prev) && (i in c_next)) {
			b = (c_prev[i] + c_next[i]) / 2
			bc = (c_prevc[i] + c_nextc[i]) / 2
		} else if (i in c_prev) {
			b = c_prev[i]
			bc = c_prevc[i]
		} else if (i in c_next) {
			b = c_next[i]
			bc = c_nextc[i]
		} else {
			b = 0
			bc = 0
		}
		add(l_tc, key, c_tc[i])
		if (bc > 0) {
			add(l_cratio, key, c_tc[i] / bc)
			add(l_cadded, key, c_tc[i] - bc)
		}
		add(l_t, key, c_t[i])
		if (b > 0) {
			add(l_ratio, key, c_t[i] / b)
			add(l_added, key, c_t[i] - b)
			add(l_bare, key, b)
		}
		# events: measured (Vigil's counters, auditd's records) or, for the
		# other BPF monitors, events per operation from the kernel phase
		ev = ""
		if (c_gen[i] != "-")
			ev = c_gen[i]
		else if ((m SUBSEP w) in k_ev && k_ops[m SUBSEP w] > 0)
			ev = c_ops[i] * k_ev[m SUBSEP w] / k_ops[m SUBSEP w]
		if (ev != "") {
			add(l_evop, key, ev / c_ops[i])
			if (ev / c_ops[i] >= 0.05 && ev > 0)
				add(l_cpuev, key, c_cpu[i] / ev / 1000)
		}
		add(l_cpupct, key, 100 * c_cpu[i] / c_win[i])
		if (c_filt[i] != "-" && c_filt[i] != "")
			add(l_filtop, key, c_filt[i] / c_ops[i])
		if (c_gen[i] != "-" && c_drop[i] != "-") {
			d_gen[key] += c_gen[i]
			d_drop[key] += c_drop[i]
			d_has[key] = 1
		}
		rounds[key]++
	}

	print "# Vigil benchmark results"
	print ""
	print "Generated by `bench/run.sh" (cfg["quick"] == 1 ? " --quick" : "") "` (`bench/report.sh` from the raw tables in `build/bench/raw/`); do not edit by hand."
	print ""
	print "## Machine"
	print ""
	print "| | |"
	print "|---|---|"
	for (i = 1; i <= nmach; i++) {
		print "| " morder[i] " | " mach[morder[i]] " |"
		out_csv("machine", "", "", morder[i], mach[morder[i]], "")
	}
	print "| rounds | " cfg["rounds"] " (each monitor's workloads once per round, right after the same workloads bare) |"
	print "| time per workload run | " cfg["slice_s"] " s (compile: " cfg["slice_compile_s"] " s) |"
	print "| wall time of the whole run | " cfg["wall_s"] " s |"
	for (k in cfg)
		out_csv("config", "", "", k, cfg[k], "")
	print ""
	print "## Method"
	print ""
	print "One process tree, one session. Each round runs, for every monitor in an order that rotates from round to round, the seven workloads bare and then the same seven under that monitor, started before and stopped after them (A B A B ...). A workload run repeats one operation for a fixed time and reports ns per operation. `× bare` is the median over rounds of (monitored run / its bare reference), the reference being the mean of the bare runs of the same workload just before it and just after it (the next monitor's); `added` is the median of their difference; so drift of the machine cancels. auditd runs in a phase of its own after the others, with its own bare runs: once auditing has been enabled, the kernel gives every new task an audit context until reboot (`audit_ever_enabled`), so bare runs after it are not comparable with bare runs before it."
	print ""
	print "`vigil-enforce` runs the default rules plus `bench/enforce-policy.yaml`, a host-wide enforce policy with file, exec, network, ptrace and module rules, none of which matches an object of the workloads: every operation is decided and allowed, so its cost is that of deciding, not of refusing. How the agent enforced on this machine (BPF LSM hooks, or the fallback of cgroup socket hooks and kill-at-syscall tracepoints) is the `enforcement` line of the machine table."
	print ""
	printf "Someone else's BPF programs (other users of this machine) were attached during %d of %d bare runs, which were not used as references, and during %d monitored runs, which were left out (a cell marked † had them in every round and keeps them).\n\n", nbare_foreign, nbare, excluded
	print "Monitor CPU is the on-CPU time (schedstat, the precise form of utime+stime) of the monitor's processes and their children, and for auditd also of the kernel thread kauditd, from just before a workload run until the monitor has caught up after it, per million events. Events: Vigil's own kernel counters (generated = delivered + dropped, read live from its `stats` map and, at the end, from its `vigil: stats` line); auditd: SYSCALL records written plus the kernel's `lost` count; bpftrace, libbpf-tools and the floor: calls of their non-`enter` programs per operation, counted by the kernel in the kernel-cost phase. Vigil sees every process of the machine, so its counts include the machine's background activity."
	print ""

	# ---- the ratio matrix --------------------------------------------------
	print "## Overhead: × bare (added time per operation)"
	print ""
	hdr = "| monitor |"
	sep = "|---|"
	for (j = 1; j <= nwl; j++) {
		hdr = hdr " " WL[j] " |"
		sep = sep "---|"
	}
	print hdr
	print sep
	row = "| " LABEL["bare"] ": ns per operation |"
	for (j = 1; j <= nwl; j++) {
		v = (WL[j] in bare_main) ? median(bare_main[WL[j]]) : median(bare_main_all[WL[j]])
		row = row " " fmt_ns(v) " |"
		out_csv("overhead", "bare", WL[j], "ns_per_op", sprintf("%.1f", v), "ns")
	}
	print row
	for (i = 1; i <= nmon; i++) {
		m = MON[i]
		row = "| " LABEL[m] " |"
		for (j = 1; j <= nwl; j++) {
			key = m SUBSEP WL[j]
			if (!(key in l_ratio)) {
				row = row " — |"
				continue
			}
			r = median(l_ratio[key])
			a = median(l_added[key])
			row = row sprintf(" ×%.2f (%s)%s |", r, signed_ns(a), tainted[key] ? " †" : "")
		}
		print row
	}
	print ""
	print "The same by the workload's own CPU time (user + system of the workload process and the children it waited for; BPF programs run in its system time; less disturbed than elapsed time by other processes taking the CPU, blind to time spent waiting, e.g. for auditd's backlog):"
	print ""
	print hdr
	print sep
	row = "| " LABEL["bare"] ": CPU ns per operation |"
	for (j = 1; j <= nwl; j++) {
		v = median(bare_main_cpu[WL[j]])
		row = row " " fmt_ns(v) " |"
		out_csv("overhead_cpu", "bare", WL[j], "cpu_ns_per_op", sprintf("%.1f", v), "ns")
	}
	print row
	for (i = 1; i <= nmon; i++) {
		m = MON[i]
		row = "| " LABEL[m] " |"
		for (j = 1; j <= nwl; j++) {
			key = m SUBSEP WL[j]
			if (!(key in l_cratio)) {
				row = row " — |"
				continue
			}
			r = median(l_cratio[key])
			a = median(l_cadded[key])
			row = row sprintf(" ×%.2f (%s)%s |", r, signed_ns(a), tainted[key] ? " †" : "")
			out_csv("overhead_cpu", m, WL[j], "cpu_ns_per_op", sprintf("%.1f", median(l_tc[key])), "ns")
			out_csv("overhead_cpu", m, WL[j], "cpu_ratio_to_bare", sprintf("%.4f", r), "")
			out_csv("overhead_cpu", m, WL[j], "cpu_added_ns_per_op", sprintf("%.1f", a), "ns")
		}
		print row
	}
	print ""
	for (j = 1; j <= nwl; j++)
		print "- " WL[j] ": " WDESC[WL[j]]
	print ""

	# ---- every cell --------------------------------------------------------
	print "## Every cell"
	print ""
	print "| workload | monitor | ns/op (median) | × bare | × bare, min–max over rounds | added ns/op | events/op (and dropped by a kernel filter) | monitor CPU, s per M events | monitor CPU, % of a core | dropped / generated | monitor peak RSS |"
	print "|---|---|---|---|---|---|---|---|---|---|---|"
	for (j = 1; j <= nwl; j++) {
		w = WL[j]
		v = (w in bare_main) ? median(bare_main[w]) : median(bare_main_all[w])
		print "| " w " | bare | " fmt_ns(v) " | 1 | | | | | | | |"
		for (i = 1; i <= nmon; i++) {
			m = MON[i]
			key = m SUBSEP w
			if (!(key in l_t))
				continue
			t = median(l_t[key])
			r = median(l_ratio[key])
			a = median(l_added[key])
			evop = (key in l_evop) ? median(l_evop[key]) : ""
			filtop = (key in l_filtop) ? median(l_filtop[key]) : ""
			cpuev = (key in l_cpuev) ? median(l_cpuev[key]) : ""
			cpupct = median(l_cpupct[key])
			drops = "—"
			if (d_has[key])
				drops = commas(d_drop[key]) " / " commas(d_gen[key])
			hwm = (m in s_hwm) ? median(s_hwm[m]) / 1024 : ""
			printf "| %s | %s%s | %s | ×%.3f | ×%.2f–%.2f | %s | %s | %s | %.1f%% | %s | %s |\n", w, m, tainted[key] ? " †" : "", fmt_ns(t), r,
				lmin(l_ratio[key]), lmax(l_ratio[key]), signed_ns(a),
				(evop == "") ? "—" : sprintf("%.2f", evop) ((filtop != "" && filtop >= 0.005) ? sprintf(" (%.2f)", filtop) : ""),
				cpuev == "" ? "—" : sprintf("%.2f", cpuev), cpupct, drops,
				hwm == "" ? "—" : sprintf("%.1f MiB", hwm)
			out_csv("overhead", m, w, "ns_per_op", sprintf("%.1f", t), "ns")
			out_csv("overhead", m, w, "ratio_to_bare", sprintf("%.4f", r), "")
			out_csv("overhead", m, w, "ratio_min", sprintf("%.4f", lmin(l_ratio[key])), "")
			out_csv("overhead", m, w, "ratio_max", sprintf("%.4f", lmax(l_ratio[key])), "")
			out_csv("overhead", m, w, "added_ns_per_op", sprintf("%.1f", a), "ns")
			if (evop != "")
				out_csv("overhead", m, w, "events_per_op", sprintf("%.4f", evop), "")
			if (filtop != "")
				out_csv("overhead", m, w, "kernel_filtered_per_op", sprintf("%.4f", filtop), "")
			if (cpuev != "")
				out_csv("overhead", m, w, "monitor_cpu_per_million_events", sprintf("%.4f", cpuev), "s")
			out_csv("overhead", m, w, "monitor_cpu_share", sprintf("%.2f", cpupct), "% of one core")
			if (d_has[key]) {
				out_csv("overhead", m, w, "generated", d_gen[key], "events")
				out_csv("overhead", m, w, "dropped", d_drop[key], "events")
			}
			if (hwm != "")
				out_csv("overhead", m, w, "monitor_peak_rss", sprintf("%.1f", hwm), "MiB")
			out_csv("overhead", m, w, "rounds", rounds[key], "")
		}
	}
	print ""
	print "CPU per million events is shown where the workload produces at least 0.05 of the monitor's events per operation; stat and getpid produce none, so there the monitor's CPU is the machine's background activity (and its own polling)."
	print ""

	# ---- sessions: delivered vs generated ----------------------------------
	print "## Events delivered and dropped, per monitor (all its sessions)"
	print ""
	print "| monitor | sessions | generated | delivered | dropped | dropped by design in the kernel (read filter) | peak RSS (median, max) |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nmon; i++) {
		m = MON[i]
		if (!(m in s_n))
			continue
		gen = s_hasgen[m] ? commas(s_gen[m]) : "—"
		del = s_hasgen[m] ? commas(s_del[m]) : "—"
		drop = s_hasgen[m] ? commas(s_drop[m]) : (s_haslost[m] ? commas(s_lost[m]) " (reported lost)" : "not measurable")
		if (m == "auditd")
			drop = commas(s_lost[m]) " (kernel `lost` count)"
		printf "| %s | %d | %s | %s | %s | %s | %.1f MiB, %.1f MiB |\n", m, s_n[m], gen, del, drop,
			s_hasfilt[m] ? commas(s_filt[m]) : "—", median(s_hwm[m]) / 1024, lmax(s_hwm[m]) / 1024
		if (s_hasfilt[m])
			out_csv("sessions", m, "", "kernel_filtered", s_filt[m], "events")
		if (s_hasgen[m]) {
			out_csv("sessions", m, "", "generated", s_gen[m], "events")
			out_csv("sessions", m, "", "delivered", s_del[m], "events")
			out_csv("sessions", m, "", "dropped", s_drop[m], "events")
		}
		if (s_haslost[m])
			out_csv("sessions", m, "", "lost", s_lost[m], "events")
		out_csv("sessions", m, "", "peak_rss_median", sprintf("%.1f", median(s_hwm[m]) / 1024), "MiB")
	}
	print ""
	print "Vigil: from its `vigil: stats` line after SIGINT (whole sessions, background included). bpftrace and libbpf-tools: the `Lost N events` lines they print. auditd: the kernel's `lost` counter (with Debian's backlog of 8192 and the kernel's default backlog wait, the kernel makes the audited task wait rather than drop)."
	print ""

	# ---- kernel cost ---------------------------------------------------------
	print "## Cost inside the kernel (BPF run-time statistics)"
	print ""
	print "With `kernel.bpf_stats_enabled` on (through BPF_ENABLE_STATS, for this phase only: it adds its own clock reads to every program call), each BPF monitor ran each workload once; run_time_ns and run_cnt of each of its programs (as `bpftool prog show --json` reports them) before and after. In-kernel ns per operation = the sum of run_time_ns over the monitor's programs / operations."
	print ""
	hdr = "| monitor |"
	sep = "|---|"
	for (j = 1; j <= nwl; j++) {
		hdr = hdr " " WL[j] " |"
		sep = sep "---|"
	}
	print hdr
	print sep
	for (i = 1; i <= nmon; i++) {
		m = MON[i]
		if (!((m SUBSEP "open_close") in k_ops))
			continue
		row = "| " m " |"
		for (j = 1; j <= nwl; j++) {
			k = m SUBSEP WL[j]
			if (!(k in k_ops) || k_ops[k] == 0) {
				row = row " — |"
				continue
			}
			v = k_time[k] / k_ops[k]
			row = row " " fmt_ns(v) " |"
			out_csv("kernel", m, WL[j], "in_kernel_ns_per_op", sprintf("%.1f", v), "ns")
			out_csv("kernel", m, WL[j], "program_calls_per_op_nonenter", sprintf("%.4f", k_ev[k] / k_ops[k]), "")
		}
		print row
		if (!(m in k_has_enf))
			continue
		# the share of the enforcement programs: the cost of deciding
		row = "| " m ": its enforcement programs (`lsm_*`, `fb_*`) only |"
		for (j = 1; j <= nwl; j++) {
			k = m SUBSEP WL[j]
			if (!(k in k_ops) || k_ops[k] == 0) {
				row = row " — |"
				continue
			}
			v = k_etime[k] / k_ops[k]
			row = row " " fmt_ns(v) " |"
			out_csv("kernel", m, WL[j], "in_kernel_enforce_ns_per_op", sprintf("%.1f", v), "ns")
		}
		print row
	}
	print ""
	print "Per program (all workloads of the phase together; programs that ran; the 12 with the most total time per monitor here, and every enforcement program (`lsm_*`, `fb_*`) that ran; all in the CSV):"
	print ""
	print "| monitor | program | runs | ns per run | total ms |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= nmon; i++) {
		m = MON[i]
		if (!(m in p_order))
			continue
		np = split(p_order[m], pn, SUBSEP)
		# sort by total time, descending (insertion sort of indices)
		for (a = 1; a <= np; a++)
			idx[a] = a
		for (a = 2; a <= np; a++) {
			x = idx[a]
			for (b = a - 1; b >= 1 && p_time[m SUBSEP pn[idx[b]]] < p_time[m SUBSEP pn[x]]; b--)
				idx[b + 1] = idx[b]
			idx[b + 1] = x
		}
		shown = 0
		for (a = 1; a <= np; a++) {
			name = pn[idx[a]]
			p = m SUBSEP name
			if (p_cnt[p] == 0)
				continue
			out_csv("kernel_programs", m, "", name " runs", p_cnt[p], "")
			out_csv("kernel_programs", m, "", name " ns_per_run", sprintf("%.1f", p_time[p] / p_cnt[p]), "ns")
			if (shown++ < 12 || is_enforce_prog(name))
				printf "| %s | %s | %s | %s | %.1f |\n", m, name, commas(p_cnt[p]),
					commas(p_time[p] / p_cnt[p]), p_time[p] / 1e6
		}
	}
	print ""

	# ---- saturation ----------------------------------------------------------
	print "## Saturation: Vigil with the default rules, open+close at a set rate"
	print ""
	print "Each step: `workloads --rate N` for " cfg["sat_step_s"] " s, paced every millisecond; generated and dropped from Vigil's kernel counters, Vigil's CPU until it has caught up, its RSS after the step. A search step passes with zero drops at ≥ 95% of the target rate. On 2 cores the generator and Vigil share the CPUs, so past some rate the generator itself cannot go faster; the flood step (4 generator threads at nice -10 while Vigil runs at nice 0, unpaced in effect: an agent starved of CPU) then pushes Vigil past its limit. The opens are for writing, which the default rules' kernel filter always delivers."
	print ""
	print "| step | target opens/s | threads | achieved opens/s | events generated | dropped | Vigil CPU, % of a core | Vigil RSS after | VmHWM |"
	print "|---|---|---|---|---|---|---|---|---|"
	best = 0
	for (i = 1; i <= ns; i++) {
		printf "| %s | %s | %s | %s | %s | %s | %.0f%% | %.1f MiB | %.1f MiB |\n", sat[i, 1], commas(sat[i, 2]),
			sat[i, 3] ((sat[i, 11] != 0) ? " (nice " sat[i, 11] ")" : ""), commas(sat[i, 5]), commas(sat[i, 6]), commas(sat[i, 7]),
			100 * sat[i, 8] / (sat[i, 4] * 1e9), sat[i, 10] / 1024, sat[i, 9] / 1024
		out_csv("saturation", "vigil-rules", sat[i, 1] " " sat[i, 2], "achieved", sat[i, 5], "opens/s")
		out_csv("saturation", "vigil-rules", sat[i, 1] " " sat[i, 2], "generated", sat[i, 6], "events")
		out_csv("saturation", "vigil-rules", sat[i, 1] " " sat[i, 2], "dropped", sat[i, 7], "events")
		out_csv("saturation", "vigil-rules", sat[i, 1] " " sat[i, 2], "vigil_cpu", sprintf("%.1f", 100 * sat[i, 8] / (sat[i, 4] * 1e9)), "% of one core")
		out_csv("saturation", "vigil-rules", sat[i, 1] " " sat[i, 2], "vigil_rss", sprintf("%.1f", sat[i, 10] / 1024), "MiB")
		if ((sat[i, 1] == "search" || sat[i, 1] == "target") && sat[i, 7] == 0 && sat[i, 6] / sat[i, 4] > best) {
			best = sat[i, 6] / sat[i, 4]
			best_opens = sat[i, 5]
		}
		if (sat[i, 2] == 200000 && (sat[i, 1] == "search" || sat[i, 1] == "target")) {
			t200_ach = sat[i, 5]; t200_drop = sat[i, 7]; t200_gen = sat[i, 6]; t200_s = sat[i, 4]; t200 = 1
		}
		if (sat[i, 1] == "overload" || sat[i, 1] == "flood") {
			over_drop += sat[i, 7]; over_gen += sat[i, 6]
			if (sat[i, 9] > over_hwm)
				over_hwm = sat[i, 9]
		}
		if (sat[i, 1] == "recovery") {
			rec_drop = sat[i, 7]; rec_rate = sat[i, 5]; rec = 1
		}
	}
	print ""
	printf "Highest rate with zero drops: %s events/s (%s opens/s achieved; events include the machine's background). Above the limit: %s of %s events dropped and counted; VmHWM %.1f MiB. Recovery at the safe rate: %s.\n", commas(best), commas(best_opens),
		commas(over_drop), commas(over_gen), over_hwm / 1024,
		rec ? (rec_drop == 0 ? "zero drops at " commas(rec_rate) " opens/s" : commas(rec_drop) " dropped") : "not run"
	out_csv("saturation", "vigil-rules", "", "highest_zero_drop_rate", sprintf("%.0f", best), "events/s")
	print ""

	# ---- RSS -----------------------------------------------------------------
	print "## Vigil's memory with a large process table"
	print ""
	printf "Vigil with the default rules; then %s extra processes that sleep (`workloads --sleepers`: %s processes on the machine in all), Vigil's VmHWM read after it caught up, then the processes killed.\n", commas(rss["sleepers"]), commas(rss["procs_total"])
	print ""
	printf "| | |\n|---|---|\n| VmHWM before | %.1f MiB |\n| VmHWM with the processes | %.1f MiB |\n| VmRSS with the processes | %.1f MiB |\n", rss["hwm_before_kb"] / 1024, rss["hwm_kb"] / 1024, rss["rss_kb"] / 1024
	out_csv("rss", "vigil-rules", "", "sleepers", rss["sleepers"], "processes")
	out_csv("rss", "vigil-rules", "", "vmhwm_before", sprintf("%.1f", rss["hwm_before_kb"] / 1024), "MiB")
	out_csv("rss", "vigil-rules", "", "vmhwm", sprintf("%.1f", rss["hwm_kb"] / 1024), "MiB")
	print ""
	print "Resident memory by mapping, largest first:"
	print ""
	print "| mapping | resident |"
	print "|---|---|"
	for (i = 1; i <= nmaps && i <= 8; i++) {
		printf "| %s | %.1f MiB |\n", map_name[i], map_kb[i] / 1024
		out_csv("rss_maps", "vigil-rules", "", map_name[i], sprintf("%.1f", map_kb[i] / 1024), "MiB")
	}
	print ""

	# ---- targets -------------------------------------------------------------
	print "## Targets"
	print ""
	print "Elapsed time is what the targets name; the workload's CPU time and the kernel's own count of the programs' run time are shown beside it because on this shared 2-core machine elapsed times of one run vary by tens of percent."
	print ""
	print "| target | elapsed time per operation (median) | verdict | workload CPU per operation (median) | verdict | inside the kernel (BPF statistics) |"
	print "|---|---|---|---|---|---|"
	split("open_close open_write tcp_connect", TW, " ")
	for (j = 1; j <= 3; j++) {
		w = TW[j]
		av = median(l_added["vigil-rules" SUBSEP w])
		af = median(l_added["floor" SUBSEP w])
		aa = median(l_added["auditd" SUBSEP w])
		cv = median(l_cadded["vigil-rules" SUBSEP w])
		cf = median(l_cadded["floor" SUBSEP w])
		ca = median(l_cadded["auditd" SUBSEP w])
		kv = ((("vigil-rules" SUBSEP w) in k_ops) && k_ops["vigil-rules" SUBSEP w] > 0) ? k_time["vigil-rules" SUBSEP w] / k_ops["vigil-rules" SUBSEP w] : ""
		kf = ((("floor" SUBSEP w) in k_ops) && k_ops["floor" SUBSEP w] > 0) ? k_time["floor" SUBSEP w] / k_ops["floor" SUBSEP w] : ""
		printf "| %s: default rules add ≤ 1.5 × what the empty-BPF floor adds | Vigil %s, floor %s%s | %s | Vigil %s, floor %s%s | %s | Vigil %s, floor %s%s |\n",
			w, signed_ns(av), signed_ns(af),
			(af > 0) ? sprintf(": %.1f ×", av / af) : " (floor not measurable)",
			(av <= 1.5 * af) ? "met" : "missed",
			signed_ns(cv), signed_ns(cf), (cf > 0) ? sprintf(": %.1f ×", cv / cf) : " (floor not measurable)",
			(cv <= 1.5 * cf) ? "met" : "missed",
			fmt_ns(kv), fmt_ns(kf), (kf > 0 && kv != "") ? sprintf(": %.1f ×", kv / kf) : ""
		out_csv("targets", "vigil-rules", w, "added_vs_floor", (af > 0) ? sprintf("%.2f", av / af) : "inf", "x")
		out_csv("targets", "vigil-rules", w, "cpu_added_vs_floor", (cf > 0) ? sprintf("%.2f", cv / cf) : "inf", "x")
		printf "| %s: default rules add ≤ 1/5 of what auditd adds | Vigil %s, auditd %s: %s | %s | Vigil %s, auditd %s: %s | %s | |\n",
			w, signed_ns(av), signed_ns(aa), (aa > 0) ? sprintf("%.3f ×", av / aa) : "—",
			(aa != "" && av <= aa / 5) ? "met" : "missed",
			signed_ns(cv), signed_ns(ca), (ca > 0) ? sprintf("%.3f ×", cv / ca) : "—",
			(ca != "" && cv <= ca / 5) ? "met" : "missed"
		out_csv("targets", "vigil-rules", w, "added_vs_auditd", (aa > 0) ? sprintf("%.4f", av / aa) : "", "x")
		out_csv("targets", "vigil-rules", w, "cpu_added_vs_auditd", (ca > 0) ? sprintf("%.4f", cv / ca) : "", "x")
	}
	r = median(l_ratio["vigil-rules" SUBSEP "fork_exec"])
	rc = median(l_cratio["vigil-rules" SUBSEP "fork_exec"])
	k = "vigil-rules" SUBSEP "fork_exec"
	kv = ((k in k_ops) && k_ops[k] > 0) ? k_time[k] / k_ops[k] : ""
	b = median(bare_main["fork_exec"])
	printf "| fork+exec+wait < 3%% slower than bare with default rules | ×%.3f (%s; ×%.2f–%.2f over rounds) | %s | ×%.3f (%s) | %s | %s per operation = %.1f%% of the bare operation |\n", r,
		signed_ns(median(l_added[k])), lmin(l_ratio[k]), lmax(l_ratio[k]), (r < 1.03) ? "met" : "missed",
		rc, signed_ns(median(l_cadded[k])), (rc < 1.03) ? "met" : "missed",
		fmt_ns(kv), (b > 0 && kv != "") ? 100 * kv / b : 0
	out_csv("targets", "vigil-rules", "fork_exec", "ratio_to_bare", sprintf("%.4f", r), "")
	out_csv("targets", "vigil-rules", "fork_exec", "cpu_ratio_to_bare", sprintf("%.4f", rc), "")
	if (t200)
		printf "| zero drops at 200,000 events/s for 10 s with default rules | target 200,000 opens/s for %s s: achieved %s/s, %s events, %s dropped | %s | | | |\n",
			t200_s, commas(t200_ach), commas(t200_gen), commas(t200_drop),
			(t200_drop == 0 && t200_ach >= 190000 && t200_s >= 10) ? "met" : (t200_drop > 0 ? "missed (drops)" : (t200_ach < 190000 ? "missed: this machine cannot generate that rate with Vigil on it" : "not shown (steps shorter than 10 s)"))
	printf "| agent RSS < 64 MiB with default rules and 10,000 processes | VmHWM %.1f MiB with %s extra processes | %s | | | |\n",
		rss["hwm_kb"] / 1024, commas(rss["sleepers"]),
		rss["sleepers"] < 10000 ? "not shown (fewer processes: quick run)" : (rss["hwm_kb"] < 65536 ? "met" : "missed")
	print ""
	close(csv)
}
