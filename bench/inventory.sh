#!/usr/bin/env bash
# What the runtime inventory costs `vigil run` (default rules), two workloads
# run for SECS seconds with no agent, with `--no-inventory` and with the
# inventory on:
#   exec   PAR loops exec a dynamically linked program (default curl
#          --version: ~35 shared libraries and ld.so, i.e. one exec and ~36
#          mmap events per run);
#   flood  PAR loops fork a child that maps FILES distinct files executable
#          and exits (FILES mmap events per fork, no exec): the most mmap
#          events the kernel side can make, to see where drops start.
# Prints, per mode: runs/s of the workload, the agent's CPU time, its stats
# (generated, delivered, dropped, mmap_deduped, inventory notes and rows),
# and the database size. Root; ~6 x SECS seconds per workload.
#
# Usage: bench/inventory.sh [exec] [flood]   Environment: VIGIL (build/vigil),
#        SECS (20), PAR (2), PROG (/usr/bin/curl), ARGS (--version), FILES (64)
set -euo pipefail

VIGIL=${VIGIL:-build/vigil}
SECS=${SECS:-20}
PAR=${PAR:-2}
PROG=${PROG:-/usr/bin/curl}
ARGS=${ARGS:---version}
FILES=${FILES:-64}
T=$(mktemp -d /tmp/vigil-inv-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
hz=$(getconf CLK_TCK)

# mapflood DIR FILES SECS: forks children that map DIR/0..FILES-1
# executable, one after the other; prints the number of children.
cat >"$T/mapflood.c" <<'CSRC'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
int main(int argc, char **argv)
{
	int files = argc > 3 ? atoi(argv[2]) : 0;
	time_t end = time(NULL) + (argc > 3 ? atoi(argv[3]) : 0);
	long n = 0;
	char p[4096];

	while (time(NULL) < end) {
		pid_t pid = fork();

		if (pid == 0) {
			for (int i = 0; i < files; i++) {
				int fd;

				snprintf(p, sizeof(p), "%s/%d", argv[1], i);
				fd = open(p, O_RDONLY);
				if (fd < 0 || mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
						   0) == MAP_FAILED)
					_exit(1);
				close(fd);
			}
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		n++;
	}
	printf("%ld\n", n);
	return 0;
}
CSRC
gcc -O2 -o "$T/mapflood" "$T/mapflood.c"
mkdir "$T/files"
for i in $(seq 0 $((FILES - 1))); do head -c 4096 /dev/zero >"$T/files/$i"; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Runs PAR loops of workload $W; prints the number of runs.
workload() {
	local p
	for p in $(seq "$PAR"); do
		if [ "$W" = flood ]; then
			"$T/mapflood" "$T/files" "$FILES" "$SECS" >"$T/n.$p" &
			continue
		fi
		(
			n=0 end=$((SECONDS + SECS))
			while [ $SECONDS -lt $end ]; do
				"$PROG" $ARGS >/dev/null 2>&1
				n=$((n + 1))
			done
			echo $n >"$T/n.$p"
		) &
	done
	wait
	cat "$T"/n.* | awk '{s += $1} END {print s}'
	rm -f "$T"/n.*
}

stat_of() { # stat_of KEY STATS_LINE
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2" | head -1
}

run_mode() { # run_mode NAME [vigil run args...]
	local name=$1 apid runs t0 t1 stats db=""
	shift
	if [ "$name" = bare ]; then
		runs=$(workload)
		printf '  %-12s runs/s %8.1f\n' "$name" "$(echo "$runs / $SECS" | bc -l)"
		return
	fi
	"$VIGIL" run "$@" >/dev/null 2>"$T/err" &
	apid=$!
	for _ in $(seq 600); do grep -q ready "$T/err" && break; sleep 0.1; done
	t0=$(cpu_ticks $apid)
	runs=$(workload)
	t1=$(cpu_ticks $apid)
	kill -INT $apid
	wait $apid || true
	stats=$(grep 'vigil: stats' "$T/err" | tail -1)
	if [ -f "$T/state/inventory.db" ]; then
		sqlite3 "$T/state/inventory.db" 'pragma wal_checkpoint(truncate)' >/dev/null
		db="db $(stat -c %s "$T/state/inventory.db") bytes, $(sqlite3 "$T/state/inventory.db" \
			'select count(*) from files') rows"
	fi
	printf '  %-12s runs/s %8.1f  agent cpu %5.2f s (%4.1f%% of a core)  generated %s delivered %s dropped %s mmap_deduped %s notes %s rows_written %s %s\n' \
		"$name" "$(echo "$runs / $SECS" | bc -l)" "$(echo "($t1 - $t0) / $hz" | bc -l)" \
		"$(echo "100 * ($t1 - $t0) / $hz / $SECS" | bc -l)" \
		"$(stat_of generated "$stats")" "$(stat_of delivered "$stats")" \
		"$(stat_of dropped "$stats")" "$(stat_of mmap_deduped "$stats")" \
		"$(stat_of notes "$stats")" "$(stat_of rows_written "$stats")" "$db"
}

echo "$(nproc) cpus, kernel $(uname -r), ${SECS}s per run"
[ $# -gt 0 ] || set -- exec flood
for W in "$@"; do
	if [ "$W" = flood ]; then
		echo "flood: $PAR x fork + map $FILES files PROT_EXEC"
	else
		echo "exec: $PAR x '$PROG $ARGS'"
	fi
	run_mode bare
	run_mode no-inventory --no-inventory
	rm -rf "$T/state"
	run_mode inventory --state-dir "$T/state"
done
