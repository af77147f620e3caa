#!/usr/bin/env bash
# A throw-away single-node Slurm cluster on this machine, for tests and for
# trying `realsyn slurm` without a real cluster: munge, slurmctld and slurmd,
# run as root, with every key, state, spool, socket and log under one folder.
# Nothing under /etc, /run or /var is written, and no systemd is needed.
#
#   packaging/slurm-local.sh start [DIR]   start the daemons; prints `export SLURM_CONF=...`
#   packaging/slurm-local.sh stop  [DIR]   stop them (state stays in DIR until removed)
#   packaging/slurm-local.sh check [DIR]   run an 8-task array plus a dependent job, timed
#
# DIR defaults to $REALSYN_SLURM_DIR, else /tmp/realsyn-slurm. Clients
# (sbatch, squeue, sacct) find the cluster through SLURM_CONF=DIR/slurm.conf.
# The packages come from `packaging/dev.sh deps` (slurmctld slurmd
# slurm-client munge, Debian 12: Slurm 22.05).
set -euo pipefail

cmd=${1:-}
DIR=${2:-${REALSYN_SLURM_DIR:-/tmp/realsyn-slurm}}
CONF=$DIR/slurm.conf
CPUS=$(nproc)

log() { printf '[slurm-local] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

need() {
  for b in munged mungekey slurmctld slurmd sbatch scontrol; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] \
      || die "$b not found: install the Slurm packages with packaging/dev.sh deps"
  done
  [ "$(id -u)" -eq 0 ] || die "the local cluster runs its daemons as root (SlurmUser=root)"
}

write_conf() {
  # The settings a single node needs and nothing more. Debian's slurmctld
  # 22.05 refuses to start without ClusterName; accounting is off, so sacct
  # answers with an error that callers must tolerate.
  cat >"$CONF" <<EOF
ClusterName=realsyn-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=${REALSYN_SLURMCTLD_PORT:-6817}
SlurmdPort=${REALSYN_SLURMD_PORT:-6818}
ReturnToService=2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=300
MaxArraySize=100001
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost CPUs=$CPUS State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need
  mkdir -p "$DIR"/{munge,state,spool,log}
  chmod 700 "$DIR/munge"
  if pid_alive "$DIR/slurmctld.pid" && pid_alive "$DIR/slurmd.pid"; then
    log "already running in $DIR"
    echo "export SLURM_CONF=$CONF"
    return
  fi
  write_conf
  [ -f "$DIR/munge/munge.key" ] || mungekey --create --keyfile="$DIR/munge/munge.key" --bits=1024 2>/dev/null \
    || dd if=/dev/urandom of="$DIR/munge/munge.key" bs=128 count=1 status=none
  chmod 600 "$DIR/munge/munge.key"
  if ! pid_alive "$DIR/munge/munged.pid"; then
    # --force: munged refuses root and group-writable parents without it.
    /usr/sbin/munged --force --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
      --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed"
  fi
  SLURM_CONF=$CONF /usr/sbin/slurmctld -f "$CONF"
  SLURM_CONF=$CONF /usr/sbin/slurmd -f "$CONF" -N localhost
  export SLURM_CONF=$CONF
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      log "cluster up in $DIR ($CPUS CPUs); logs in $DIR/log"
      echo "export SLURM_CONF=$CONF"
      return
    fi
    sleep 0.5
  done
  log "the node did not come up; last log lines:"
  tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
  stop
  exit 1
}

stop() {
  for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
    if pid_alive "$f"; then
      local pid
      pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  log "stopped ($DIR kept)"
}

check() {
  export SLURM_CONF=$CONF
  local out=$DIR/check
  rm -rf "$out" && mkdir -p "$out"
  local t0 first second
  t0=$(date +%s.%N)
  first=$(sbatch --parsable --array=0-7 --output="$out/a-%a.out" --wrap 'echo task $SLURM_ARRAY_TASK_ID')
  second=$(sbatch --parsable --dependency=afterok:"$first" --kill-on-invalid-dep=yes --output="$out/b.out" \
    --wrap "cat $out/a-*.out | wc -l")
  for _ in $(seq 1 240); do
    [ -z "$(squeue -h -j "$first,$second" 2>/dev/null)" ] && break
    sleep 0.25
  done
  local took
  took=$(echo "$(date +%s.%N) - $t0" | bc)
  [ "$(cat "$out/b.out" 2>/dev/null)" = "8" ] || die "the dependent job did not see 8 array outputs (see $out)"
  log "8-task array + dependent job: ${took} s"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  check) check ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
