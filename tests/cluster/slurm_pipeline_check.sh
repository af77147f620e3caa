#!/usr/bin/env bash
# CTest (label cluster): the sharded ground stage through the real sbatch of
# a throw-away local Slurm gives exactly the single-machine result, and
# `realsyn run --shard` + `realsyn merge` by hand do too.
#   usage: slurm_pipeline_check.sh REALSYN_BINARY
# Skips (77) without the Slurm packages or root, except under CI=true.
set -euo pipefail
RS=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS=/usr/share/gimp/2.0/help/en
LIMIT=${REALSYN_CLUSTER_DOCS:-24}
missing=""
for b in munged slurmctld slurmd sbatch squeue; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || missing="$missing $b"
done
[ -d "$CORPUS" ] || missing="$missing gimp-help-en"
if [ -n "$missing" ] || [ "$(id -u)" -ne 0 ]; then
  why=${missing:+missing:$missing}
  why=${why:-not root}
  if [ "${CI:-}" = "true" ]; then echo "FAIL: cannot run ($why)"; exit 1; fi
  echo "SKIP: cannot run ($why)"; exit 77
fi
WORK=$(mktemp -d /tmp/realsyn-cluster-test.XXXXXX)
export REALSYN_SLURMCTLD_PORT=16817 REALSYN_SLURMD_PORT=16818
trap '"$ROOT/packaging/slurm-local.sh" stop "$WORK/slurm" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# What a user compares: stats (timings dropped) and the selection.
outcome() {
  "$RS" stats "$1" --json | grep -vE '"[a-z_]*(seconds|_ms|_at|elapsed)[a-z_]*"' > "$2.stats"
  "$RS" list "$1" --json > "$2.list"
}
same() {
  cmp -s "$1.stats" "$2.stats" || { diff "$1.stats" "$2.stats" | head -20; echo "FAIL: stats differ ($1 vs $2)"; exit 1; }
  cmp -s "$1.list" "$2.list" || { echo "FAIL: selection differs ($1 vs $2)"; exit 1; }
}

for p in single byhand cluster resumed; do
  "$RS" init "$WORK/$p" >/dev/null
  "$RS" ingest "$WORK/$p" --format html --limit "$LIMIT" "$CORPUS" >/dev/null
done

# One machine.
"$RS" run "$WORK/single" --until ground >/dev/null
outcome "$WORK/single" "$WORK/single"

# By hand: every shard, then the merge.
"$RS" run "$WORK/byhand" --until extract >/dev/null
for i in 0 1 2; do "$RS" run "$WORK/byhand" --shard "$i/3" --until ground >/dev/null; done
# A merge with a shard missing is refused and merges nothing.
mv "$WORK/byhand/shards/1" "$WORK/byhand/shards/1.away"
if "$RS" merge "$WORK/byhand" --stage ground 2>"$WORK/merge.err"; then echo "FAIL: merge accepted a missing shard"; exit 1; fi
grep -q "1 of 3 shards cannot be merged" "$WORK/merge.err" || { cat "$WORK/merge.err"; echo "FAIL: unclear message"; exit 1; }
mv "$WORK/byhand/shards/1.away" "$WORK/byhand/shards/1"
"$RS" merge "$WORK/byhand" --stage ground >/dev/null
outcome "$WORK/byhand" "$WORK/byhand"
same "$WORK/single" "$WORK/byhand"

# Through Slurm: the whole chain submitted at once, 4 array tasks for
# extract's probing and 4 for ground.
eval "$("$ROOT/packaging/slurm-local.sh" start "$WORK/slurm")"
"$RS" slurm submit "$WORK/cluster" --shards 4 --until ground | tee "$WORK/submit.out"
ids=$(grep -oE 'job [0-9]+' "$WORK/submit.out" | awk '{print $2}' | paste -sd,)
[ "$(echo "$ids" | tr ',' '\n' | wc -l)" = 4 ] || { echo "FAIL: expected 4 jobs (extract array, extract-merge, ground array, finish)"; exit 1; }
for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] || { echo "FAIL: jobs still queued after 300 s"; exit 1; }
"$RS" slurm status "$WORK/cluster" | tee "$WORK/status.out"
grep -q "extract: 4 of 4 shards done" "$WORK/status.out" && grep -q "ground: 4 of 4 shards done" "$WORK/status.out" || { cat "$WORK"/cluster/slurm/*/logs/* ; echo "FAIL: shards not done"; exit 1; }
outcome "$WORK/cluster" "$WORK/cluster"
same "$WORK/single" "$WORK/cluster"

# A shard that fails every attempt: the finish job is cancelled with it and
# the project keeps what it had; `slurm resume` redoes only that shard and
# the finish, and the result is again the single machine's.
mkdir -p "$WORK/resumed/shards/2" && echo "in the way" > "$WORK/resumed/shards/2/ground"
"$RS" slurm submit "$WORK/resumed" --shards 4 --until ground | tee "$WORK/submit2.out"
ids=$(grep -oE 'job [0-9]+' "$WORK/submit2.out" | awk '{print $2}' | paste -sd,)
for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.5
done
"$RS" slurm status "$WORK/resumed" | tee "$WORK/status2.out"
grep -q "ground: 3 of 4 shards done (not yet: 2)" "$WORK/status2.out" || { echo "FAIL: expected shard 2 to have failed"; exit 1; }
grep -c "attempt" "$WORK"/resumed/slurm/*/logs/realsyn-ground-*_2.out | grep -q 3 || { echo "FAIL: shard 2 was not tried 3 times"; exit 1; }
rm "$WORK/resumed/shards/2/ground"
"$RS" slurm resume "$WORK/resumed" | tee "$WORK/resume.out"
grep -q "resubmitting ground shards 2, then finish" "$WORK/resume.out" || { echo "FAIL: resume did not pick shard 2 alone"; exit 1; }
ids=$(grep -oE 'job [0-9]+' "$WORK/resume.out" | awk '{print $2}' | paste -sd,)
for _ in $(seq 1 600); do
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.5
done
"$RS" slurm status "$WORK/resumed" | grep -q "ground: 4 of 4 shards done" || { echo "FAIL: resume did not finish"; exit 1; }
outcome "$WORK/resumed" "$WORK/resumed"
same "$WORK/single" "$WORK/resumed"
echo "sharded ground: by hand, through sbatch and after a failed shard and resume, identical to one machine"
