#!/usr/bin/env bash
# CTest (label cluster): the throw-away local Slurm of packaging/slurm-local.sh
# starts, runs an 8-task array with a dependent job, and stops. Ports apart
# from the defaults so a developer's own local cluster is not disturbed.
# Without the packages or root it skips (77), except under CI=true, where it
# fails: CI must prove the cluster path.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
missing=""
for b in munged slurmctld slurmd sbatch squeue; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || missing="$missing $b"
done
if [ -n "$missing" ] || [ "$(id -u)" -ne 0 ]; then
  why=${missing:+missing:$missing}
  why=${why:-not root}
  if [ "${CI:-}" = "true" ]; then echo "FAIL: local Slurm cannot run ($why)"; exit 1; fi
  echo "SKIP: local Slurm cannot run ($why)"; exit 77
fi
DIR=$(mktemp -d /tmp/realsyn-slurm-test.XXXXXX)
export REALSYN_SLURMCTLD_PORT=16817 REALSYN_SLURMD_PORT=16818
trap '"$ROOT/packaging/slurm-local.sh" stop "$DIR" || true; rm -rf "$DIR"' EXIT
"$ROOT/packaging/slurm-local.sh" start "$DIR"
"$ROOT/packaging/slurm-local.sh" check "$DIR"
