#!/usr/bin/env bash
# Vigil VM test runner: boots Debian's 6.1 cloud kernel (BPF LSM on) in QEMU/TCG with a
# busybox initramfs holding build/vigil and build/tests/vigil-e2e, runs the e2e suite there
# and turns the guest's result into this script's exit status.
#
# Usage: tests/vm/run.sh [ARGS FOR vigil-e2e...]
#
# Environment:
#   VM_TIMEOUT=900        seconds before the VM is killed (a timeout is a failure)
#   VM_APPEND_EXTRA=...   extra kernel command line arguments
#   VM_VERBOSE=1          stream the whole serial console, not only PASS/FAIL/SKIP/SUMMARY
#   VM_VIGIL=path         binary to install as /usr/bin/vigil      (default $BUILD/vigil)
#   VM_E2E=path           binary to install as /usr/bin/vigil-e2e  (default $BUILD/tests/vigil-e2e)
#   VM_KERNEL_PKG=name    kernel package to use instead of the newest
#                         linux-image-6.1.0-*-cloud-amd64-unsigned
#   BUILD=build           build directory (as in the Makefile)
#
# Output: build/vm/console.log (the raw serial console); the test lines on stdout; at the end
#   VM: kernel <version> passed=N failed=N skipped=N wall=<seconds>s
# Exit status: the guest suite's exit status; 1 on a timeout, kernel panic or missing result
# line; 2 when the binaries under test are missing.
set -euo pipefail

start=$SECONDS
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

BUILD=${BUILD:-build}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_APPEND_EXTRA=${VM_APPEND_EXTRA:-}
VM_VERBOSE=${VM_VERBOSE:-0}
vigil_bin=${VM_VIGIL:-$BUILD/vigil}
e2e_bin=${VM_E2E:-$BUILD/tests/vigil-e2e}

vmdir=$BUILD/vm
cache=$vmdir/cache
log=$vmdir/console.log
initrd=$vmdir/initramfs.cpio.gz

msg() { printf 'vm: %s\n' "$*" >&2; }
die() {
	local rc=$1
	shift
	printf 'vm: ERROR: %s\n' "$*" >&2
	exit "$rc"
}

case "$VM_TIMEOUT" in
'' | *[!0-9]*) die 2 "VM_TIMEOUT must be a whole number of seconds, got '$VM_TIMEOUT'" ;;
esac

# ---- 0. the binaries under test -------------------------------------------------------------
for b in "$vigil_bin" "$e2e_bin"; do
	if [[ ! -f $b || ! -x $b ]]; then
		die 2 "$b is missing or not executable: build it first (make $BUILD/vigil $BUILD/tests/vigil-e2e)"
	fi
done

mkdir -p "$cache"
# One VM run at a time per build directory (console.log, initramfs and staging are shared).
exec 9>"$vmdir/.lock"
if ! flock -n 9; then
	msg "another VM run holds $vmdir/.lock; waiting"
	flock 9
fi

# ---- 1. host packages -----------------------------------------------------------------------
missing=()
for p in qemu-system-x86 busybox-static cpio; do
	if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" != ii* ]]; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	msg "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
	fi
fi

# ---- 2. the kernel --------------------------------------------------------------------------
newest_pkg() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}
pkg=${VM_KERNEL_PKG:-}
if [[ -z $pkg ]]; then
	pkg=$(newest_pkg)
	if [[ -z $pkg ]]; then
		# No apt lists at all? Use the newest cached package, or refresh the lists once.
		pkg=$(find "$cache" -maxdepth 1 -name 'linux-image-6.1.0-*-cloud-amd64-unsigned_*.deb' \
			-printf '%f\n' | sed 's/_.*//' | sort -V | tail -n 1)
		if [[ -z $pkg ]]; then
			msg "apt lists know no 6.1 cloud kernel; running apt-get update"
			apt-get update -qq
			pkg=$(newest_pkg)
		fi
	fi
	[[ -n $pkg ]] || die 1 "cannot find a linux-image-6.1.0-*-cloud-amd64-unsigned package"
fi

deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -printf '%f\n' | sort -V | tail -n 1)
if [[ -z $deb ]]; then
	msg "downloading $pkg"
	dl=$(mktemp -d "$cache/dl.XXXXXX")
	# apt-get download writes to the current directory. As root it warns that the _apt user
	# cannot write there; give it a directory it can write to.
	chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download -q "$pkg"); then
		rm -rf "$dl"
		die 1 "apt-get download $pkg failed"
	fi
	deb=$(find "$dl" -maxdepth 1 -name "${pkg}_*.deb" -printf '%f\n' | head -n 1)
	[[ -n $deb ]] || die 1 "apt-get download $pkg produced no .deb"
	mv "$dl/$deb" "$cache/$deb"
	rm -rf "$dl"
fi

kdir=$cache/${deb%.deb}
if ! compgen -G "$kdir/boot/vmlinuz-*" >/dev/null; then
	msg "extracting $deb"
	rm -rf "$kdir" "$kdir.tmp"
	dpkg-deb -x "$cache/$deb" "$kdir.tmp"
	mv "$kdir.tmp" "$kdir"
fi
vmlinuz=$(compgen -G "$kdir/boot/vmlinuz-*" | sort -V | tail -n 1)
[[ -n $vmlinuz && -s $vmlinuz ]] || die 1 "no boot/vmlinuz-* in $deb"
kver=${vmlinuz##*/vmlinuz-}

# ---- 3. the initramfs -----------------------------------------------------------------------
busybox=/bin/busybox
[[ -x $busybox ]] || busybox=$(command -v busybox)
case "$(file -bL "$busybox")" in
*statically\ linked* | *static-pie\ linked*) ;;
*) die 1 "$busybox is not static (install busybox-static)" ;;
esac

