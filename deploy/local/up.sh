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
# scenario (lxscenario fuyun: 24 members away, 91 present; liaisons, a year of contacts
# and hotline tickets; courses in every mode, a year of attendance, the next Spring
# Festival's plan; the year-end appraisal; idempotent, so a re-run changes nothing) and
# prints each county's statistics, Fuyun's contact figures, members below 32 class hours,
# appraisal sheet, arrears and lapse candidates, and the reconciliation of Fuyun with each
# destination. Data stays in .lianxin/local/<code>/ across runs.
# Every service serves mutual TLS: on first start a local CA, a server certificate
# (localhost, 127.0.0.1) and a client certificate for the tools are made with openssl
# in .lianxin/local/tls/; the endpoints file names them (tls_ca, tls_cert, tls_key).
# Everything the deployment writes is its owner's only (umask 077).
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
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [ -f "$home/pids" ] && xargs -r kill -0 <"$home/pids" 2>/dev/null; then
  echo "up.sh: a local deployment is already running ($home); stop it with deploy/local/down.sh" >&2
  exit 1
fi

# The services each county runs, with their port offsets from the county's base
# (the metrics endpoint is 10 above) and the flags only that service takes.
services=(registry contact education appraisal)
declare -A port_of=([registry]=1 [contact]=2 [education]=3 [appraisal]=4)
# Contact: the lost-contact sweep runs every 5 s. Appraisal: R6 runs and dues
# arrears count from January of the county's year (the deployment keeps no
# earlier records).
declare -A extra_flags=([registry]="--identity_key_file=@home@/identity.key"
  [contact]="--sweep_interval=5s" [education]=""
  [appraisal]="--records_from=$(TZ=Asia/Shanghai date +%Y)-01")

# Builds (as tools/build.sh does) only what the deployment runs, so that a test
# being edited elsewhere in the tree cannot stop the main job.
if [ "${LIANXIN_NO_BUILD:-0}" != 1 ]; then
  "$root/tools/setup.sh"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "${LIANXIN_JOBS:-2}" --target lianxin-broker lxscenario lxctl lxaudit lxkeys "${services[@]}" lxgateway console oversight lxoversight
fi
# Tokens, keys, personal data and logs: readable by their owner only.
umask 077
mkdir -p "$home"
# A data directory from an older up.sh holds the scenario without the day it was planned for,
# so loading it again would send other content under the same request ids.
if [ -d "$home/654322" ] && [ ! -s "$home/scenario.loaded" ] && [ ! -s "$home/scenario.today" ]; then
  echo "up.sh: $home holds data from an older up.sh (no scenario.loaded); remove it" \
    "(deploy/local/down.sh; rm -rf $home) or choose another LIANXIN_HOME" >&2
  exit 1
fi
[ -d "$home/654322" ] || [ -s "$home/scenario.today" ] || TZ=Asia/Shanghai date +%F >"$home/scenario.today"
chmod 700 "$home"
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

# One operator token per county (128 random bits), kept across runs in
# operator-tokens.txt (for the endpoints file); the services' token file holds
# only their SHA-256 digests (libs/runtime/auth.h).
operator_tokens=$home/operator-tokens.txt
tokens=$home/tokens.txt
if [ ! -s "$operator_tokens" ]; then
  if [ -s "$tokens" ] && ! grep -q '^sha256:' "$tokens"; then
    mv "$tokens" "$operator_tokens"  # a deployment from before digests: keep its tokens
  else
    {
      echo "# token operator_id jurisdiction role"
      for county in "${counties[@]}"; do
        IFS='|' read -r code name base <<<"$county"
        echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') operator-$code $code operator"
      done
    } >"$operator_tokens"
  fi
fi
# Each county's gateway acts for one member at a time on the member page with a
# member-proxy token of its own (auth.h); added to a deployment from before it.
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  if ! awk -v c="$code" '$3 == c && $4 == "member-proxy" {found = 1} END {exit !found}' "$operator_tokens"; then
    echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') member-page-$code $code member-proxy" >>"$operator_tokens"
  fi
