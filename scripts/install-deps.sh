#!/bin/sh
# Installs the Debian packages Vigil needs to build and test, only those missing.
# (jq, rpm, curl and python3: the vuln and inventory tests on the host.)
# Usage: scripts/install-deps.sh [--vm]   (--vm adds what the test VM needs)
set -eu
pkgs="make gcc clang clang-format llvm bpftool libbpf-dev libelf-dev zlib1g-dev libzstd-dev libjansson-dev
libyaml-dev libsqlite3-dev libcmocka-dev pkg-config iproute2 util-linux
jq rpm curl python3"
if [ "${1:-}" = "--vm" ]; then
	pkgs="$pkgs qemu-system-x86 busybox-static cpio"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