# The busybox part (about 400 applet links) is built once and reused: creating the links
# one process at a time takes seconds here.
base=$vmdir/base
stamp="$(stat -Lc '%s %Y' "$busybox") $busybox"
if [[ ! -f $base/.stamp || "$(<"$base/.stamp")" != "$stamp" ]]; then
	rm -rf "$base" "$base.tmp"
	mkdir -p "$base.tmp"/{bin,sbin,usr/bin,usr/sbin}
	install -m 0755 "$busybox" "$base.tmp/bin/busybox"
	while read -r applet; do
		[[ -n $applet && ! -e "$base.tmp/$applet" && ! -L "$base.tmp/$applet" ]] || continue
		[[ -d $base.tmp/${applet%/*} ]] || mkdir -p "$base.tmp/${applet%/*}"
		ln -s /bin/busybox "$base.tmp/$applet"
	done < <("$busybox" --list-full)
	echo "$stamp" >"$base.tmp/.stamp"
	mv "$base.tmp" "$base"
fi

stage=$vmdir/rootfs
rm -rf "$stage"
cp -a "$base" "$stage"
rm -f "$stage/.stamp"
mkdir -p "$stage"/{etc/vigil-vm,dev,proc,sys,tmp,run,root,var/tmp,mnt}
chmod 1777 "$stage/tmp" "$stage/var/tmp"
chmod 0700 "$stage/root"
for a in bin/sh bin/true usr/bin/env sbin/ip sbin/poweroff bin/mount; do
	[[ -L $stage/$a ]] || die 1 "busybox has no $a applet"
done

# Copy a binary under test. Static binaries are the expected case; a dynamic one gets its
# shared libraries (as ldd lists them) copied next to it, with a warning.
add_bin() { # add_bin SRC DEST
	local src=$1 dest=$2 desc lib
	desc=$(file -bL "$src")
	install -D -m 0755 "$src" "$stage$dest"
	case "$desc" in
	*statically\ linked* | *static-pie\ linked*) ;;
	*ELF*)
		msg "WARNING: $src is dynamically linked; copying its shared libraries"
		while read -r lib; do
			[[ -f $lib ]] && install -D -m 0755 "$lib" "$stage$lib"
		done < <(ldd "$src" | grep -o '/[^ ]*')
		;;
	*) msg "WARNING: $src is not an ELF binary ($desc)" ;;
	esac
}
add_bin "$vigil_bin" /usr/bin/vigil
add_bin "$e2e_bin" /usr/bin/vigil-e2e

install -m 0755 "$here/init" "$stage/init"
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$stage/etc/shadow" <<'EOF'
root:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
EOF
chmod 0640 "$stage/etc/shadow"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$stage/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost vigil-vm\n::1\tlocalhost ip6-localhost\n' >"$stage/etc/hosts"
echo vigil-vm >"$stage/etc/hostname"
: >"$stage/etc/fstab"
if (($#)); then
	printf '%s ' "$@" >"$stage/etc/vigil-vm/e2e.args"
fi
# The kernel opens /dev/console before /init runs; devtmpfs is mounted only by /init.
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || msg "note: cannot mknod dev/console (not root?)"
mknod -m 0666 "$stage/dev/null" c 1 3 2>/dev/null || true

(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$initrd.tmp"
mv "$initrd.tmp" "$initrd"

# ---- 4. boot --------------------------------------------------------------------------------
append="console=ttyS0 quiet panic=-1 lsm=lockdown,capability,landlock,bpf"
[[ -n $VM_APPEND_EXTRA ]] && append+=" $VM_APPEND_EXTRA"
qemu=(qemu-system-x86_64 -accel "tcg,thread=multi" -cpu max -smp 2 -m 2048
	-nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" -append "$append")

msg "booting $kver (timeout ${VM_TIMEOUT}s, initramfs $(du -h "$initrd" | cut -f1)); console: $log"
if [[ $VM_VERBOSE == 1 ]]; then
	filter=(sed -u 's/\r//g')
else
	filter=(sed -un 's/\r//g; /^\(PASS\|FAIL\|SKIP\)[ :]/p; /^SUMMARY /p')
fi
vm_start=$SECONDS
set +e
timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" </dev/null 2>&1 | tee "$log" | "${filter[@]}"
qrc=${PIPESTATUS[0]}
set -e
vm_wall=$((SECONDS - vm_start))

# ---- 5. verdict -----------------------------------------------------------------------------
clean=$(tr -d '\r' <"$log")
summary=$(grep -E '^SUMMARY ' <<<"$clean" | tail -n 1 || true)
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$summary"; }
count() { grep -cE "^$1[ :]" <<<"$clean" || true; }
if [[ -n $summary ]]; then
	s_kernel=$(field kernel) s_pass=$(field passed) s_fail=$(field failed) s_skip=$(field skipped)
else
	# No SUMMARY line: count the test lines seen.
	s_kernel=$kver s_pass=$(count PASS) s_fail=$(count FAIL) s_skip=$(count SKIP)
fi

vm_line() {
	echo "VM: kernel ${s_kernel:-$kver} passed=${s_pass:-0} failed=${s_fail:-0} skipped=${s_skip:-0} wall=$((SECONDS - start))s"
}
vm_fail() { # vm_fail [-RC] MESSAGE
	local rc=1
	[[ $1 == -[0-9]* ]] && rc=${1#-} && shift
	printf 'vm: FAILURE: %s\n' "$*"
	echo "vm: ---- last 40 console lines ($log) ----"
	tail -n 40 <<<"$clean"
	echo "vm: ----"
	vm_line
	exit "$rc"
}

result=$(sed -n 's/.*VIGIL-VM-RESULT rc=\([0-9][0-9]*\).*/\1/p' <<<"$clean" | tail -n 1)
if ((qrc == 124 || qrc == 137)); then
	vm_fail "the VM did not finish within VM_TIMEOUT=${VM_TIMEOUT}s (killed)"
fi
if grep -q 'Kernel panic' <<<"$clean"; then
	vm_fail "kernel panic in the guest"
fi
if [[ -z $result ]]; then
	vm_fail "no VIGIL-VM-RESULT line (qemu exit status $qrc after ${vm_wall}s)"
fi
if [[ $result == 127 ]] && grep -q 'vigil-e2e is missing' <<<"$clean"; then
	vm_fail -127 "the suite binary was not found in the guest"
fi
if [[ $result == 0 && -z $summary ]]; then
	vm_fail "the suite exited 0 but printed no SUMMARY line"
fi
if ((qrc != 0)); then
	msg "note: qemu exited with status $qrc"
fi
vm_line
exit "$result"
