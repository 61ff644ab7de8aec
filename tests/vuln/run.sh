#!/usr/bin/env bash
# End-to-end tests of `vigil vuln` against this machine's real dpkg database.
#
# Trivy, Grype and CycloneDX reports are generated here naming packages that
# are really installed (with their real versions) and made-up vulnerability
# ids (CVE-TEST-*); the inventory is seeded with `vigil vuln record` (the same
# API the agent calls); then ranking, in_use/not_in_use, evidence, the JSON
# shape, the OpenVEX document, malformed reports, a real chroot with its own
# dpkg database, an apk database and (when rpmbuild is installed) a real rpm
# sqlite database are checked.
#
# Usage: tests/vuln/run.sh            (root: the chroot leg runs chroot(8))
# Environment: VIGIL=path (default $BUILD/vigil, BUILD=build), KEEP=1 keeps the
#   temporary directory.
# Output: PASS/FAIL/SKIP lines, then "vuln: passed=N failed=N skipped=N".
# Exit status: 0 all passed, 1 a failure, 2 missing prerequisites.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
VIGIL=${VIGIL:-$root/$BUILD/vigil}
case $VIGIL in /*) ;; *) VIGIL=$root/$VIGIL ;; esac

for tool in jq dpkg-query; do
	command -v "$tool" >/dev/null || { echo "vuln: $tool is required" >&2; exit 2; }
done
[ -x "$VIGIL" ] || { echo "vuln: $VIGIL not built (make)" >&2; exit 2; }

T=$(mktemp -d /tmp/vigil-vuln-e2e.XXXXXX)
sleeper=
cleanup() {
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	[ "${KEEP:-}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
# contains NAME TEXT NEEDLE
contains() {
	case $2 in *"$3"*) pass "$1" ;; *) fail "$1" "'$3' not in: $(printf %s "$2" | head -c 600)" ;; esac
}

version() { dpkg-query -W -f='${Version}' "$1"; }
# The resolved path of a file of package $1 matching the regex $2.
pkgfile() { readlink -f "$(dpkg -L "$1" | grep -E "$2" | head -1)"; }

# ---------------------------------------------------------------------------
# Real packages: two used (libjansson4, libc6), two never used (libyaml-0-2,
# libsqlite3-0: build dependencies, so installed), one not installed.

JANSSON_V=$(version libjansson4) LIBC_V=$(version libc6)
YAML_V=$(version libyaml-0-2) SQLITE_V=$(version libsqlite3-0)
JANSSON_F=$(pkgfile libjansson4 '/libjansson\.so\.4\.')
LIBC_F=$(pkgfile libc6 '/libc\.so\.6$')
ARCH=$(dpkg --print-architecture)
for v in "$JANSSON_V" "$LIBC_V" "$YAML_V" "$SQLITE_V" "$JANSSON_F" "$LIBC_F"; do
	[ -n "$v" ] || { echo "vuln: a required package is not installed" >&2; exit 2; }
done

S=$T/state
HOUR_AGO=$(($(date +%s) - 3600))
"$VIGIL" vuln record --state-dir "$S" --kind exec --pid $$ --comm curl \
	--at "$HOUR_AGO" /bin/sh 2>/dev/null
"$VIGIL" vuln record --state-dir "$S" --kind map --pid $$ --comm curl \
	"$JANSSON_F" "$LIBC_F" 2>"$T/record.err"
check "record exit status" 0 $?
contains "record message" "$(cat "$T/record.err")" "2 use(s) recorded in $S/inventory.db"

cat >"$T/trivy.json" <<EOF
{"SchemaVersion": 2, "ArtifactName": "$(hostname)", "ArtifactType": "filesystem",
 "Results": [{"Target": "debian", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
  {"VulnerabilityID": "CVE-TEST-0001", "PkgID": "libjansson4@$JANSSON_V", "PkgName": "libjansson4",
   "PkgIdentifier": {"PURL": "pkg:deb/debian/libjansson4@$JANSSON_V?arch=$ARCH"},
   "InstalledVersion": "$JANSSON_V", "FixedVersion": "99.0-1", "Severity": "CRITICAL",
   "Title": "test: jansson"},
  {"VulnerabilityID": "CVE-TEST-0002", "PkgName": "libyaml-0-2", "InstalledVersion": "$YAML_V",
   "Severity": "CRITICAL", "Title": "test: yaml"},
  {"VulnerabilityID": "CVE-TEST-0003", "PkgName": "libc6", "InstalledVersion": "$LIBC_V",
   "Severity": "LOW"},
  {"VulnerabilityID": "CVE-TEST-0004", "PkgName": "vigil-not-installed", "InstalledVersion": "1.0",
   "Severity": "HIGH"},
  {"VulnerabilityID": "CVE-TEST-0005", "PkgName": "libsqlite3-0", "InstalledVersion": "$SQLITE_V",
   "Severity": "MEDIUM"}]}]}
EOF

cat >"$T/grype.json" <<EOF
{"matches": [
  {"vulnerability": {"id": "CVE-TEST-0101", "severity": "Medium",
    "fix": {"versions": ["99.0-1"], "state": "fixed"}},
   "artifact": {"name": "libc6", "version": "$LIBC_V", "type": "deb",
    "purl": "pkg:deb/debian/libc6@$LIBC_V?arch=$ARCH"}},
  {"vulnerability": {"id": "CVE-TEST-0102", "severity": "Critical", "fix": {"versions": [], "state": "not-fixed"}},
   "artifact": {"name": "libsqlite3-0", "version": "$SQLITE_V", "type": "deb"}},
  {"vulnerability": {"id": "CVE-TEST-0103", "severity": "Negligible"},
   "artifact": {"name": "libjansson4", "version": "$JANSSON_V", "type": "deb",
    "upstreams": [{"name": "jansson"}]}}],
 "descriptor": {"name": "grype"}}
EOF

cat >"$T/cdx.json" <<EOF
{"bomFormat": "CycloneDX", "specVersion": "1.5",
 "components": [
  {"bom-ref": "jansson", "type": "library", "name": "libjansson4", "version": "$JANSSON_V",
   "purl": "pkg:deb/debian/libjansson4@$JANSSON_V?arch=$ARCH"},
  {"bom-ref": "yaml", "type": "library", "name": "libyaml-0-2", "version": "$YAML_V",
   "purl": "pkg:deb/debian/libyaml-0-2@$YAML_V?arch=$ARCH"}],
 "vulnerabilities": [
  {"id": "CVE-TEST-0201", "ratings": [{"severity": "high"}], "affects": [{"ref": "yaml"}]},
  {"id": "CVE-TEST-0202", "ratings": [{"severity": "low"}, {"severity": "medium"}],
   "affects": [{"ref": "jansson", "versions": [{"version": "99.0-1", "status": "unaffected"}]}]}]}
EOF

vuln() { "$VIGIL" vuln --state-dir "$S" "$@"; }

# ---------------------------------------------------------------------------
# Trivy: the table

table=$(vuln -i "$T/trivy.json" 2>"$T/err")
check "trivy table exit status" 0 $?
check "table header" "SEVERITY STATUS ID PACKAGE VERSION FIXED EVIDENCE" \
	"$(echo "$table" | head -1 | tr -s ' ')"
check "table ranking (in use first, then severity)" \
	"CVE-TEST-0001 CVE-TEST-0003 CVE-TEST-0002 CVE-TEST-0004 CVE-TEST-0005" \
	"$(echo "$table" | awk 'NR>1 && $3 ~ /^CVE-/ {printf "%s%s", sep, $3; sep=" "}')"
row1=$(echo "$table" | sed -n 2p)
contains "in-use critical first" "$row1" "CRITICAL  in_use"
contains "evidence names file, process, pid" "$row1" "$JANSSON_F by curl[$$] "
contains "not installed note" "$table" "package not installed in scope"
contains "footer: observed period" "$table" "Scope host: observed "
contains "footer: counts" "$table" "5 findings: 2 in use (CRITICAL 1, LOW 1), 3 not in use"

# ---------------------------------------------------------------------------
# Trivy: JSON

vuln -i "$T/trivy.json" --format json >"$T/out.json" 2>"$T/err"
check "json exit status" 0 $?
check "json scope" host "$(jq -r .scope "$T/out.json")"
check "json statuses in order" "in_use in_use not_in_use not_in_use not_in_use" \
	"$(jq -r '[.findings[].status] | join(" ")' "$T/out.json")"
check "json finding keys" \
	"evidence fixed_version id mitigation package severity source status version" \
	"$(jq -r '.findings[0] | [keys[] | select(IN("id","severity","package","version",
		"fixed_version","status","evidence","mitigation","source"))] | join(" ")' "$T/out.json")"
check "json evidence keys" "first_seen path pid process use_count" \
	"$(jq -r '.findings[0].evidence[0] | [keys[] | select(IN("path","process","pid",
		"first_seen","use_count"))] | join(" ")' "$T/out.json")"
check "json evidence path" "$JANSSON_F" "$(jq -r '.findings[0].evidence[0].path' "$T/out.json")"
check "json evidence pid" "$$" "$(jq -r '.findings[0].evidence[0].pid' "$T/out.json")"
check "json evidence process" curl "$(jq -r '.findings[0].evidence[0].process' "$T/out.json")"
check "json fixed_version" "99.0-1" "$(jq -r '.findings[0].fixed_version' "$T/out.json")"
check "json source" trivy "$(jq -r '.findings[0].source' "$T/out.json")"
check "json mitigation null" null "$(jq -c '.findings[0].mitigation' "$T/out.json")"
check "json unused package: no evidence" 0 \
	"$(jq '.findings[] | select(.id=="CVE-TEST-0002") | .evidence | length' "$T/out.json")"
check "json observed seconds >= 3600" true "$(jq '.observed.seconds >= 3600' "$T/out.json")"
check "json observed first" "$(date -u -d "@$HOUR_AGO" +%FT%TZ)" \
	"$(jq -r .observed.first "$T/out.json")"
check "json summary" "5 2 3" "$(jq -r '.summary | "\(.total) \(.in_use) \(.not_in_use)"' "$T/out.json")"

# ---------------------------------------------------------------------------
# Grype and CycloneDX, and both merged with Trivy

vuln -i "$T/grype.json" --format json >"$T/grype.out" 2>"$T/err"
check "grype exit status" 0 $?
check "grype ranking" "CVE-TEST-0101:in_use CVE-TEST-0103:in_use CVE-TEST-0102:not_in_use" \
	"$(jq -r '[.findings[] | "\(.id):\(.status)"] | join(" ")' "$T/grype.out")"
check "grype negligible is LOW" LOW \
	"$(jq -r '.findings[] | select(.id=="CVE-TEST-0103") | .severity' "$T/grype.out")"
check "grype source" grype "$(jq -r '.findings[0].source' "$T/grype.out")"
vuln -i "$T/cdx.json" --format json >"$T/cdx.out" 2>"$T/err"
check "cyclonedx exit status" 0 $?
check "cyclonedx ranking" "CVE-TEST-0202:MEDIUM:in_use CVE-TEST-0201:HIGH:not_in_use" \
	"$(jq -r '[.findings[] | "\(.id):\(.severity):\(.status)"] | join(" ")' "$T/cdx.out")"
check "cyclonedx fixed version" "99.0-1" "$(jq -r '.findings[0].fixed_version' "$T/cdx.out")"
vuln -i "$T/trivy.json" -i "$T/grype.json" -i "$T/cdx.json" --format json >"$T/all.out" 2>"$T/err"
check "three reports merged" 10 "$(jq '.findings | length' "$T/all.out")"

# ---------------------------------------------------------------------------
# OpenVEX

vuln -i "$T/trivy.json" --vex openvex >"$T/vex.json" 2>"$T/err"
check "vex exit status" 0 $?
check "vex context" "https://openvex.dev/ns/v0.2.0" "$(jq -r '.["@context"]' "$T/vex.json")"
check "vex has id, author, timestamp, version" true \
	"$(jq '(.["@id"]|startswith("urn:uuid:")) and (.author|length>0) and (.timestamp|endswith("Z")) and .version==1' "$T/vex.json")"
check "vex statuses" \
	"CVE-TEST-0001:affected CVE-TEST-0003:affected CVE-TEST-0002:not_affected CVE-TEST-0004:not_affected CVE-TEST-0005:not_affected" \
	"$(jq -r '[.statements[] | "\(.vulnerability.name):\(.status)"] | join(" ")' "$T/vex.json")"
check "vex unused: justification" vulnerable_code_not_in_execute_path \
	"$(jq -r '.statements[] | select(.vulnerability.name=="CVE-TEST-0002") | .justification' "$T/vex.json")"
check "vex not installed: justification" component_not_present \
	"$(jq -r '.statements[] | select(.vulnerability.name=="CVE-TEST-0004") | .justification' "$T/vex.json")"
contains "vex impact statement: observed period" \
	"$(jq -r '.statements[] | select(.vulnerability.name=="CVE-TEST-0002") | .impact_statement' "$T/vex.json")" \
	"during the observed period $(date -u -d "@$HOUR_AGO" +%FT%TZ) to "
contains "vex status_notes: observed period" \
	"$(jq -r '.statements[] | select(.vulnerability.name=="CVE-TEST-0002") | .status_notes' "$T/vex.json")" \
	"observed period"
contains "vex affected: action statement" \
	"$(jq -r '.statements[0].action_statement' "$T/vex.json")" "Update libjansson4 to 99.0-1"
contains "vex affected: evidence in notes" "$(jq -r '.statements[0].status_notes' "$T/vex.json")" \
	"$JANSSON_F"
check "vex product is the package URL" "pkg:deb/debian/libjansson4@$JANSSON_V?arch=$ARCH" \
	"$(jq -r '.statements[0].products[0]["@id"]' "$T/vex.json")"
contains "vex top-level note: observed period" "$(jq -r .note "$T/vex.json")" \
	"observed $(date -u -d "@$HOUR_AGO" +%FT%TZ) to "
table=$(vuln -i "$T/trivy.json" --vex openvex -o "$T/vex2.json" 2>"$T/err")
check "vex -o: file written" "https://openvex.dev/ns/v0.2.0" "$(jq -r '.["@context"]' "$T/vex2.json")"
contains "vex -o: table on stdout" "$table" "SEVERITY  STATUS"
vuln -i "$T/trivy.json" --format json -o "$T/o.json" >"$T/stdout" 2>"$T/err"
check "-o: json to the file" 5 "$(jq '.findings | length' "$T/o.json")"
check "-o: nothing on stdout" 0 "$(wc -c <"$T/stdout")"

# ---------------------------------------------------------------------------
# Malformed and unknown reports: exit 1, the file named, no crash

# expect_error NAME WANT_STATUS NEEDLE ARGS...
expect_error() {
	local name=$1 want=$2 needle=$3 out
	shift 3
	out=$("$VIGIL" vuln --state-dir "$S" "$@" 2>&1 >/dev/null)
	check "$name: exit status" "$want" $?
	contains "$name: message" "$out" "$needle"
}
printf '{"Results": [\n  {"Vulnerabilities": [}\n' >"$T/syntax.json"
expect_error "syntax error" 1 "$T/syntax.json:2:24: JSON syntax error" -i "$T/syntax.json"
echo '{"Results": [{"Vulnerabilities": [{"PkgName": "x"}]}]}' >"$T/nokey.json"
expect_error "missing key" 1 \
	"$T/nokey.json: Results[0].Vulnerabilities[0].VulnerabilityID: missing" -i "$T/nokey.json"
echo '{"matches": [{"vulnerability": {"id": "X"}, "artifact": {"version": "1"}}]}' >"$T/g.json"
expect_error "grype missing name" 1 "$T/g.json: matches[0].artifact.name: missing" -i "$T/g.json"
echo '{"bomFormat": "CycloneDX", "components": []}' >"$T/sbom.json"
expect_error "cyclonedx without vulnerabilities" 1 "$T/sbom.json: vulnerabilities: missing" \
	-i "$T/sbom.json"
echo '{"hello": "world"}' >"$T/unknown.json"
expect_error "unknown format" 1 "$T/unknown.json: unknown report format" -i "$T/unknown.json"
: >"$T/empty.json"
expect_error "empty file" 1 "$T/empty.json:1:0: JSON syntax error" -i "$T/empty.json"
expect_error "missing file" 1 "$T/nope.json: cannot open" -i "$T/nope.json"
head -c 3000 /dev/urandom >"$T/random.json"
"$VIGIL" vuln --state-dir "$S" -i "$T/random.json" >/dev/null 2>&1
check "random bytes: exit status" 1 $?
expect_error "no report" 2 "no report given" --format json
expect_error "bad format" 2 "--format: 'xml'" -i "$T/trivy.json" --format xml
expect_error "bad vex" 2 "only openvex" -i "$T/trivy.json" --vex csaf
expect_error "unknown scope" 1 'scope "nope" not found in the inventory (scopes: host)' \
	-i "$T/trivy.json" --scope nope
"$VIGIL" vuln -i "$T/trivy.json" --state-dir "$T/empty-state" >/dev/null 2>"$T/err"
check "no inventory: exit status" 1 $?
contains "no inventory: message" "$(cat "$T/err")" "$T/empty-state/inventory.db: no inventory"
help=$("$VIGIL" vuln --help)
check "help exit status" 0 $?
contains "help: usage" "$help" "Usage: vigil vuln -i REPORT"
contains "help: record is a test aid" "$help" "Testing and debugging aid"
contains "scopes: host listed" "$("$VIGIL" vuln scopes --state-dir "$S")" "host "

# ---------------------------------------------------------------------------
# A real chroot with its own dpkg database: the scope is "root:DIR", the
# path is made relative to it, the packages come from DIR/var/lib/dpkg.

R=$T/rootfs
mkdir -p "$R/var/lib/dpkg/info" "$R/usr/lib/app" "$R/usr/bin"
cat >"$R/var/lib/dpkg/status" <<EOF
Package: libapp1
Status: install ok installed
Architecture: $ARCH
Source: app
Version: 3.1-2

Package: app-unused
Status: install ok installed
Architecture: all
Version: 1.0
EOF
printf '/.\n/usr/lib/app/libapp.so.1\n' >"$R/var/lib/dpkg/info/libapp1:$ARCH.list"
printf '/.\n/usr/bin/app-unused\n' >"$R/var/lib/dpkg/info/app-unused.list"
: >"$R/usr/lib/app/libapp.so.1"
sleep_bin=$(readlink -f "$(command -v sleep)")
cp "$sleep_bin" "$R/usr/bin/sleep"
for lib in $(ldd "$sleep_bin" | grep -o '/[^ ]*'); do
	mkdir -p "$R$(dirname "$lib")"
	cp "$lib" "$R$lib"
done
if [ "$(id -u)" = 0 ] && chroot "$R" /usr/bin/sleep 0 2>/dev/null; then
	chroot "$R" /usr/bin/sleep 60 &
	sleeper=$!
	sleep 0.3
	"$VIGIL" vuln record --state-dir "$T/cs" --kind map --pid "$sleeper" --comm app \
		"$R/usr/lib/app/libapp.so.1" 2>/dev/null
	scope="root:$(readlink -f "$R")"
	contains "chroot: scope listed" "$("$VIGIL" vuln scopes --state-dir "$T/cs")" "$scope"
	cat >"$T/chroot.json" <<-EOF
	{"Results": [{"Class": "os-pkgs", "Vulnerabilities": [
	 {"VulnerabilityID": "CVE-TEST-0301", "PkgName": "libapp1", "InstalledVersion": "3.1-2", "Severity": "LOW"},
	 {"VulnerabilityID": "CVE-TEST-0302", "PkgName": "app-unused", "InstalledVersion": "1.0", "Severity": "CRITICAL"},
	 {"VulnerabilityID": "CVE-TEST-0303", "PkgName": "libjansson4", "InstalledVersion": "$JANSSON_V", "Severity": "HIGH"}]}]}
	EOF
	"$VIGIL" vuln --state-dir "$T/cs" --scope "$scope" -i "$T/chroot.json" --format json \
		>"$T/chroot.out" 2>"$T/err"
	check "chroot: exit status" 0 $?
	check "chroot: statuses from its own database" \
		"CVE-TEST-0301:in_use CVE-TEST-0302:not_in_use CVE-TEST-0303:not_in_use" \
		"$(jq -r '[.findings[] | "\(.id):\(.status)"] | join(" ")' "$T/chroot.out")"
	check "chroot: evidence path inside the root" /usr/lib/app/libapp.so.1 \
		"$(jq -r '.findings[0].evidence[0].path' "$T/chroot.out")"
	check "chroot: host package not installed there" "package not installed in scope" \
		"$(jq -r '.findings[2].note' "$T/chroot.out")"
	kill "$sleeper" 2>/dev/null
	wait "$sleeper" 2>/dev/null
	sleeper=
else
	skip "chroot" "needs root and chroot(8)"
fi

# ---------------------------------------------------------------------------
# apk, read from a root given with --root

A=$T/alpine
mkdir -p "$A/lib/apk/db"
printf 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:zlib\nV:1.3.1-r0\nA:x86_64\no:zlib\nF:lib\nR:libz.so.1.3.1\n' \
	>"$A/lib/apk/db/installed"
"$VIGIL" vuln record --state-dir "$T/as" --kind map /lib/ld-musl-x86_64.so.1 2>/dev/null
cat >"$T/apk.json" <<EOF
{"matches": [
 {"vulnerability": {"id": "CVE-TEST-0401", "severity": "High"}, "artifact": {"name": "musl", "version": "1.2.4-r2", "type": "apk"}},
 {"vulnerability": {"id": "CVE-TEST-0402", "severity": "Critical"}, "artifact": {"name": "zlib", "version": "1.3.1-r0", "type": "apk"}}]}
EOF
"$VIGIL" vuln --state-dir "$T/as" --root "$A" -i "$T/apk.json" --format json >"$T/apk.out" 2>"$T/err"
check "apk: exit status" 0 $?
check "apk: statuses" "CVE-TEST-0401:in_use CVE-TEST-0402:not_in_use" \
	"$(jq -r '[.findings[] | "\(.id):\(.status)"] | join(" ")' "$T/apk.out")"

# ---------------------------------------------------------------------------
# rpm: a real rpmdb.sqlite made by rpm itself (skipped without rpmbuild)

if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	mkdir -p "$T/rpm/top" "$T/rpmroot"
	cat >"$T/rpm/hello.spec" <<-'EOF'
	Name: vigil-hello
	Version: 1.2.3
	Release: 4.el9
	Epoch: 2
	Summary: test package
	License: MIT
	BuildArch: noarch
	%description
	test
	%install
	mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib64
	echo '#!/bin/sh' > %{buildroot}/usr/bin/vigil-hello
	echo x > %{buildroot}/usr/lib64/libvigil-hello.so.1
	%files
	/usr/bin/vigil-hello
	/usr/lib64/libvigil-hello.so.1
	EOF
	if rpmbuild --define "_topdir $T/rpm/top" -bb "$T/rpm/hello.spec" >"$T/rpm/build.log" 2>&1 &&
		rpm --root "$T/rpmroot" --dbpath /var/lib/rpm --initdb 2>/dev/null &&
		rpm --root "$T/rpmroot" --dbpath /var/lib/rpm -i --nodeps --justdb \
			"$T"/rpm/top/RPMS/noarch/*.rpm >/dev/null 2>&1 &&
		[ -f "$T/rpmroot/var/lib/rpm/rpmdb.sqlite" ]; then
		"$VIGIL" vuln record --state-dir "$T/rs" --kind exec /usr/bin/vigil-hello 2>/dev/null
		cat >"$T/rpm.json" <<-'EOF'
		{"matches": [
		 {"vulnerability": {"id": "CVE-TEST-0501", "severity": "High"},
		  "artifact": {"name": "vigil-hello", "version": "2:1.2.3-4.el9", "type": "rpm"}}]}
		EOF
		"$VIGIL" vuln --state-dir "$T/rs" --root "$T/rpmroot" -i "$T/rpm.json" --format json \
			>"$T/rpm.out" 2>"$T/err"
		check "rpm: exit status" 0 $?
		check "rpm: in use through the sqlite database" in_use \
			"$(jq -r '.findings[0].status' "$T/rpm.out")"
		check "rpm: no version note (epoch:version-release matches)" null \
			"$(jq -r '.findings[0].installed_version' "$T/rpm.out")"
	else
		skip "rpm" "could not build an rpm database with rpm (see $T/rpm/build.log)"
	fi
else
	skip "rpm" "rpmbuild not installed"
fi
# A CVE in Vigil's mitigation catalogue: the finding names the mitigation
# and how to switch it on.
cat >"$T/mit.json" <<EOF
{"SchemaVersion": 2, "ArtifactName": "$(hostname)", "ArtifactType": "filesystem",
 "Results": [{"Target": "debian", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
  {"VulnerabilityID": "CVE-2022-0847", "PkgName": "libjansson4", "InstalledVersion": "$JANSSON_V",
   "Severity": "HIGH", "Title": "test: a catalogued CVE"}]}]}
EOF
vuln -i "$T/mit.json" --format json >"$T/mit.out" 2>"$T/err"
check "catalogued CVE: mitigation named" dirty-pipe "$(jq -r '.findings[0].mitigation.name' "$T/mit.out")"
contains "catalogued CVE: how to switch it on" \
	"$(jq -r '.findings[0].mitigation.enable' "$T/mit.out")" "vigil run --mitigate dirty-pipe"
contains "catalogued CVE: table says so" "$(vuln -i "$T/mit.json" 2>&1)" "dirty-pipe"

mkdir -p "$T/bdb/var/lib/rpm" && : >"$T/bdb/var/lib/rpm/Packages"
expect_error "rpm bdb not supported" 1 "rpm Berkeley DB database: not supported" \
	-i "$T/trivy.json" --root "$T/bdb"

echo "vuln: passed=$passed failed=$failed skipped=$skipped"
[ "$failed" = 0 ]
