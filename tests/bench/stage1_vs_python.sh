#!/usr/bin/env bash
# Stage 1 of RealSyn against the plain-Python reference script, paired
# (issue 16). For each corpus, PAIRS times: the Python script, then stage 1
# as whole processes on a fresh project with default settings
#   realsyn init P; realsyn ingest P --format html CORPUS; realsyn run P --until extract
# (alternated, so that machine load hits both alike). Reports medians of
# wall and CPU (user+sys) seconds, the paired ratio (Python wall / stage-1
# wall, median over pairs), ingest MB/s of HTML, and the extract decode floor
# (decodefloor: every distinct image decoded once, all cores, with extract's
# own codecs and with cv::imdecode alone), run in every pair after the
# extract, with the paired ratio extract / floor.
#
#   tests/bench/stage1_vs_python.sh BUILD_DIR [CORPUS...]
# Environment: PAIRS (default 5), PYTHON (default /usr/bin/python3),
# BASELINE (default ../shared/bench/py_extract_baseline.py beside the tree).
set -euo pipefail

BUILD=$(cd "${1:?usage: stage1_vs_python.sh BUILD_DIR [CORPUS...]}" && pwd)
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPORA=("$@")
if [ ${#CORPORA[@]} -eq 0 ]; then
  CORPORA=(/usr/share/gimp/2.0/help/en /usr/share/doc/debian-handbook/html/en-US /usr/share/doc/kicad/help/en)
fi
PAIRS=${PAIRS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
BASELINE=${BASELINE:-${REALSYN_SHARED_DIR:-$ROOT/../shared}/bench/py_extract_baseline.py}
CLI=$BUILD/bin/realsyn
FLOOR=$BUILD/bin/decodefloor
for f in "$CLI" "$FLOOR" "$BASELINE"; do
  [ -e "$f" ] || { echo "missing $f (build the realsyn and decodefloor targets; the reference script is in shared/bench)" >&2; exit 1; }
done
"$PYTHON" -c 'import PIL' 2>/dev/null || { echo "$PYTHON has no PIL: packaging/dev.sh bench installs python3-pil" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Runs "$@" and appends "wall cpu" (seconds) to the file named by $OUTFILE.
# Wall time to the millisecond (time(1)'s %e has 10 ms steps, a tenth of
# the handbook's ingest); CPU from time(1).
timed() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$TMP/t" "$@" > /dev/null 2>> "$TMP/log"
  end=$(date +%s%N)
  awk -v ns=$((end - start)) '{printf "%.3f %.3f\n", ns / 1e9, $1 + $2}' "$TMP/t" >> "$OUTFILE"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

stage1() {
  local p=$TMP/p
  rm -rf "$p"
  "$CLI" init "$p"
  "$CLI" ingest "$p" --format html "$1"
  "$CLI" run "$p" --until extract
}
export -f stage1
export CLI TMP

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for corpus in "${CORPORA[@]}"; do
  [ -d "$corpus" ] || { echo "skipping $corpus (not installed)"; continue; }
  html_mb=$(find -L "$corpus" -type f \( -iname '*.html' -o -iname '*.htm' \) -print0 | du -cb --files0-from=- | tail -1 | awk '{print $1 / 1e6}')
  rm -f "$TMP"/py "$TMP"/cc "$TMP"/ing "$TMP"/ext "$TMP"/floor
  # Warm the page cache first: neither side should pay for the first read.
  # The warm-up stage 1 also lists the images the floor decodes.
  "$PYTHON" "$BASELINE" "$corpus" > "$TMP/py.out"
  bash -c 'stage1 "$0"' "$corpus" > /dev/null 2>> "$TMP/log"
  "$PYTHON" -c 'import sqlite3, sys
for (p,) in sqlite3.connect(sys.argv[1]).execute("SELECT path FROM images WHERE path IS NOT NULL"): print(p)' "$TMP/p/project.sqlite" > "$TMP/images.txt"
  for i in $(seq "$PAIRS"); do
    OUTFILE=$TMP/py timed "$PYTHON" "$BASELINE" "$corpus"
    OUTFILE=$TMP/cc timed bash -c 'stage1 "$0"' "$corpus"
    # Ingest alone, for MB/s (its own fresh project).
    rm -rf "$TMP/q" && "$CLI" init "$TMP/q" > /dev/null
    OUTFILE=$TMP/ing timed "$CLI" ingest "$TMP/q" --format html "$corpus"
    OUTFILE=$TMP/ext timed "$CLI" run "$TMP/q" --until extract
    # The floor in every pair too, right after the extract it is compared
    # with: one floor run against the median extract drifted with the
    # machine (the handbook's floor read 0.11-0.15 s from run to run).
    "$FLOOR" < "$TMP/images.txt" >> "$TMP/floor" 2>> "$TMP/log" # libpng warns about odd ICC profiles
  done
  paste "$TMP/py" "$TMP/cc" | awk '{print $1 / $3}' > "$TMP/ratio"
  echo
  echo "corpus: $corpus ($html_mb MB of HTML; python: $(cat "$TMP/py.out"))"
  echo "  python    wall median $(cut -d' ' -f1 "$TMP/py" | median) s, cpu $(cut -d' ' -f2 "$TMP/py" | median) s"
  echo "  stage 1   wall median $(cut -d' ' -f1 "$TMP/cc" | median) s, cpu $(cut -d' ' -f2 "$TMP/cc" | median) s"
  echo "  paired ratio python/stage1 (median of $PAIRS): $(median < "$TMP/ratio")  [each: $(tr '\n' ' ' < "$TMP/ratio")]"
  ing_wall=$(cut -d' ' -f1 "$TMP/ing" | median)
  echo "  ingest    wall median $ing_wall s, cpu $(cut -d' ' -f2 "$TMP/ing" | median) s, $(awk -v mb="$html_mb" -v s="$ing_wall" 'BEGIN {printf "%.1f", mb / s}') MB/s of HTML"
  ext_wall=$(cut -d' ' -f1 "$TMP/ext" | median)
  echo "  extract   wall median $ext_wall s, cpu $(cut -d' ' -f2 "$TMP/ext" | median) s (run --until extract, whole process)"
  # Two floors (see decodefloor.cpp): extract's own codecs, then cv::imdecode
  # alone; each pair's extract over that pair's floor.
  for codecs in realsyn opencv; do
    grep "codecs=$codecs " "$TMP/floor" | sed 's/.*wall_s=\([0-9.]*\) cpu_s=\([0-9.]*\).*/\1 \2/' > "$TMP/floor.$codecs"
    paste "$TMP/ext" "$TMP/floor.$codecs" | awk '{printf "%.2f\n", $1 / $3}' > "$TMP/fratio"
    echo "  decode_floor codecs=$codecs $(grep -m1 "codecs=$codecs " "$TMP/floor" | grep -o 'images=.*threads=[0-9]*') wall median $(cut -d' ' -f1 "$TMP/floor.$codecs" | median) s, cpu $(cut -d' ' -f2 "$TMP/floor.$codecs" | median) s"
    echo "  extract / decode floor codecs=$codecs (paired, median of $PAIRS): $(median < "$TMP/fratio")  [each: $(tr '\n' ' ' < "$TMP/fratio")]"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
