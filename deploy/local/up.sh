#!/usr/bin/env bash
# The main job: the whole of lianxin on one machine with the embedded broker.
#
#   deploy/local/up.sh            build, start, print, stay up until Ctrl-C
#   deploy/local/up.sh --detach   same, then return and leave it running
#   deploy/local/down.sh          stop a detached deployment
#
# Installs missing Debian packages, builds (Release) into build/release, starts
# lianxin-broker (3 brokers on 127.0.0.1:19092-19094) and writes the endpoints
# file (.lianxin/local/endpoints.json, shaped as in api-contract.md) with one
# operator token per county. Services join this script as their issues land.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
home=${LIANXIN_HOME:-$root/.lianxin/local}
build=${LIANXIN_RELEASE_DIR:-$root/build/release}
detach=0
for arg in "$@"; do
  case "$arg" in
    --detach) detach=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [ -f "$home/pids" ] && xargs -r kill -0 <"$home/pids" 2>/dev/null; then
  echo "up.sh: a local deployment is already running ($home); stop it with deploy/local/down.sh" >&2
  exit 1
fi

"$root/tools/build.sh" "$build" Release
mkdir -p "$home"
: >"$home/pids"
bin=$build/bin

stop_all() {
  [ -f "$home/pids" ] || return 0
  xargs -r kill -TERM <"$home/pids" 2>/dev/null || true
  rm -f "$home/pids"
}
trap 'stop_all; exit 1' ERR

# wait_for_line FILE PATTERN: waits (30 s at most) until FILE has a line matching PATTERN.
wait_for_line() {
  for _ in $(seq 300); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "up.sh: timed out waiting for '$2' in $1" >&2
  return 1
}

# Broker: data in memory only; the services' RocksDB logs are the durable record.
setsid "$bin/lianxin-broker" --brokers 3 --ports 19092,19093,19094 \
  >"$home/broker.out" 2>"$home/broker.log" </dev/null &
echo $! >>"$home/pids"
wait_for_line "$home/broker.out" "127.0.0.1:"
kafka=$(head -n 1 "$home/broker.out")

# One operator token per county, kept across runs.
tokens=$home/tokens.txt
if [ ! -s "$tokens" ]; then
  {
    echo "# token operator_id jurisdiction role"
    grep -v '^#' "$root/deploy/local/counties.tsv" | while IFS=$'\t' read -r code name base; do
      echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') operator-$code $code operator"
    done
  } >"$tokens"
  chmod 600 "$tokens"
fi

# The endpoints file (api-contract.md, "Local deployment").
endpoints=$home/endpoints.json
{
  printf '{\n  "kafka": "%s",\n  "tokens_file": "%s",\n  "counties": {' "$kafka" "$tokens"
  sep=""
  grep -v '^#' "$root/deploy/local/counties.tsv" | while IFS=$'\t' read -r code name base; do
    token=$(awk -v c="$code" '$3 == c && $4 == "operator" {print $1; exit}' "$tokens")
    mkdir -p "$home/$code"
    printf '%s\n    "%s": {\n      "name": "%s",\n      "token": "%s",\n      "data_dir": "%s"\n    }' \
      "$sep" "$code" "$name" "$token" "$home/$code"
    sep=","
  done
  printf '\n  }\n}\n'
} >"$endpoints"

echo "lianxin local deployment is up"
echo "  kafka:     $kafka"
echo "  endpoints: $endpoints"
echo "  logs:      $home/*.log"
grep -v '^#' "$root/deploy/local/counties.tsv" | while IFS=$'\t' read -r code name base; do
  echo "  county $code $name: data in $home/$code"
done

if [ "$detach" = 1 ]; then
  echo "detached; stop with deploy/local/down.sh"
  exit 0
fi
trap 'echo; echo "stopping"; stop_all; exit 0' INT TERM
echo "Ctrl-C stops it"
while xargs -r kill -0 <"$home/pids" 2>/dev/null; do sleep 1; done
echo "up.sh: a process of the deployment exited; see $home/*.log" >&2
stop_all
exit 1
