#!/usr/bin/env bash
# The main job: the whole of lianxin on one machine with the embedded broker.
#
#   deploy/local/up.sh            build, start, load the Fuyun scenario, print, stay up until Ctrl-C
#   deploy/local/up.sh --detach   same, then return and leave it running
#   deploy/local/down.sh          stop a detached deployment
#
# Installs missing Debian packages, builds its binaries (Release) into build/release, starts
# lianxin-broker (3 brokers on 127.0.0.1:19092-19094) and each county's services
# (`services` below; ports from counties.tsv), writes the endpoints file
# (.lianxin/local/endpoints.json, shaped as in api-contract.md) with one operator token per county, loads the Fuyun
# scenario (lxscenario fuyun: 24 members away, 91 present; idempotent, so a re-run
# changes nothing; with Fuyun's education: courses in every mode, a year of
# attendance, the next Spring Festival's plan) and prints each county's statistics,
# Fuyun's members below 32 class hours, its departures owed pre-departure
# education, the festival sessions and the reconciliation of Fuyun with each
# destination. Data stays in .lianxin/local/<code>/ across runs.
# LIANXIN_HOME moves the state directory; LIANXIN_RELEASE_DIR uses another build
# (LIANXIN_NO_BUILD=1: its binaries as they are); LIANXIN_PORT_OFFSET shifts every port.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
home=${LIANXIN_HOME:-$root/.lianxin/local}
build=${LIANXIN_RELEASE_DIR:-$root/build/release}
offset=${LIANXIN_PORT_OFFSET:-0}
detach=0
for arg in "$@"; do
  case "$arg" in
    --detach) detach=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [ -f "$home/pids" ] && xargs -r kill -0 <"$home/pids" 2>/dev/null; then
  echo "up.sh: a local deployment is already running ($home); stop it with deploy/local/down.sh" >&2
  exit 1
fi

# The services each county runs, with their port offsets from the county's base
# (the metrics endpoint is 10 above) and the flags only that service takes.
services=(registry education)
declare -A port_of=([registry]=1 [contact]=2 [education]=3 [appraisal]=4)
declare -A extra_flags=([registry]="--identity_key_file=@home@/identity.key" [education]="")

# Builds (as tools/build.sh does) only what the deployment runs, so that a test
# being edited elsewhere in the tree cannot stop the main job.
if [ "${LIANXIN_NO_BUILD:-0}" != 1 ]; then
  "$root/tools/setup.sh"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "${LIANXIN_JOBS:-2}" --target lianxin-broker lxscenario lxctl "${services[@]}"
fi
mkdir -p "$home"
: >"$home/pids"
bin=$build/bin
counties_tsv=$root/deploy/local/counties.tsv

stop_all() {
  [ -f "$home/pids" ] || return 0
  xargs -r kill -TERM <"$home/pids" 2>/dev/null || true
  rm -f "$home/pids"
}
trap 'stop_all; exit 1' ERR

# wait_for_line FILE PATTERN PID: waits (30 s at most) until FILE has a line
# matching PATTERN; fails at once if process PID has exited.
wait_for_line() {
  for _ in $(seq 300); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      echo "up.sh: $(basename "$1" .out) exited before '$2'; its log:" >&2
      tail -n 5 "${1%.out}.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "up.sh: timed out waiting for '$2' in $1" >&2
  return 1
}

# The counties: code, name, port base (registry = base + 1, its metrics = base + 11).
counties=()
while IFS=$'\t' read -r code name base; do
  counties+=("$code|$name|$((base + offset))")
done < <(grep -v '^#' "$counties_tsv")
on_lianxin=$(grep -v '^#' "$counties_tsv" | cut -f1 | paste -sd, -)

# Broker: data in memory only; the services' RocksDB logs are the durable record.
setsid "$bin/lianxin-broker" --brokers 3 \
  --ports "$((19092 + offset)),$((19093 + offset)),$((19094 + offset))" \
  >"$home/broker.out" 2>"$home/broker.log" </dev/null &
broker=$!
echo $broker >>"$home/pids"
wait_for_line "$home/broker.out" "127.0.0.1:" $broker
kafka=$(head -n 1 "$home/broker.out")

# One operator token per county, kept across runs.
tokens=$home/tokens.txt
if [ ! -s "$tokens" ]; then
  {
    echo "# token operator_id jurisdiction role"
    for county in "${counties[@]}"; do
      IFS='|' read -r code name base <<<"$county"
      echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') operator-$code $code operator"
    done
  } >"$tokens"
  chmod 600 "$tokens"
fi

# The deployment's key for ID-number hashes (R18), kept across runs: member
# ids are derived from the hashes, so a new key would register everyone anew.
identity_key=$home/identity.key
if [ ! -s "$identity_key" ]; then
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$identity_key")
fi

