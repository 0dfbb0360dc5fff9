#!/usr/bin/env bash
# Makes what docker-compose.yml mounts from ./secrets: a CA, a PEM certificate
# and key per Kafka node and per county (SAN = the compose service names), the
# SCRAM passwords, each county's API tokens (digests for the services, the
# tokens for the operators) and identity key. Files 0600.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets && cd secrets
[ -f ca.pem ] || openssl req -x509 -newkey ed25519 -nodes -days 825 -subj "/CN=lianxin compose CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
cert() {  # cert NAME SAN...
  local name=$1; shift
  [ -f "$name.pem" ] && return
  local san; san=$(printf 'DNS:%s,' "$@"); san=${san%,}
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=%s\n' "$san") -out "$name.pem" 2>/dev/null
  cat "$name.pem" "$name.key" > "$name.bundle.pem"   # Kafka's PEM keystore: cert then key
  rm -f "$name.csr"
}
for n in 1 2 3; do cert "kafka-$n" "kafka-$n"; done
cert admin admin
for c in 654322 650102 440305; do
  cert "lianxin-$c" "registry-$c" "contact-$c" "education-$c" "appraisal-$c"
  [ -f "scram-$c" ] || openssl rand -hex 24 > "scram-$c"
  [ -f "identity-$c.key" ] || openssl rand -hex 32 > "identity-$c.key"
  # The services' token file holds digests, `sha256:<hex> operator_id county role`
  # (libs/runtime/auth.h); the token itself goes to the operator, in operator-token-CODE.
  if [ ! -f "tokens-$c" ] || ! grep -q '^sha256:' "tokens-$c"; then
    [ -f "operator-token-$c" ] || openssl rand -hex 16 > "operator-token-$c"
    token=$(cat "operator-token-$c")
    printf 'sha256:%s operator-%s %s operator\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" \
      "$c" "$c" > "tokens-$c"
  fi
done
[ -f scram-admin ] || openssl rand -hex 24 > scram-admin
echo "secrets in $(pwd)"
