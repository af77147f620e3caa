#!/usr/bin/env bash
# CTest (label cluster): every stage through the real sbatch of a throw-away
# local Slurm, 4 shards (extract's probing, ground, embed's encoding,
# retrieve's queries, generate and sample's cluster assignment in array
# tasks; the barriers and global decisions in single jobs), gives
# exactly the single-machine result: stats --json (stage states included),
# list --selected and a byte-identical export. Then a second submission has
# one embed shard job killed (scancel) while it runs: the chain stops, the
# project keeps what it had, a merge refuses the missing shard, and
# `slurm resume` redoes only that shard and what follows, identically again.
#   usage: slurm_pipeline_check.sh REALSYN_BINARY
# Skips (77) without the Slurm packages or root, except under CI=true.
set -euo pipefail
RS=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS=/usr/share/gimp/2.0/help/en
LIMIT=${REALSYN_CLUSTER_DOCS:-60}
missing=""
for b in munged slurmctld slurmd sbatch squeue scancel; do
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
t0=$SECONDS
step() { echo "[$((SECONDS - t0)) s] $*"; }

# What a user compares: stats (timings dropped), the selection and an export.
outcome() {
  "$RS" stats "$1" --json | grep -vE '"[a-z_]*(seconds|_ms|_at|elapsed)[a-z_]*"' > "$1.stats"
  "$RS" list "$1" --json > "$1.list"
  "$RS" list "$1" --selected --json > "$1.selected"
  rm -rf "$1.export"
  "$RS" export "$1" --format jsonl --out "$1.export" >/dev/null
}
same() {
  cmp -s "$1.stats" "$2.stats" || { diff "$1.stats" "$2.stats" | head -20; echo "FAIL: stats differ ($1 vs $2)"; exit 1; }
  cmp -s "$1.list" "$2.list" || { echo "FAIL: image states differ ($1 vs $2)"; exit 1; }
  cmp -s "$1.selected" "$2.selected" || { echo "FAIL: selection differs ($1 vs $2)"; exit 1; }
  diff -r "$1.export" "$2.export" >/dev/null || { diff -r "$1.export" "$2.export" | head -5; echo "FAIL: exports differ ($1 vs $2)"; exit 1; }
}
drain() { # waits until none of the given jobs is queued or running
  for _ in $(seq 1 900); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  echo "FAIL: jobs $1 still queued after 450 s"; exit 1
}
job_ids() { grep -oE 'job [0-9]+' "$1" | awk '{print $2}' | paste -sd,; }

# OCR off: on this 2-core CI machine OCR of these pages alone takes over a
# minute per run, three runs would not fit the budget; ground still runs
# sharded (faces and quality per image), and OCR findings are per image too.
for p in single cluster killed; do
  "$RS" init "$WORK/$p" >/dev/null
  "$RS" ingest "$WORK/$p" --format html --limit "$LIMIT" "$CORPUS" >/dev/null
  "$RS" recipe "$WORK/$p" --set experts.ocr=off >/dev/null
done

step "one machine, every stage"
"$RS" run "$WORK/single" >/dev/null
outcome "$WORK/single"
grep -q '"selected":true' "$WORK/single.selected" || { echo "FAIL: nothing selected: the comparison would prove little"; exit 1; }

eval "$("$ROOT/packaging/slurm-local.sh" start "$WORK/slurm")"