done
# The oversight's reader (issue 20): a principal of the whole deployment, read-only.
if ! awk '$3 == "000000" {found = 1} END {exit !found}' "$operator_tokens"; then
  echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') oversight-reader 000000 readonly" >>"$operator_tokens"
fi
chmod 600 "$operator_tokens"
{
  echo "# digest operator_id jurisdiction role"
  grep -v '^#' "$operator_tokens" | while read -r token rest; do
    if [ -n "$token" ]; then
      echo "sha256:$(printf %s "$token" | sha256sum | cut -d' ' -f1) $rest"
    fi
  done
} >"$tokens"
chmod 600 "$tokens"

# The deployment's key for ID-number hashes (R18), kept across runs: member
# ids are derived from the hashes, so a new key would register everyone anew.
identity_key=$home/identity.key
if [ ! -s "$identity_key" ]; then
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$identity_key")
fi

# Trust between counties (docs/architecture.md): on first start, a root key (in a real
# deployment the prefecture's, kept off these hosts) and one signing key per county,
# files readable by their owner only; the root signs the county directory that every
# service checks consumed events against. Kept across runs: the logs' signatures name them.
keys=$home/keys
if [ ! -s "$keys/directory.bin" ]; then
  (umask 077 && mkdir -p "$keys")
  [ -s "$keys/root.key" ] || "$bin/lxkeys" create --out "$keys/root.key" >/dev/null
  for county in "${counties[@]}"; do
    IFS='|' read -r code name base <<<"$county"
    [ -s "$keys/$code.key" ] || "$bin/lxkeys" create --out "$keys/$code.key" >/dev/null
    "$bin/lxkeys" add --root_key "$keys/root.key" --directory "$keys/directory.bin" \
      --key "$keys/$code.key.pub" --jurisdiction "$code" --issuer "local root" >/dev/null
  done
