#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SEED_DIR WORK_DIR
# Runs one libFuzzer harness for FUZZ_SECONDS (default REALSYN_FUZZ_SECONDS,
# else 10) from the checked-in seeds. New inputs go to WORK_DIR, never into
# the source tree; a crash, leak, timeout or OOM leaves its reproducer in
# WORK_DIR/artifacts/ and makes the exit status non-zero (CTest fails).
# FUZZ_SEED fixes libFuzzer's random seed: `dev.sh test` sets it so that a
# gate run explores the same inputs every time (a finding there is a
# regression, not luck); `dev.sh fuzz` leaves it unset to explore afresh.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3
seconds=${FUZZ_SECONDS:-${REALSYN_FUZZ_SECONDS:-10}}
seed=()
[[ -n "${FUZZ_SEED:-}" ]] && seed=(-seed="$FUZZ_SEED")
mkdir -p "$work/corpus" "$work/artifacts"
# -timeout: one input may take 10 s at most (a stall is a finding);
# -rss_limit_mb: the 2 GB ceiling on every input.
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  "${seed[@]}" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$seeds"
