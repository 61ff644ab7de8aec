#!/usr/bin/env bash
# Self-test of the VM runner with a stand-in suite (tests/vm/standin.c), independent of the
# real build/vigil and build/tests/vigil-e2e. Checks: a passing suite -> exit 0, a failing
# suite -> exit 1, a hanging suite -> timeout failure (exit 1), an empty suite -> exit 0.
# Usage: tests/vm/selftest.sh [pass|fail|hang|empty]...   (default: all four)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
out=$BUILD/vm/standin
mkdir -p "$out"

declare -A mode=([pass]=0 [fail]=1 [hang]=2 [empty]=3)
declare -A want=([pass]=0 [fail]=1 [hang]=1 [empty]=0)

build() { # build NAME MODE
	# (glibc warns that static getpwnam needs its NSS libraries; since glibc 2.34 "files" is
	# built in, so it works without them.)
	if ! gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -DSTANDIN_MODE="$2" \
		-o "$out/$1" "$here/standin.c" 2>"$out/$1.log"; then
		cat "$out/$1.log" >&2
		return 1
	fi
}

cases=("$@")
((${#cases[@]})) || cases=(pass fail hang empty)
build vigil 0
bad=0
for c in "${cases[@]}"; do
	[[ -n ${mode[$c]:-} ]] || {
		echo "selftest: unknown case $c" >&2
		exit 2
	}
	rm -f "$out/e2e-$c"
	build "e2e-$c" "${mode[$c]}"
	timeout=${VM_TIMEOUT:-300}
	[[ $c == hang ]] && timeout=${SELFTEST_HANG_TIMEOUT:-40}
	echo "=== selftest: $c (expect exit ${want[$c]})"
	set +e
	VM_VIGIL=$out/vigil VM_E2E=$out/e2e-$c VM_TIMEOUT=$timeout "$here/run.sh" one two
	rc=$?
	set -e
	if [[ $rc == "${want[$c]}" ]]; then
		echo "=== selftest: $c ok (exit $rc)"
	else
		echo "=== selftest: $c WRONG (exit $rc, want ${want[$c]})"
		bad=1
	fi
done
exit $bad
