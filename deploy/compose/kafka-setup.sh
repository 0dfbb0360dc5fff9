#!/bin/bash
# Run once by docker compose (service kafka-setup) as the cluster's admin over mTLS:
# the counties' SCRAM users, then the ACLs that `lxkafka acls` wrote to /acls/acls.sh.
set -euo pipefail
export PATH=/opt/kafka/bin:$PATH
BOOTSTRAP=kafka-1:9092,kafka-2:9092,kafka-3:9092
ADMIN_CONFIG=/tmp/admin.properties
cat > "$ADMIN_CONFIG" <<PROPS
security.protocol=SSL
ssl.keystore.type=PEM
ssl.keystore.location=/secrets/admin.bundle.pem
ssl.truststore.type=PEM
ssl.truststore.location=/secrets/ca.pem
PROPS
until kafka-broker-api-versions.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" >/dev/null 2>&1; do
  sleep 2
done
for code in ${COUNTIES//,/ }; do
  kafka-configs.sh --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --alter \
    --add-config "SCRAM-SHA-512=[password=$(cat "/secrets/scram-$code")]" \
    --entity-type users --entity-name "lianxin-$code"
done
until [ -s /acls/acls.sh ]; do sleep 2; done
export BOOTSTRAP ADMIN_CONFIG
bash /acls/acls.sh
