#!/usr/bin/env bash
# Scale-out benchmark (issue 14), by hand, on the throw-away local Slurm of
# packaging/slurm-local.sh: a synthetic corpus (realsyn-synthcorpus) of DOCS
# documents with 2 small generated images and 8 sentences each, OCR off,
# through every stage in SHARDS shards.
#
#   tests/bench/bench_cluster.sh BUILD_DIR [DOCS] [SHARDS] [WORKDIR]
#   CORPUS=DIR uses an already generated corpus; SBATCH=0 skips pass 2.
#
# Two passes over copies of the same ingested project:
#  1. by hand, one step after another, each under /usr/bin/time: every
#     shard job, every merge and barrier, with wall time and peak RSS (the
#     cost of each piece, without the scheduler; accounting is off on the
#     local cluster, so sacct cannot give MaxRSS);
#  2. the same chain through sbatch (`realsyn slurm submit`), end to end.
# Prints a table; figures go to tests/bench/RESULTS.md by hand.
set -euo pipefail
BUILD=$(cd "${1:?usage: bench_cluster.sh BUILD_DIR [DOCS] [SHARDS] [WORKDIR]}" && pwd)
DOCS=${2:-2000}
SHARDS=${3:-16}
WORK=${4:-/tmp/realsyn-bench-cluster}
RS=$BUILD/bin/realsyn
GEN=$BUILD/bin/realsyn-synthcorpus
[ -x "$GEN" ] || GEN=$(find "$BUILD" -name realsyn-synthcorpus -type f -perm -u+x | head -1)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -x "$RS" ] && [ -x "$GEN" ] || { echo "build realsyn and realsyn-synthcorpus first"; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"
export REALSYN_SLURMCTLD_PORT=${REALSYN_SLURMCTLD_PORT:-16827} REALSYN_SLURMD_PORT=${REALSYN_SLURMD_PORT:-16828}
trap '"$ROOT/packaging/slurm-local.sh" stop "$WORK/slurm" >/dev/null 2>&1 || true' EXIT

REPORT=$WORK/report.tsv
printf 'step\twall_s\tcpu_s\tpeak_rss_mb\n' > "$REPORT"
timed() { # timed NAME CMD...: one row of the report
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.out" "$@" > "$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; echo "FAILED: $name"; exit 1; }
  read -r wall user sys rss < <(tail -1 "$WORK/time.out")
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" | tee -a "$REPORT"
}

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${CORPUS:-}" ]; then ln -s "$CORPUS" "$WORK/corpus"; else timed generate "$GEN" "$WORK/corpus" "$DOCS"; fi
"$RS" init "$WORK/base" >/dev/null
timed ingest "$RS" ingest "$WORK/base" --format mmc4 --images "$WORK/corpus/images" "$WORK/corpus/corpus.jsonl"
"$RS" recipe "$WORK/base" --set experts.ocr=off >/dev/null
cp -a "$WORK/base" "$WORK/hand"
[ "${SBATCH:-1}" = 0 ] || cp -a "$WORK/base" "$WORK/cluster"

# 1. By hand.
stage_shards() { # stage_shards STAGE: every shard, one after another
  for i in $(seq 0 $((SHARDS - 1))); do timed "$1 shard $i/$SHARDS" "$RS" run "$WORK/hand" --shard "$i/$SHARDS" --until "$1"; done
}
# stage_steps STAGE BARRIER MERGE: its barrier job (what it decides
# globally; none for extract), its shards, and its merge (what follows it).
stage_steps() {
  [ -z "$2" ] || timed "$1 barrier (--prepare: $2)" "$RS" run "$WORK/hand" --prepare "$1"
  stage_shards "$1"
  timed "$1 merge (+ $3)" "$RS" merge "$WORK/hand" --stage "$1"
}
stage_steps extract "" "filters, exact/near-duplicate grouping"
stage_steps ground "nothing global" "nothing"
stage_steps embed "sentence decisions, dedup, encoder fit" "embedding near-duplicates"
stage_steps retrieve "sentence k-means index" "records retrieve done"
stage_steps generate "tag calibration" "the stage run reusing every text"
stage_steps sample "image k-means centres on a seeded sample" "band and per-cluster cap"
du -sh "$WORK/hand"/shards "$WORK/hand/project.sqlite" "$WORK/hand"/embeddings 2>/dev/null || true

# 2. Through sbatch (SBATCH=0 skips it: a large corpus takes as long again).
if [ "${SBATCH:-1}" = 0 ]; then echo "report: $REPORT"; exit 0; fi
eval "$("$ROOT/packaging/slurm-local.sh" start "$WORK/slurm")"
start=$(date +%s.%N)
"$RS" slurm submit "$WORK/cluster" --shards "$SHARDS" > "$WORK/submit.out"
ids=$(grep -oE 'job [0-9]+' "$WORK/submit.out" | awk '{print $2}' | paste -sd,)
while [ -n "$(squeue -h -j "$ids" 2>/dev/null)" ]; do sleep 1; done
end=$(date +%s.%N)
printf 'sbatch chain end to end\t%.1f\t-\t-\n' "$(echo "$end - $start" | bc)" | tee -a "$REPORT"
# Per job: start and end from the controller (completed jobs stay MinJobAge = 300 s).
for id in $(echo "$ids" | tr ',' ' '); do
  scontrol show job -o "$id" 2>/dev/null | grep -oE '(JobId|ArrayTaskId|JobName|StartTime|EndTime)=[^ ]+' | paste -sd' ' || true
done > "$WORK/jobs.txt"
"$RS" slurm status "$WORK/cluster"
"$RS" stats "$WORK/cluster" --json | grep -vE '"[a-z_]*(seconds|_ms|_at|elapsed)[a-z_]*"' > "$WORK/cluster.stats"
"$RS" stats "$WORK/hand" --json | grep -vE '"[a-z_]*(seconds|_ms|_at|elapsed)[a-z_]*"' > "$WORK/hand.stats"
cmp -s "$WORK/cluster.stats" "$WORK/hand.stats" && echo "identity: by hand and through sbatch give the same stats" || echo "WARNING: stats differ"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "report: $REPORT; per-job times: $WORK/jobs.txt"
