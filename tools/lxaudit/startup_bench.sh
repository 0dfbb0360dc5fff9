#!/usr/bin/env bash
# Start-up time of a registry on a given data dir (e.g. the 1,000,000-event log
# lxaudit_replay_bench generates) against an empty one: time from exec to its
# "listening" line, best of N. Not a test; results in docs/benchmarks.md.
#
#   tools/lxaudit/startup_bench.sh build/release/bin /var/tmp/lxaudit-bench/654322 5
set -euo pipefail
bin=${1:?bin dir}; data_dir=${2:?county data dir holding registry/}; runs=${3:-5}
work=$(mktemp -d); trap 'kill $broker_pid 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'sha256:%s op-654322 654322 operator\n' \
  "$(printf %s op-token-654322 | sha256sum | cut -d' ' -f1)" >"$work/tokens.txt"
chmod 600 "$work/tokens.txt"
printf '00112233445566778899aabbccddeeff\n' >"$work/identity.key"
"$bin/lianxin-broker" --brokers=1 >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
for _ in $(seq 100); do [ -s "$work/broker.out" ] && break; sleep 0.1; done
bootstrap=$(head -1 "$work/broker.out")

# Milliseconds from exec to the "listening" line of a registry on $1.
start_once() {
  local dir=$1 t0 t1 pid line
  t0=$(date +%s%N)
  coproc REG { exec "$bin/registry" --jurisdiction=654322 --data_dir="$dir" \
    --listen=127.0.0.1:0 --metrics_address= --tokens_file="$work/tokens.txt" \
    --kafka_brokers="$bootstrap" --identity_key_file="$work/identity.key" \
    --counties_on_lianxin=654322,650102 2>>"$work/registry.err"; }
  pid=$REG_PID
  while read -r line <&"${REG[0]}"; do
    [[ $line == listening* ]] && break
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo $(((t1 - t0) / 1000000))
}

best() {
  local dir=$1 b=999999 t
  for _ in $(seq "$runs"); do t=$(start_once "$dir"); ((t < b)) && b=$t; echo -n "$t " >&2; done
  echo >&2
  echo "$b"
}
echo "empty data dir:" >&2
empty=$(best "$work/empty")
echo "$data_dir:" >&2
full=$(best "$data_dir")
echo "start-up (exec to listening), best of $runs: empty log ${empty} ms; $data_dir ${full} ms"
