#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (docs/fuzzing.md).

  fuzz/make_corpus.py                     rpc_fuzzer and config_fuzzer seeds
  fuzz/make_corpus.py --consumed DIR      consume_fuzzer seeds from DIR/<topic>/*,
                                          Kafka values as kcat wrote them

rpc_fuzzer: one empty request for every RPC in proto/lianxin/v1 (from each
caller), and the requests of fuzz/seeds/rpc.txt, encoded with protoc.
config_fuzzer: the repository's own files of each kind.
Files are named by the SHA-1 of their bytes, as libFuzzer names its finds.
"""
import argparse
import hashlib
import hmac
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
PROTO_DIR = os.path.join(ROOT, "proto")
PROTOS = ["registry", "contact", "education", "appraisal"]
# fuzz/county.cc: the county, its identity key.
IDENTITY_KEY = b"fuzz-identity-key-32-bytes-long!"
COUNTY = "654322"


def write(target, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def resident_id(region, birth, sequence):
    """An 18-character resident ID number with its GB 11643 check character."""
    body = "%s%s%03d" % (region, birth.replace("-", ""), sequence % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def rpcs():
    """(service, method, request type) of every RPC."""
    for name in PROTOS:
        service = None
        with open(os.path.join(PROTO_DIR, "lianxin", "v1", name + ".proto"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*service (\w+)", line)
                if m:
                    service = m.group(1)
                m = re.match(r"\s*rpc (\w+)\((\w+)\)", line)
                if m:
                    yield service, m.group(1), m.group(2), name


def encode(proto, message, text):
    return subprocess.run(
        ["protoc", "-I", PROTO_DIR, "--encode=lianxin.v1." + message,
         "lianxin/v1/%s.proto" % proto],
        input=text.encode(), stdout=subprocess.PIPE, check=True).stdout


def rpc_seeds():
    table = {(s, m): (t, p) for s, m, t, p in rpcs()}
    for (service, method) in table:
        for caller in range(3):
            write("rpc_fuzzer", ("%s/%s\n" % (service, method)).encode() + bytes([caller]))
    id_number = resident_id(COUNTY, "1985-03-14", 17)
    member = COUNTY + "-" + hmac.new(IDENTITY_KEY, id_number.encode(), "sha256").hexdigest()[:16]
    with open(os.path.join(ROOT, "fuzz", "seeds", "rpc.txt"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            rpc, caller, text = line.rstrip("\n").split(" ", 2)
            service, method = rpc.split("/")
            message, proto = table[(service, method)]
            text = text.replace("@ID_NUMBER@", id_number).replace("@MEMBER@", member)
            write("rpc_fuzzer", ("%s\n" % rpc).encode() + bytes([int(caller)]) +
                  encode(proto, message, text))


def config_seeds():
    """One start per parser (config_fuzzer's first byte chooses it)."""
    with open(os.path.join(ROOT, "deploy/local/settings/654322.settings"), "rb") as f:
        write("config_fuzzer", bytes([2]) + f.read())
    write("config_fuzzer", bytes([0]) + (
        '{"kafka": "127.0.0.1:19092", "counties": {"654322": {"name": "富蕴县", "token": "t", '
        '"registry": "127.0.0.1:17101", "contact": "127.0.0.1:17102", "tls_ca": "tls/ca.pem", '
        '"tls_cert": "tls/client.pem", "tls_key": "tls/client.key"}}}').encode())
    write("config_fuzzer", bytes([1]) + encode("trust", "KeyDirectory", (
        'serial: 3 issued_at { seconds: 1780000000 } issuer: "prefecture 6543" '
        'keys { key_id: "0011223344556677" jurisdiction: "654322" service: "registry" '
        'public_key: "0123456789abcdef0123456789abcdef" valid_from { seconds: 1700000000 } '
        'revoked_from { seconds: 1790000000 } }')))
    write("config_fuzzer", bytes([2]) + b"report_after_months = 6\nservice_month = 5\n")
    write("config_fuzzer", bytes([3]) + (
        "# token file\nsha256:" + hashlib.sha256(b"t").hexdigest() +
        " op1 654322 operator\nsha256:" + hashlib.sha256(b"u").hexdigest() +
        " viewer 650102 readonly\n").encode())
    write("config_fuzzer", bytes([4]) + (
        "# staff accounts\nwang operator 654322 scrypt$16384$8$1$c2FsdA$aGFzaA 王芳\n"
        "cert:gov-system readonly 654322 - 人社局\n").encode())


# The topics each service of 654322 consumes, in the order of its Topics()
# (services/*/reactions.cc): consume_fuzzer's second byte.
CONSUMED = [
    ["lx.654322.inbox.v1", "lx.identity.v1", "lx.654322.contact.v1", "lx.654322.appraisal.v1"],
    ["lx.654322.registry.v1", "lx.654322.inbox.v1"],
    ["lx.654322.registry.v1", "lx.654322.inbox.v1"],
    ["lx.654322.registry.v1", "lx.654322.contact.v1", "lx.654322.education.v1",
     "lx.654322.inbox.v1"],
]


def consumed_seeds(directory, per_topic):
    for service, topics in enumerate(CONSUMED):
        for index, topic in enumerate(topics):
            source = os.path.join(directory, topic)
            if not os.path.isdir(source):
                continue
            for name in sorted(os.listdir(source))[:per_topic]:
                with open(os.path.join(source, name), "rb") as f:
                    value = f.read()
                for signing in (0, 1):
                    write("consume_fuzzer", bytes([service, index, signing]) + value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consumed", help="a directory of Kafka values, one folder per topic")
    parser.add_argument("--per_topic", type=int, default=12)
    args = parser.parse_args()
    rpc_seeds()
    config_seeds()
    if args.consumed:
        consumed_seeds(args.consumed, args.per_topic)
    for target in sorted(os.listdir(CORPUS)):
        print("%s: %d inputs" % (target, len(os.listdir(os.path.join(CORPUS, target)))))


if __name__ == "__main__":
    sys.exit(main())
