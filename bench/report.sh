#!/bin/bash
# bench/report.sh RAW_DIR OUT_DIR - writes OUT_DIR/results.md and
# OUT_DIR/results.csv from the raw tables bench/run.sh leaves in RAW_DIR
# (build/bench/raw/). Every number in them is computed here from those
# tables; run it again on the same raw tables to get the same files.
set -euo pipefail

RAW=${1:?usage: report.sh RAW_DIR OUT_DIR}
OUT=${2:?usage: report.sh RAW_DIR OUT_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for f in config machine cells sessions kernel kevents sat rss rss_maps; do
	[ -f "$RAW/$f.tsv" ] || {
		echo "report.sh: $RAW/$f.tsv missing" >&2
		exit 1
	}
done
mkdir -p "$OUT"
awk -F'\t' -v csv="$OUT/results.csv.tmp" -f "$HERE/report.awk" \
	"$RAW/config.tsv" "$RAW/machine.tsv" "$RAW/cells.tsv" "$RAW/sessions.tsv" \
	"$RAW/kernel.tsv" "$RAW/kevents.tsv" "$RAW/sat.tsv" "$RAW/rss.tsv" \
	"$RAW/rss_maps.tsv" >"$OUT/results.md.tmp"
mv "$OUT/results.md.tmp" "$OUT/results.md"
mv "$OUT/results.csv.tmp" "$OUT/results.csv"