# Each county's services on their fixed loopback ports, data in $home/<code>.
declare -A service_pid
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  mkdir -p "$home/$code"
  for service in "${services[@]}"; do
    port=$((base + ${port_of[$service]}))
    # shellcheck disable=SC2086  # extra flags are words
    setsid "$bin/$service" --jurisdiction="$code" --data_dir="$home/$code" \
      --listen="127.0.0.1:$port" --metrics_address="127.0.0.1:$((port + 10))" \
      --tokens_file="$tokens" --kafka_brokers="$kafka" --counties_on_lianxin="$on_lianxin" \
      ${extra_flags[$service]//@home@/$home} \
      >"$home/$service-$code.out" 2>"$home/$service-$code.log" </dev/null &
    service_pid[$service-$code]=$!
    echo $! >>"$home/pids"
  done
done
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  for service in "${services[@]}"; do
    wait_for_line "$home/$service-$code.out" "^listening " "${service_pid[$service-$code]}"
  done
done

# The endpoints file (api-contract.md, "Local deployment").
endpoints=$home/endpoints.json
{
  printf '{\n  "kafka": "%s",\n  "tokens_file": "%s",\n  "counties": {' "$kafka" "$tokens"
  sep=""
  for county in "${counties[@]}"; do
    IFS='|' read -r code name base <<<"$county"
    token=$(awk -v c="$code" '$3 == c && $4 == "operator" {print $1; exit}' "$tokens")
    printf '%s\n    "%s": {\n      "name": "%s",\n      "token": "%s",\n' "$sep" "$code" "$name" "$token"
    for service in "${services[@]}"; do
      printf '      "%s": "127.0.0.1:%d",\n' "$service" "$((base + ${port_of[$service]}))"
    done
    printf '      "data_dir": "%s"\n    }' "$home/$code"
    sep=","
  done
  printf '\n  }\n}\n'
} >"$endpoints"

echo "lianxin local deployment is up"
echo "  kafka:     $kafka"
echo "  endpoints: $endpoints"
echo "  logs:      $home/*.log"
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  line="  county $code $name:"
  for service in "${services[@]}"; do
    line+=" $service 127.0.0.1:$((base + ${port_of[$service]})),"
  done
  echo "$line data in $home/$code"
done

# The Fuyun scenario, loaded through the registries' gRPC API (idempotent).
# lxctl prints the statistics when it is built; lxscenario does otherwise.
lxctl=$bin/lxctl
[ -x "$lxctl" ] || lxctl=""
echo
"$bin/lxscenario" fuyun --endpoints "$endpoints" --seed 1 \
  --statistics="$([ -n "$lxctl" ] && echo false || echo true)" | tee "$home/scenario.out"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "up.sh: lxscenario failed" >&2; stop_all; exit 1; }
if [ -n "$lxctl" ]; then
  for county in "${counties[@]}"; do
    IFS='|' read -r code name base <<<"$county"
    echo
    echo "\$ lxctl stats --county $code"
    "$lxctl" stats --endpoints "$endpoints" --county "$code" ||
      echo "up.sh: lxctl stats failed for $code (the deployment stays up)" >&2
  done
  # Education of the focus county: who is below the yearly floor (R12), who
  # still owes pre-departure education, and the Spring Festival sessions.
  focus=${counties[0]%%|*}
  echo
  echo "\$ lxctl below-floor --county $focus"
  "$lxctl" below-floor --endpoints "$endpoints" --county "$focus" ||
    echo "up.sh: lxctl below-floor failed (the deployment stays up)" >&2
  echo
  echo "\$ lxctl pre-departure-due --county $focus"
  "$lxctl" pre-departure-due --endpoints "$endpoints" --county "$focus" ||
    echo "up.sh: lxctl pre-departure-due failed (the deployment stays up)" >&2
  window=$(grep -o '([0-9]\{4\}-[0-9][0-9]-[0-9][0-9] to [0-9]\{4\}-[0-9][0-9]-[0-9][0-9])' \
    "$home/scenario.out" | head -1 | tr -d '()')
  festival_from=${window%% to *}
  festival_to=${window##* to }
  if [ -n "$festival_from" ]; then
    echo
    echo "\$ lxctl list-sessions --county $focus --from $festival_from --to $festival_to"
    "$lxctl" list-sessions --endpoints "$endpoints" --county "$focus" \
      --from "$festival_from" --to "$festival_to" ||
      echo "up.sh: lxctl list-sessions failed (the deployment stays up)" >&2
  fi
  origin=${counties[0]%%|*}
  for county in "${counties[@]:1}"; do
    echo
    echo "\$ lxctl reconcile --origin $origin --destination ${county%%|*}"
    "$lxctl" reconcile --endpoints "$endpoints" --origin "$origin" --destination "${county%%|*}" ||
      echo "up.sh: lxctl reconcile reported a problem (the deployment stays up)" >&2
  done
fi
echo

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