fi
trust_flags() {  # the trust flags of county $1
  echo "--signing_key=$keys/$1.key --trust_root=$keys/root.key.pub" \
    "--key_directory=$keys/directory.bin --anchor_interval=2s"
}
# The local CA and the certificates, kept across runs (made on first start).
tls=$home/tls
if [ ! -s "$tls/client.pem" ]; then
  command -v openssl >/dev/null || { echo "up.sh: openssl is missing (tools/setup.sh)" >&2; exit 1; }
  rm -rf "$tls"
  mkdir -p "$tls"
  ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  # shellcheck disable=SC2086  # $ec is words
  openssl req -x509 $ec -days 3650 -subj "/O=lianxin local/CN=lianxin local CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>"$tls/openssl.log"
  # issue NAME SUBJECT_ALT_NAMES EXTENDED_KEY_USAGE: NAME.key and NAME.pem signed by the CA.
  issue() {
    # shellcheck disable=SC2086
    openssl req -new $ec -subj "/O=lianxin local/CN=$1" -keyout "$tls/$1.key" -out "$tls/$1.csr" \
      2>>"$tls/openssl.log"
    openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
      -days 825 -out "$tls/$1.pem" 2>>"$tls/openssl.log" \
      -extfile <(printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "$3")
    rm -f "$tls/$1.csr"
  }
  issue server "DNS:localhost,IP:127.0.0.1" serverAuth
  # The tools' certificate names no principal (auth.h): their tokens do.
  issue client "DNS:lianxin-local-tools" clientAuth
  chmod 600 "$tls"/*.key
fi
tls_flags="--tls_cert=$tls/server.pem --tls_key=$tls/server.key --tls_ca=$tls/ca.pem"

# lianxin-broker (librdkafka's mock cluster) holds a consumer's fetch for the whole
# fetch.wait.max.ms even when data arrives meanwhile (a real broker answers at once):
# a short wait keeps cross-county lag in milliseconds.
embedded_broker_config="fetch.wait.max.ms=5"

# Each county's services on their fixed loopback ports, data in $home/<code>.
declare -A service_pid
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  mkdir -p "$home/$code"
  # The county's own settings (R1, R4, R8, R12, R14, R16), when it has a file.
  county_settings=""
  [ -f "$root/deploy/local/settings/$code.settings" ] &&
    county_settings="--county_settings=$root/deploy/local/settings/$code.settings"
  for service in "${services[@]}"; do
    port=$((base + ${port_of[$service]}))
    # shellcheck disable=SC2086  # extra flags are words
    setsid "$bin/$service" --jurisdiction="$code" --data_dir="$home/$code" \
      --listen="127.0.0.1:$port" --metrics_address="127.0.0.1:$((port + 10))" \
      --tokens_file="$tokens" --kafka_brokers="$kafka" --kafka_config="$embedded_broker_config" \
      --counties_on_lianxin="$on_lianxin" $county_settings $(trust_flags "$code") $tls_flags \
      ${extra_flags[$service]//@home@/$home} \
      >"$home/$service-$code.out" 2>"$home/$service-$code.log" </dev/null &
    service_pid[$service-$code]=$!
    echo $! >>"$home/pids"
  done
done
# One oversight instance over every county of the deployment (scope 000000:
# they span two provinces), reading their registry topics; port 17900 + offset.
oversight_port=$((17900 + offset))
mkdir -p "$home/oversight"
setsid "$bin/oversight" --jurisdiction=000000 --data_dir="$home/oversight" \
  --listen="127.0.0.1:$oversight_port" --metrics_address="127.0.0.1:$((oversight_port + 10))" \
  --tokens_file="$tokens" --kafka_brokers="$kafka" --kafka_config="$embedded_broker_config" \
  --counties_on_lianxin="$on_lianxin" --trust_root="$keys/root.key.pub" \
  --key_directory="$keys/directory.bin" $tls_flags \
  >"$home/oversight.out" 2>"$home/oversight.log" </dev/null &
oversight_pid=$!
echo $oversight_pid >>"$home/pids"
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  for service in "${services[@]}"; do
    wait_for_line "$home/$service-$code.out" "^listening " "${service_pid[$service-$code]}"
  done
done
wait_for_line "$home/oversight.out" "^listening " "$oversight_pid"

# Each county's gateway (HTTPS, JSON, the console) on port base + 0, with a
# local CA and one staff account per county, kept across runs.
gw=$home/gateway
if [ ! -s "$gw/ca.pem" ]; then
  mkdir -p "$gw" && chmod 700 "$gw"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=lianxin local CA" -keyout "$gw/ca.key" -out "$gw/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$gw/gateway.key" -out "$gw/gateway.csr" 2>/dev/null
  openssl x509 -req -in "$gw/gateway.csr" -CA "$gw/ca.pem" -CAkey "$gw/ca.key" -CAcreateserial \
    -days 3650 -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost') \
    -out "$gw/gateway.pem" 2>/dev/null
fi
if [ ! -s "$gw/staff.txt" ]; then
  (umask 077 && : >"$gw/staff.txt" && : >"$gw/sign-ins.txt")
  for county in "${counties[@]}"; do
    IFS='|' read -r code name base <<<"$county"
    password=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
    echo "staff-$code operator $code $(echo "$password" | "$bin/lxgateway" --hash_password) ${name}组织部" >>"$gw/staff.txt"
    echo "$code staff-$code $password" >>"$gw/sign-ins.txt"
  done
fi
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  setsid "$bin/lxgateway" --listen="127.0.0.1:$base" --tls_cert="$gw/gateway.pem" \
    --tls_key="$gw/gateway.key" --jurisdiction="$code" --jurisdiction_name="$name" \
    --registry="127.0.0.1:$((base + 1))" --contact="127.0.0.1:$((base + 2))" \
    --education="127.0.0.1:$((base + 3))" --appraisal="127.0.0.1:$((base + 4))" \
    --backend_ca="$tls/ca.pem" --backend_cert="$tls/client.pem" --backend_key="$tls/client.key" \
    --accounts_file="$gw/staff.txt" --credentials_file="$operator_tokens" --static_dir="$build/console" \
    --member_pins_file="$gw/member-pins-$code.txt" \
    >"$home/gateway-$code.out" 2>"$home/gateway-$code.log" </dev/null &
  echo $! >>"$home/pids"
  wait_for_line "$home/gateway-$code.out" "^listening " $!
done

# The endpoints file (api-contract.md, "Local deployment").
endpoints=$home/endpoints.json
{
  printf '{\n  "kafka": "%s",\n  "tokens_file": "%s",\n' "$kafka" "$tokens"
  printf '  "tls_ca": "%s",\n  "tls_cert": "%s",\n  "tls_key": "%s",\n  "counties": {' \
    "$tls/ca.pem" "$tls/client.pem" "$tls/client.key"
  sep=""
  for county in "${counties[@]}"; do
    IFS='|' read -r code name base <<<"$county"
    token=$(awk -v c="$code" '$3 == c && $4 == "operator" {print $1; exit}' "$operator_tokens")
    printf '%s\n    "%s": {\n      "name": "%s",\n      "token": "%s",\n' "$sep" "$code" "$name" "$token"
    for service in "${services[@]}"; do
      printf '      "%s": "127.0.0.1:%d",\n' "$service" "$((base + ${port_of[$service]}))"
    done
    printf '      "gateway": "https://127.0.0.1:%d",\n' "$base"
    printf '      "data_dir": "%s"\n    }' "$home/$code"
    sep=","
  done
  printf '\n  }\n}\n'
} >"$endpoints"
chmod 600 "$endpoints"
# lxctl and lxaudit find it from any directory through the per-user standard path.
user_endpoints=${XDG_CONFIG_HOME:-$HOME/.config}/lianxin/endpoints.json
mkdir -p "$(dirname "$user_endpoints")" && ln -sfn "$endpoints" "$user_endpoints"

echo "lianxin local deployment is up"
echo "  kafka:     $kafka"
echo "  endpoints: $endpoints (tokens and TLS files; mode 0600; linked from $user_endpoints)"
echo "  tls:       mutual TLS, CA $tls/ca.pem, tools' certificate $tls/client.pem"
echo "  logs:      $home/*.log"
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  line="  county $code $name:"
  for service in "${services[@]}"; do
    line+=" $service 127.0.0.1:$((base + ${port_of[$service]})),"
  done
  echo "$line data in $home/$code"
done
echo "  console (CA $gw/ca.pem; sign-ins in $gw/sign-ins.txt):"
for county in "${counties[@]}"; do
  IFS='|' read -r code name base <<<"$county"
  read -r _ user password < <(grep "^$code " "$gw/sign-ins.txt")
  echo "    $name https://127.0.0.1:$base/  user $user  password $password"
done

# The Fuyun scenario, loaded through the registries' gRPC API (idempotent).
# lxctl prints the statistics when it is built; lxscenario does otherwise.
lxctl=$bin/lxctl
[ -x "$lxctl" ] || lxctl=""
echo
# Loaded once: the data keeps it. The plan's "today" is the day of the first attempt, so an
# attempt cut short and run again on a later day sends the very same commands (a request_id
# sent again with other content is refused, and the services' idempotency records expire).
if [ -s "$home/scenario.loaded" ]; then
  echo "the Fuyun scenario was loaded on $(cat "$home/scenario.loaded") and is kept in the data; not loading it again"
else
  [ -s "$home/scenario.today" ] || TZ=Asia/Shanghai date +%F >"$home/scenario.today"
  "$bin/lxscenario" fuyun --endpoints "$endpoints" --seed 1 --today "$(cat "$home/scenario.today")" \
    --statistics="$([ -n "$lxctl" ] && echo false || echo true)" | tee "$home/scenario.out"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "up.sh: lxscenario failed" >&2; stop_all; exit 1; }
  cp "$home/scenario.today" "$home/scenario.loaded"
fi

# The member page: a demo member of Fuyun away from home, whose 连心卡 PIN the
# county's operator sets through the gateway's real command (SetMemberPin, with
# the staff sign-in above), once; kept in $gw/member-sign-in.txt (0600).
origin_code=${counties[0]%%|*}
origin_base=${counties[0]##*|}
member_sign_in=$gw/member-sign-in.txt
if [ ! -s "$member_sign_in" ]; then
  read -r _ user password < <(grep "^$origin_code " "$gw/sign-ins.txt")
  gateway_url=https://127.0.0.1:$origin_base
  jar=$(mktemp) && chmod 600 "$jar"
  staff=$(curl -sS --cacert "$gw/ca.pem" -c "$jar" -H 'Content-Type: application/json' \
    --data-binary "{\"username\": \"$user\", \"password\": \"$password\"}" \
    "$gateway_url/lianxin.gateway.v1.StaffSession/SignIn" || true)
  csrf=$(printf %s "$staff" | grep -o '"csrfToken":"[0-9a-f]*"' | cut -d'"' -f4)
  member=$(curl -sS --cacert "$gw/ca.pem" -b "$jar" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" --data-binary "{\"jurisdiction\": \"$origin_code\", \"direction\": \"DIRECTION_OUTFLOW\", \"status\": \"MEMBER_STATUS_OUTFLOW_RECEIVED\", \"pageSize\": 1}" \
    "$gateway_url/lianxin.v1.Registry/ListMembers" | grep -o '"memberId":"[^"]*"' | head -1 | cut -d'"' -f4)
  pin=$(printf '%06d' $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' \n') % 1000000)))
  if [ -n "$member" ] && curl -sSf --cacert "$gw/ca.pem" -b "$jar" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" --data-binary "{\"memberId\": \"$member\", \"pin\": \"$pin\"}" \
    "$gateway_url/lianxin.gateway.v1.MemberPins/SetMemberPin" >/dev/null; then
    (umask 077 && echo "$origin_code $member $pin" >"$member_sign_in")
  else
    echo "up.sh: the demo member's PIN could not be set (the deployment stays up)" >&2
  fi
  rm -f "$jar"
fi
if [ -s "$member_sign_in" ]; then
  read -r _ member pin <"$member_sign_in"
  echo "  member page (phone-sized; $member_sign_in):"
  echo "    https://127.0.0.1:$origin_base/#/m  member code $member  PIN $pin"
fi

if [ -n "$lxctl" ]; then
  # show TITLE ARGS...: runs lxctl against the deployment, under a "$ lxctl …" line.
  show() {
    echo
    echo "\$ lxctl $*"
    "$lxctl" "$@" --endpoints "$endpoints" ||
      echo "up.sh: lxctl $1 failed (the deployment stays up)" >&2
  }
  origin=${counties[0]%%|*}
  # The sweeper flags the members the scenario left silent (R5); the registries
  # then flag them at both sides.
  for _ in $(seq 300); do
    "$lxctl" lost-contact --json --endpoints "$endpoints" --county "$origin" 2>/dev/null |
      grep -q member_id &&
      "$lxctl" stats --json --endpoints "$endpoints" --county "$origin" 2>/dev/null |
      grep -Eq '"lost_contact_count": "?[1-9]' && break
    sleep 0.2
  done
  for county in "${counties[@]}"; do
    show stats --county "${county%%|*}"
  done

  # Contact tracking of the origin: the hotline and contact figures of the
  # scenario's year (R14: the survey's 302 / 136 / 52), overdue and lost members.
  show contact-stats --county "$origin" --from "$(date -u -d "now + 8 hours - 1 year + 1 day" +%F)"
  show overdue --county "$origin"
  show lost-contact --county "$origin"
  # Liaisons who have not reported to the branch for the last quarter (issue 16).
  show missing-liaison-reports --county "$origin"
  # R2 owed again by the member transferred in then away (issue 16): due in
  # six months, so listed as of then.
  show certificate-checks --county "$origin" --as-of "$(date -u -d "now + 8 hours + 200 days" +%F)"

  # Education of the origin: who is below the yearly floor (R12), who still owes
  # pre-departure education, and the Spring Festival sessions.
  show below-floor --county "$origin"
  show pre-departure-due --county "$origin"
  window=$(grep -o '([0-9]\{4\}-[0-9][0-9]-[0-9][0-9] to [0-9]\{4\}-[0-9][0-9]-[0-9][0-9])' \
    "$home/scenario.out" | head -1 | tr -d '()')
  if [ -n "$window" ]; then
    show list-sessions --county "$origin" --from "${window%% to *}" --to "${window##* to }"
  fi

  # The origin's year-end appraisal, and its notices received where members are away.
  year=$(TZ=Asia/Shanghai date +%Y)
  show appraisal-sheet --county "$origin" --year "$year"
  show dues-arrears --county "$origin"
  show lapse-candidates --county "$origin"
  for county in "${counties[@]:1}"; do
    show appraisal-notices --county "${county%%|*}" --year "$year"
  done

  for county in "${counties[@]:1}"; do
    # Flags decided after the registries' stream settled may still travel.
    for _ in $(seq 50); do
      "$lxctl" reconcile --endpoints "$endpoints" --origin "$origin" \
        --destination "${county%%|*}" >/dev/null 2>&1 && break
      sleep 0.2
    done
    show reconcile --origin "$origin" --destination "${county%%|*}"
  done
fi
# Above the counties (issue 20): the oversight's figures at every level and the
# members nobody manages (两不管), once it has read what the scenario wrote.
if [ -x "$bin/lxoversight" ]; then
  echo
  echo "\$ lxoversight --scope 000000   # the oversight over the deployment's counties"
  awk '$3 == "000000" {print $1; exit}' "$operator_tokens" >"$home/oversight.token"
  chmod 600 "$home/oversight.token"
  for _ in $(seq 100); do
    "$bin/lxoversight" --address="127.0.0.1:$oversight_port" --scope=000000 \
      --token_file="$home/oversight.token" --tls_ca="$tls/ca.pem" --tls_cert="$tls/client.pem" \
      --tls_key="$tls/client.key" 2>/dev/null | grep -q " 654322 .*流出 *[1-9]" && break
    sleep 0.2
  done
  "$bin/lxoversight" --address="127.0.0.1:$oversight_port" --scope=000000 \
    --token_file="$home/oversight.token" --tls_ca="$tls/ca.pem" --tls_cert="$tls/client.pem" \
    --tls_key="$tls/client.key" || echo "up.sh: lxoversight failed (the deployment stays up)" >&2
fi
# The audit: every log's hash chain, and every projection rebuilt from its log.
if [ -x "$bin/lxaudit" ]; then
  echo
  echo "\$ lxkeys show   # the county key directory, signed by the root"
  "$bin/lxkeys" show --directory "$keys/directory.bin" --root "$keys/root.key.pub" ||
    echo "up.sh: the key directory does not verify" >&2
  echo
  echo "\$ lxaudit verify --anchors && lxaudit replay"
  { "$bin/lxaudit" verify --anchors --endpoints "$endpoints" &&
    "$bin/lxaudit" replay --endpoints "$endpoints" | grep -v ' digest '; } ||
    echo "up.sh: lxaudit reported a problem (the deployment stays up)" >&2
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
