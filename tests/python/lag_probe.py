#!/usr/bin/python3
"""Cross-county lag seen by an outside client: a member registered and sent from
county A to county B, and B polled until it expects the member.

  lag_probe.py --gen DIR --a HOST:PORT --a_code 654322 --a_token T
               --b HOST:PORT --b_code 650102 --b_token T --tls_ca CA.pem
               --id_birth 1977-11-23 --id_first 501 --count 5

Channels are opened once and kept, and B is polled every millisecond, so the
figure is the lag from A's answer to B's first answer showing the member (plus
at most one poll). Prints one line, "lags_ms 12.3 4.5 ..."; exits 1 if B does
not expect a member within --timeout seconds.
"""

import argparse
import datetime
import os
import sys
import time

from lianxin_channel import add_tls_arguments, open_channel


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("gen", "a", "a_code", "a_token", "b", "b_code", "b_token", "id_birth"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--id_first", type=int, required=True,
                   help="sequence of the first member's ID number (odd: male); then +2 each")
    p.add_argument("--count", type=int, default=5)
    p.add_argument("--timeout", type=float, default=10.0)
    add_tls_arguments(p)
    return p.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.gen)

import grpc  # noqa: E402
from lianxin.v1 import registry_pb2 as pb  # noqa: E402
from lianxin.v1 import registry_pb2_grpc as pb_grpc  # noqa: E402


def resident_id(region, birth, sequence):
    body = "%s%s%03d" % (region, birth.strftime("%Y%m%d"), sequence % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def metadata(token):
    return (("authorization", "Bearer " + token),)


def request_id(what):
    return "lag-%s-%d-%d" % (what, os.getpid(), time.monotonic_ns())


def main():
    a = pb_grpc.RegistryStub(open_channel(ARGS.a, ARGS))
    b = pb_grpc.RegistryStub(open_channel(ARGS.b, ARGS))
    birth = datetime.date.fromisoformat(ARGS.id_birth)
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    lags = []
    for n in range(ARGS.count):
        registered = a.RegisterMember(pb.RegisterMemberRequest(
            request_id=request_id("reg"), jurisdiction=ARGS.a_code, branch="杜热乡党支部",
            name="测时%d" % n, id_number=resident_id(ARGS.a_code, birth, ARGS.id_first + 2 * n),
            gender=pb.GENDER_MALE, birth_date=birth.isoformat(),
            category=pb.MEMBER_CATEGORY_FARMER, phone="13899005678",
            joined_on=datetime.date(birth.year + 24, 7, 1).isoformat()),
            metadata=metadata(ARGS.a_token), timeout=10)
        a.RegisterOutflow(pb.RegisterOutflowRequest(
            request_id=request_id("out"), member_id=registered.member_id, expected_version=1,
            destination_jurisdiction=ARGS.b_code, destination_address="乌鲁木齐市天山区解放南路",
            occupation="建筑", left_on=today.isoformat(),
            expected_return_on=(today + datetime.timedelta(days=365)).isoformat(),
            contact_phone="13899005678"), metadata=metadata(ARGS.a_token), timeout=10)
        sent = time.monotonic()
        while True:
            try:
                member = b.GetMember(pb.GetMemberRequest(member_id=registered.member_id),
                                     metadata=metadata(ARGS.b_token), timeout=10).member
                if member.status == pb.MEMBER_STATUS_INFLOW_EXPECTED:
                    break
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            if time.monotonic() - sent > ARGS.timeout:
                print("%s does not expect %s after %.0f s" %
                      (ARGS.b_code, registered.member_id, ARGS.timeout))
                return 1
            time.sleep(0.001)
        lags.append((time.monotonic() - sent) * 1000)
    print("lags_ms " + " ".join("%.1f" % lag for lag in lags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
