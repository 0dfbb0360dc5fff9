#!/usr/bin/env bash
# Counties on their own hosts: Linux network namespaces on this machine make one host
# for the broker, one per county (three) and one for a province operator, each with
# its own address on a private bridge and nothing on loopback. Every county's four
# services listen on its host's address with TLS; lxscenario, lxctl and lxaudit run
# from the operator's host. The Fuyun scenario loads, the counties reconcile with 0
# disagreements; then one county's host loses every process (kill -9), the other
# counties keep working meanwhile, and once it is back everything converges again.
# Last, one county is cut off from the network for a minute while its office keeps
# working on its host; on healing its outbox drains and the counties converge.
#
# Usage (ctest, label netns): netns_test.sh BIN_DIR SOURCE_DIR PYTHON_STUBS_DIR
# Exits 77 (skipped) where namespaces cannot be made (not root, no ip netns).
set -euo pipefail
bin=${1:?bin dir}; src=${2:?source dir}; py_gen=${3:?dir of the Python stubs}
tag=lx$$
subnet=10.77.$(($$ % 200 + 20))
work=$(mktemp -d /tmp/lianxin-netns.XXXXXX)
chmod 700 "$work"

log() { echo "netns_test: $*"; }
skip() { echo "netns_test: SKIPPED: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
ip netns add "$tag-probe" 2>/dev/null || skip "this machine does not allow network namespaces"
ip netns del "$tag-probe"

hosts=(kafka c654322 c650102 c440305 op)
declare -A addr=([kafka]=$subnet.2 [c654322]=$subnet.11 [c650102]=$subnet.12 [c440305]=$subnet.13 [op]=$subnet.100)
counties=(654322 650102 440305)
services=(registry contact education appraisal)

cleanup() {
  set +e
  for h in "${hosts[@]}"; do
    pids=$(ip netns pids "$tag-$h" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  done
  sleep 0.2
  for h in "${hosts[@]}" br; do ip netns del "$tag-$h" 2>/dev/null; done
  if [ "${keep:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'keep=1' ERR

# The network: a bridge in its own namespace, one veth pair per host.
declare -A bridge_port
ip netns add "$tag-br"
ip -n "$tag-br" link add br0 type bridge
ip -n "$tag-br" link set br0 up
i=0
for h in "${hosts[@]}"; do
  i=$((i + 1))
  ip netns add "$tag-$h"
  ip link add "$tag-$i-h" type veth peer name "$tag-$i-b"
  ip link set "$tag-$i-h" netns "$tag-$h"
  ip link set "$tag-$i-b" netns "$tag-br"
  ip -n "$tag-br" link set "$tag-$i-b" master br0 up
  bridge_port[$h]=$tag-$i-b
  ip -n "$tag-$h" link set "$tag-$i-h" name eth0
  ip -n "$tag-$h" addr add "${addr[$h]}/24" dev eth0
  ip -n "$tag-$h" link set eth0 up
  ip -n "$tag-$h" link set lo up   # for the processes' own use only; nothing listens there
done
on() { local h=$1; shift; ip netns exec "$tag-$h" "$@"; }
for h in "${hosts[@]}"; do on op ping -c1 -W2 "${addr[$h]}" >/dev/null || { log "no route to $h"; exit 1; }; done
log "hosts up on $subnet.0/24: ${hosts[*]}"

# TLS: a CA, and per county a server certificate naming its host's address.
(
  cd "$work" && umask 077
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lianxin netns CA" -keyout ca.key -out ca.pem 2>/dev/null
  for c in "${counties[@]}"; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=county-$c" -keyout "$c.key" -out "$c.csr" 2>/dev/null
    openssl x509 -req -in "$c.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile <(printf 'subjectAltName=IP:%s\n' "${addr[c$c]}") -out "$c.pem" 2>/dev/null
  done
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >identity.key
  # The operator's tokens (for the endpoints file); the services get only their digests.
  { echo "# token operator_id jurisdiction role"
    for c in "${counties[@]}"; do echo "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') operator-$c $c operator"; done
  } >operator-tokens.txt
  grep -v '^#' operator-tokens.txt | while read -r token rest; do
    printf 'sha256:%s %s\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" "$rest"
  done >tokens.txt
)

# The broker's host.
kafka_ports=9092,9093,9094
on kafka "$bin/lianxin-broker" --brokers 3 --listen_address "${addr[kafka]}" --ports "$kafka_ports" \
  >"$work/broker.out" 2>"$work/broker.log" </dev/null &
for _ in $(seq 100); do [ -s "$work/broker.out" ] && break; sleep 0.1; done
bootstrap=$(head -n1 "$work/broker.out")
[[ $bootstrap == ${addr[kafka]}:* ]] || { log "broker did not come up on ${addr[kafka]}: $bootstrap"; cat "$work/broker.log"; exit 1; }

declare -A port_of=([registry]=7101 [contact]=7102 [education]=7103 [appraisal]=7104)
start_county() {  # start_county CODE: the county's four services on its host
  local c=$1
  mkdir -p "$work/$c"
  for s in "${services[@]}"; do
    local extra=()
    case $s in
      registry) extra=(--identity_key_file="$work/identity.key") ;;
      contact) extra=(--sweep_interval=5s) ;;
      appraisal) extra=(--records_from="$(TZ=Asia/Shanghai date +%Y)-01") ;;
    esac
    on "c$c" "$bin/$s" --jurisdiction="$c" --data_dir="$work/$c" \
      --listen="${addr[c$c]}:${port_of[$s]}" --metrics_address="${addr[c$c]}:$((port_of[$s] + 10))" \
      --tls_cert="$work/$c.pem" --tls_key="$work/$c.key" \
      --tokens_file="$work/tokens.txt" --kafka_brokers="$bootstrap" --kafka_config=fetch.wait.max.ms=5 \
      --counties_on_lianxin="$(IFS=,; echo "${counties[*]}")" "${extra[@]}" \
      >"$work/$s-$c.out" 2>>"$work/$s-$c.log" </dev/null &
  done
  for s in "${services[@]}"; do
    for _ in $(seq 300); do grep -q '^listening ' "$work/$s-$c.out" 2>/dev/null && break; sleep 0.1; done
    grep -q '^listening ' "$work/$s-$c.out" || { log "$s of $c did not start"; tail -5 "$work/$s-$c.log"; exit 1; }
  done
}
for c in "${counties[@]}"; do start_county "$c"; done

# Nothing listens on loopback, everything on the host's own address.
for c in "${counties[@]}"; do
  listening=$(on "c$c" ss -ltnH | awk '{print $4}')
  if grep -qE '^(127\.|\[::1\]|\*|0\.0\.0\.0)' <<<"$listening"; then
    log "county $c listens off its address: $listening"; exit 1
  fi
  # gRPC shows its listeners as IPv4-mapped IPv6 addresses.
  [ "$(grep -cE "^(\[::ffff:)?${addr[c$c]//./\\.}\]?:" <<<"$listening")" -ge 8 ] ||
    { log "county $c: $listening"; exit 1; }
done
log "12 services up with TLS, each on its county's address only"

# What the province's Prometheus scrapes across the network: the served certificate's expiry
# (made above for 2 days), the input of the LianxinCertificateExpiring alert.
expiry=$(on op curl -sf "http://${addr[c654322]}:$((port_of[registry] + 10))/metrics" |
  awk '$1 == "lianxin_tls_certificate_expiry_timestamp_seconds" {print int($2)}')
now=$(date +%s)
if [ -z "$expiry" ] || [ "$expiry" -lt $((now + 86400)) ] || [ "$expiry" -gt $((now + 2 * 86400 + 60)) ]; then
  log "county 654322's certificate expiry gauge: '$expiry' (now $now)"; exit 1
fi
log "654322's registry reports its certificate expires at $(date -u -d "@$expiry" +%FT%TZ)"

# The operator's endpoints file: addresses on the network, the CA, one token per county.
endpoints=$work/endpoints.json
{
  printf '{\n  "kafka": "%s",\n  "tls_ca": "%s",\n  "counties": {' "$bootstrap" "$work/ca.pem"
  sep=""
  for c in "${counties[@]}"; do
    token=$(awk -v c="$c" '$3 == c {print $1}' "$work/operator-tokens.txt")
    printf '%s\n    "%s": {"name": "%s", "token": "%s", "data_dir": "%s"' "$sep" "$c" "$c" "$token" "$work/$c"
    for s in "${services[@]}"; do printf ', "%s": "%s:%d"' "$s" "${addr[c$c]}" "${port_of[$s]}"; done
    printf '}'
    sep=","
  done
  printf '\n  }\n}\n'
} >"$endpoints"
chmod 600 "$endpoints"
export LIANXIN_ENDPOINTS=$endpoints

reconciled() {  # reconciled: every partner agrees with Fuyun, within 90 s
  for c in 650102 440305; do
    local ok=0
    for _ in $(seq 90); do
      if on op "$bin/lxctl" reconcile --origin 654322 --destination "$c" >"$work/reconcile-$c.out" 2>&1; then ok=1; break; fi
      sleep 1
    done
    [ $ok = 1 ] || { log "654322 and $c disagree:"; tail -5 "$work/reconcile-$c.out"; return 1; }
    log "654322 and $c: $(tail -n1 "$work/reconcile-$c.out")"
  done
}

log "loading the Fuyun scenario from the operator's host"
on op "$bin/lxscenario" fuyun --seed 1 --statistics=false >"$work/scenario.out" 2>"$work/scenario.err" ||
  { log "lxscenario failed"; tail -20 "$work/scenario.err"; exit 1; }
stats=$(on op "$bin/lxctl" --county 654322 stats)
grep -Eq 'outflow[^0-9]*24\b' <<<"$stats" || { log "Fuyun's statistics: $stats"; exit 1; }
grep -Eq 'inflow[^0-9]*91\b' <<<"$stats" || { log "Fuyun's statistics: $stats"; exit 1; }
reconciled

# Tianshan's host loses every process at once.
log "killing every process on county 650102's host"
kill -9 $(ip netns pids "$tag-c650102")
sleep 0.5
[ -z "$(ip netns pids "$tag-c650102")" ] || { log "processes survived on 650102"; exit 1; }
# Meanwhile Fuyun keeps working: a member leaves for Tianshan.
member=$(on op "$bin/lxctl" --county 654322 register-member --name 阿依古丽·吐尔逊 \
  --id-number 654322199203150026 --branch 杜热乡党支部 --gender FEMALE --birth-date 1992-03-15 \
  --category FARMER --phone 13899001234 --joined-on 2015-07-01 | awk '{print $1}')
on op "$bin/lxctl" --county 654322 outflow "$member" --to 650102 --address 乌鲁木齐市天山区解放南路 \
  --occupation 餐饮服务 --left-on "$(TZ=Asia/Shanghai date +%F)" \
  --expected-return-on "$(TZ=Asia/Shanghai date -d "+1 year" +%F)" --contact-phone 13899001234 >/dev/null
log "registered $member at 654322 and its outflow to 650102 while 650102 was down"

start_county 650102
log "county 650102's host is back"
reconciled
got=$(on op "$bin/lxctl" --county 650102 get "$member")
grep -q 'INFLOW_EXPECTED' <<<"$got" || { log "650102 does not expect $member: $got"; exit 1; }

# Fuyun cut off from the province's network for a minute (its host's link to the
# bridge down): its own office, on its host, keeps registering members and sending
# them to Tianshan, and every command is answered; Tianshan keeps working too. On
# healing, Fuyun's outbox drains and the counties converge.
id_number() {  # id_number SEQ: a valid 18-digit ID number born 1977-11-23, sequence SEQ (odd: male)
  local body digits w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
  body=65432219771123$(printf '%03d' "$1")
  for i in $(seq 0 16); do sum=$((sum + ${body:i:1} * w[i])); done
  digits=10X98765432
  echo "$body${digits:sum % 11:1}"
}
metric() {  # metric FROM_HOST COUNTY SERVICE NAME: a gauge of a county's service, read from a host
  on "$1" curl -sf "http://${addr[c$2]}:$((port_of[$3] + 10))/metrics" |
    awk -v n="$4" '$1 == n {v = int($2)} END {print v}'  # reads it all: curl must not see a closed pipe
}
cut_seconds=${LIANXIN_CUT_SECONDS:-60}
ip -n "$tag-br" link set "${bridge_port[c654322]}" down
log "county 654322 cut off from the network for ${cut_seconds}s"
on op ping -c1 -W1 "${addr[c654322]}" >/dev/null 2>&1 && { log "654322 is still reachable"; exit 1; }
today=$(TZ=Asia/Shanghai date +%F)
acked=()
end=$((SECONDS + cut_seconds))
seq_no=1
while [ $SECONDS -lt $end ]; do
  m=$(on c654322 "$bin/lxctl" --county 654322 register-member --name "断网登记$seq_no" \
    --id-number "$(id_number "$seq_no")" --branch 杜热乡党支部 --gender MALE --birth-date 1977-11-23 \
    --category FARMER --phone 13899005678 --joined-on 2001-07-01 | awk '{print $1}')
  [ -n "$m" ] || { log "654322 refused a registration while cut off"; exit 1; }
  on c654322 "$bin/lxctl" --county 654322 outflow "$m" --to 650102 --address 乌鲁木齐市天山区解放南路 \
    --occupation 建筑 --left-on "$today" --expected-return-on "$(TZ=Asia/Shanghai date -d "+1 year" +%F)" \
    --contact-phone 13899005678 >/dev/null || { log "654322 refused the outflow of $m while cut off"; exit 1; }
  acked+=("$m")
  seq_no=$((seq_no + 2))
done
# Meanwhile Tianshan, on the network, works as usual.
on op "$bin/lxctl" --county 650102 register-member --name 迪丽热巴 --id-number "$(id_number 2)" \
  --branch 解放南路社区党支部 --gender FEMALE --birth-date 1977-11-23 --category FARMER \
  --phone 13899007777 --joined-on 2003-07-01 >/dev/null || { log "650102 failed while 654322 was cut off"; exit 1; }
pending=$(metric c654322 654322 registry lianxin_outbox_depth)
log "while cut off, 654322 answered ${#acked[@]} registrations and outflows (${pending:-?} events waiting in its outbox)"
[ "${pending:-0}" -gt 0 ] || { log "654322's outbox should hold what it could not publish"; exit 1; }

ip -n "$tag-br" link set "${bridge_port[c654322]}" up
healed=$(date +%s%N)
last=${acked[-1]}
drained="" seen=""
for _ in $(seq 1200); do
  [ -z "$drained" ] && [ "$(metric op 654322 registry lianxin_outbox_depth)" = 0 ] && drained=$(date +%s%N)
  if [ -z "$seen" ] && on op "$bin/lxctl" --county 650102 get "$last" 2>/dev/null | grep -q INFLOW_EXPECTED; then
    seen=$(date +%s%N)
  fi
  [ -n "$drained" ] && [ -n "$seen" ] && break
  sleep 0.1
done
[ -n "$drained" ] && [ -n "$seen" ] || { log "after healing: outbox drained '${drained}', last member seen '${seen}'"; exit 1; }
log "healed: 654322's outbox drained in $(((drained - healed) / 1000000)) ms; 650102 saw the last member after $(((seen - healed) / 1000000)) ms"
reconciled
for m in "${acked[@]}"; do
  on op "$bin/lxctl" --county 650102 get "$m" | grep -q INFLOW_EXPECTED || { log "650102 never learned of $m"; exit 1; }
done
log "all ${#acked[@]} members sent while cut off are expected at 650102"
# Cross-county lag after healing, from the operator's host: an outside gRPC client
# (Python) sends members from Fuyun and polls Tianshan every millisecond.
token_of() { awk -v c="$1" '$3 == c {print $1}' "$work/operator-tokens.txt"; }
lags=$(on op /usr/bin/python3 "$src/tests/python/lag_probe.py" --gen "$py_gen" --tls_ca "$work/ca.pem" \
  --a "${addr[c654322]}:${port_of[registry]}" --a_code 654322 --a_token "$(token_of 654322)" \
  --b "${addr[c650102]}:${port_of[registry]}" --b_code 650102 --b_token "$(token_of 650102)" \
  --id_birth 1977-11-23 --id_first $((seq_no + 2)) --count 5) || { log "lag probe: $lags"; exit 1; }
log "after healing, members sent from 654322 are expected at 650102 after ${lags#lags_ms } ms"

on op "$bin/lxaudit" verify >"$work/verify.out" 2>&1 || { log "lxaudit verify failed"; tail "$work/verify.out"; exit 1; }
log "lxaudit verify: $(tail -n1 "$work/verify.out")"
log "passed"