step "through sbatch, 4 shards, every stage"
"$RS" slurm submit "$WORK/cluster" --shards 4 | tee "$WORK/submit.out"
ids=$(job_ids "$WORK/submit.out")
[ "$(echo "$ids" | tr ',' '\n' | wc -l)" = 12 ] || { echo "FAIL: expected 12 jobs (an array and a merge for each of the 6 stages)"; exit 1; }
drain "$ids"
"$RS" slurm status "$WORK/cluster" | tee "$WORK/status.out"
for s in extract ground embed retrieve generate sample; do
  grep -q "$s: 4 of 4 shards done" "$WORK/status.out" || { tail -n 20 "$WORK"/cluster/slurm/*/logs/*; echo "FAIL: $s shards not done"; exit 1; }
done
outcome "$WORK/cluster"
same "$WORK/single" "$WORK/cluster"

step "embed shard 2 killed while it runs"
"$RS" slurm submit "$WORK/killed" --shards 4 | tee "$WORK/submit2.out"
ids=$(job_ids "$WORK/submit2.out")
embed=$(grep -oE '^embed: job [0-9]+' "$WORK/submit2.out" | awk '{print $3}')
shard="$WORK/killed/shards/2/embed"
killed=""
# The shard job makes its folder first and writes its manifest last: kill
# between the two, through Slurm, as an operator or a preemption would.
for _ in $(seq 1 6000); do
  if [ -d "$shard" ] && [ ! -f "$shard/manifest.json" ] \
     && squeue -h -j "${embed}_2" -o %T 2>/dev/null | grep -q RUNNING; then
    scancel "${embed}_2"; killed=yes; break
  fi
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.05
done
[ -n "$killed" ] || { echo "FAIL: embed shard 2 was never seen running (finished too fast to kill?)"; exit 1; }
drain "$ids"
"$RS" slurm status "$WORK/killed" | tee "$WORK/status2.out"
grep -q "embed: 3 of 4 shards done (not yet: 2)" "$WORK/status2.out" || { echo "FAIL: expected only embed shard 2 missing"; exit 1; }
[ ! -f "$shard/manifest.json" ] || { echo "FAIL: the killed shard left a manifest"; exit 1; }
"$RS" stats "$WORK/killed" --json | grep -A2 '"embed"' | grep -q 'not-run' || { echo "FAIL: embed should not be done after the kill"; exit 1; }
# A merge with the killed shard missing is refused and merges nothing.
if "$RS" merge "$WORK/killed" --stage embed 2>"$WORK/merge.err"; then echo "FAIL: merge accepted a missing shard"; exit 1; fi
grep -q "1 of 4 shards cannot be merged" "$WORK/merge.err" || { cat "$WORK/merge.err"; echo "FAIL: unclear message"; exit 1; }

step "resume"
"$RS" slurm resume "$WORK/killed" | tee "$WORK/resume.out"
grep -q "resubmitting embed shards 2, with embed-prepare, embed-merge, retrieve, retrieve-merge, generate, generate-merge, sample, finish" "$WORK/resume.out" || { echo "FAIL: resume did not pick embed shard 2 alone"; exit 1; }
ids=$(job_ids "$WORK/resume.out")
drain "$ids"
"$RS" slurm status "$WORK/killed" | grep -q "embed: 4 of 4 shards done" || { tail -n 20 "$WORK"/killed/slurm/*/logs/*; echo "FAIL: resume did not finish"; exit 1; }
outcome "$WORK/killed"
same "$WORK/single" "$WORK/killed"
step "every stage through sbatch, and after a killed shard and resume, identical to one machine"

# Retrieve's other modes, sharded by hand (3 shards) against one machine:
# exact (brute force) and document (a page's images assigned together, even
# when they fall in different shards).
for mode in exact document; do
  step "retrieve.mode=$mode by hand in 3 shards"
  for p in single cluster; do "$RS" recipe "$WORK/$p" --set retrieve.mode=$mode >/dev/null; done
  "$RS" run "$WORK/single" >/dev/null
  "$RS" run "$WORK/cluster" --prepare retrieve >/dev/null
  for i in 0 1 2; do "$RS" run "$WORK/cluster" --shard "$i/3" --until retrieve >/dev/null; done
  "$RS" merge "$WORK/cluster" --stage retrieve --shards 3 >/dev/null
  "$RS" run "$WORK/cluster" >/dev/null
  outcome "$WORK/single"; outcome "$WORK/cluster"
  same "$WORK/single" "$WORK/cluster"
done

