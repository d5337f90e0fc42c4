#!/usr/bin/env bash
# engram sweep on a real Slurm cluster: starts a one-node cluster on this machine (munge,
# slurmctld and slurmd), submits the two-seed sweep of
# tests/fixtures/sweep/tiny-sweep.json as a two-task job array with its dependent merge (the
# submit.sh that `engram sweep --slurm` writes), waits for it, and checks that the merged results
# are exactly those of the same sweep run locally. Runs as root; installs slurm-wlm and munge with
# apt-get when they are missing. Stops the daemons it started when it exits, however it exits.
#   bash scripts/slurm/test-slurm.sh          (exit 0: identical results; anything else: a failure)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
say() { echo "test-slurm: $*"; }
fail() {
  echo "test-slurm: FAILED: $*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (it starts slurmctld, slurmd and munged)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi

# Everything of this test lives here; a fixed place, so that a later run recognises the daemons
# an interrupted earlier run left behind by their configuration file.
state=/tmp/engram-slurm-test
conf="$state/slurm.conf"
export SLURM_CONF="$conf"

# Stops a daemon by its pid file if it is one this test started (its command line names $conf).
stop_daemon() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$conf"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

munge_started=""
array=""
merge=""
cleanup() {
  local status=$?
  if [ -n "$array" ]; then scancel "$array" "$merge" >/dev/null 2>&1 || true; fi
  stop_daemon /run/slurmd.pid
  stop_daemon /run/slurmctld.pid
  if [ -n "$munge_started" ] && [ -f /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
  [ "$status" -eq 0 ] && rm -rf "$state/work"
  exit "$status"
}
trap cleanup EXIT

stop_daemon /run/slurmd.pid
stop_daemon /run/slurmctld.pid
rm -rf "$state"
mkdir -p "$state/work" /var/spool/slurmctld /var/spool/slurmd

# munge: a key of 1024 random bytes, owned by munge, mode 400; munged as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge && chown munge:munge /run/munge
  runuser -u munge -- munged
  munge_started=1
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
  munge -n | unmunge >/dev/null || fail "munged does not answer"
fi

host="$(hostname -s)"
cpus="$(nproc)"
memory="$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')"
cat >"$conf" <<EOF
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmUser=root
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

say "starting slurmctld and slurmd ($host, $cpus CPUs, $memory MiB)"
# -c: no jobs carried over from an earlier, interrupted run of this test.
slurmctld -c -f "$conf"
slurmd -f "$conf"
for i in $(seq 60); do
  node_state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  [ "$node_state" = idle ] && break
  case "$node_state" in down* | drain*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;; esac
  [ "$i" -lt 60 ] || fail "the node did not become idle (state: '${node_state:-none}')"
  sleep 1
done

work="$state/work"
out="$work/cluster"
say "writing the sbatch scripts of tests/fixtures/sweep/tiny-sweep.json"
node bin/engram.js sweep tests/fixtures/sweep/tiny-sweep.json --slurm --shards 2 --out "$out"
bash "$out/submit.sh" | tee "$work/submit.log"
array="$(awk '/^array job/ { print $3 }' "$work/submit.log")"
merge="$(awk '/^merge job/ { print $3 }' "$work/submit.log")"
[ -n "$array" ] && [ -n "$merge" ] || fail "submit.sh printed no job ids"

# The local run of the same sweep, while the cluster works.
say "running the same sweep locally"
node bin/engram.js sweep tests/fixtures/sweep/tiny-sweep.json --workers 2 --out "$work/local" --plain >"$work/local.log"

show_logs() { for f in "$out"/slurm/*.out; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; }
deadline=$((SECONDS + 600))
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
  if squeue -h -j "$merge" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then
    show_logs
    fail "an array task failed, so the merge can never run"
  fi
  [ "$SECONDS" -lt "$deadline" ] || { show_logs; fail "the jobs did not finish within 10 minutes"; }
  sleep 2
done
merge_state="$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' || true)"
[ "$merge_state" = JobState=COMPLETED ] || { show_logs; fail "merge job $merge ended as '${merge_state:-unknown}'"; }
say "array job $array and merge job $merge completed"

# Every run's eval.json, merged from the cluster's shards and from the local sweep: the same
# numbers (runs are deterministic by seed), all but the training wall time.
node --input-type=module - "$out" "$work/local" <<'EOF'
import fs from 'node:fs';
import path from 'node:path';
const [cluster, local] = process.argv.slice(2);
const evaluation = (dir, id) => {
  const ev = JSON.parse(fs.readFileSync(path.join(dir, 'runs', id, 'eval.json'), 'utf8'));
  for (const a of Object.values(ev.agents)) delete a.trainingSeconds;
  return JSON.stringify(ev);
};
const { runs } = JSON.parse(fs.readFileSync(path.join(local, 'sweep.json'), 'utf8'));
const differ = runs.filter((r) => !fs.existsSync(path.join(cluster, 'runs', r.id, 'eval.json')) || evaluation(cluster, r.id) !== evaluation(local, r.id));
if (differ.length > 0) {
  console.error(`test-slurm: FAILED: runs differ or are missing in the merged sweep: ${differ.map((r) => r.id).join(' ')}`);
  process.exit(1);
}
console.log(`test-slurm: passed: the ${runs.length} runs merged from the cluster's shards are identical to the local sweep's (${runs.map((r) => r.id).join(' ')})`);
EOF
