#!/usr/bin/python3
"""An outside client of the Registry contract (api-contract.md), in Python.

Uses only grpcio and the code protoc generated from proto/lianxin/v1/registry.proto
(--python_out, --grpc_out with grpc_python_plugin). Starts nothing: it is given
two running registries, A (origin) and B (destination), and their tokens.

  registry_client.py --gen DIR --a HOST:PORT --a_code 654322 --a_token T
                     --b HOST:PORT --b_code 650102 --b_token T [--tls_ca CA.pem]

With --tls_ca (and optionally --tls_cert/--tls_key) it talks TLS
(lianxin_channel.py); without, plaintext to loopback addresses only.

Registers a member in A, registers its outflow to B, waits for B to expect it,
records the arrival at B and waits for A to see it received. Prints
"N passed, M failed"; exits 0 only if nothing failed.
"""

import argparse
import datetime
import os
import sys
import time

from lianxin_channel import add_tls_arguments, open_channel


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("gen", "a", "a_code", "a_token", "b", "b_code", "b_token"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    add_tls_arguments(p)
    return p.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.gen)

import grpc  # noqa: E402
from lianxin.v1 import registry_pb2 as pb  # noqa: E402
from lianxin.v1 import registry_pb2_grpc as pb_grpc  # noqa: E402

PASSED = 0
FAILED = 0


def check(what, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok   " + what)
    else:
        FAILED += 1
        print("FAIL " + what + (": " + str(detail) if detail else ""))
    return ok


def county_today():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()


def day(offset):
    return (county_today() + datetime.timedelta(days=offset)).isoformat()


def resident_id(region, birth, sequence):
    body = "%s%s%03d" % (region, birth.strftime("%Y%m%d"), sequence % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def request_id(what):
    return "py-%s-%d-%d" % (what, os.getpid(), time.monotonic_ns())


def metadata(token):
    return (("authorization", "Bearer " + token),)


def wait_for(condition, timeout):
    """Polls condition() until it is true or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def get_member(stub, token, member_id):
    try:
        return stub.GetMember(pb.GetMemberRequest(member_id=member_id),
                              metadata=metadata(token), timeout=10).member
    except grpc.RpcError:
        return None


def main():
    a = pb_grpc.RegistryStub(open_channel(ARGS.a, ARGS))
    b = pb_grpc.RegistryStub(open_channel(ARGS.b, ARGS))

    # A unique person per run: birth date and sequence from the pid and clock.
    seed = os.getpid() * 7919 + time.time_ns() // 1000 % 100000
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=seed % 12000)
    id_number = resident_id(ARGS.a_code, birth, seed)
    name = "艾尔肯·买买提"

    registered = a.RegisterMember(pb.RegisterMemberRequest(
        request_id=request_id("reg"), jurisdiction=ARGS.a_code, branch="富蕴县城关镇第一党支部",
        name=name, id_number=id_number, gender=pb.GENDER_MALE, birth_date=birth.isoformat(),
        category=pb.MEMBER_CATEGORY_FARMER, phone="13800138000",
        joined_on=datetime.date(birth.year + 25, 7, 1).isoformat()),
        metadata=metadata(ARGS.a_token), timeout=10)
    member_id = registered.member_id
    check("RegisterMember returns a member id of A", member_id.startswith(ARGS.a_code + "-"),
          member_id)
    check("RegisterMember returns version 1", registered.version == 1, registered.version)

    # The contract's error codes reach an outside client as such.
    try:
        a.RegisterMember(pb.RegisterMemberRequest(
            request_id=request_id("bad"), jurisdiction=ARGS.a_code, branch="x", name="",
            id_number=id_number), metadata=metadata(ARGS.a_token), timeout=10)
        check("an empty name is refused", False, "accepted")
    except grpc.RpcError as e:
        check("an empty name is INVALID_ARGUMENT naming the field",
              e.code() == grpc.StatusCode.INVALID_ARGUMENT and "name" in e.details(),
              "%s %s" % (e.code(), e.details()))
    try:
        a.GetMember(pb.GetMemberRequest(member_id=member_id), timeout=10)
        check("a call without token is refused", False, "accepted")
    except grpc.RpcError as e:
        check("a call without token is UNAUTHENTICATED",
              e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code())

    moved = a.RegisterOutflow(pb.RegisterOutflowRequest(
        request_id=request_id("out"), member_id=member_id, expected_version=1,
        destination_jurisdiction=ARGS.b_code, destination_address="乌鲁木齐市天山区解放北路8号",
        occupation="建筑工人", left_on=day(-40), expected_return_on=day(300),
        contact_phone="13900139000", destination_name="乌鲁木齐市天山区"),
        metadata=metadata(ARGS.a_token), timeout=10)
    check("RegisterOutflow returns version 2", moved.version == 2, moved.version)

    expected = wait_for(lambda: (lambda m: m is not None and
                                 m.status == pb.MEMBER_STATUS_INFLOW_EXPECTED and m)(
        get_member(b, ARGS.b_token, member_id)), ARGS.timeout)
    if not check("B expects the inflow", bool(expected)):
        return
    check("B sees A as home", expected.home_jurisdiction == ARGS.a_code,
          expected.home_jurisdiction)
    check("B sees the name byte-exact", expected.name == name, expected.name)

    branch = "天山区流动党员党支部"
    arrival = b.RecordArrival(pb.RecordArrivalRequest(
        request_id=request_id("arr"), member_id=member_id, jurisdiction=ARGS.b_code,
        branch=branch, arrived_on=day(-30), contact_person="李梅"),
        metadata=metadata(ARGS.b_token), timeout=10)
    check("RecordArrival answers the member id", arrival.member_id == member_id,
          arrival.member_id)

    received = wait_for(lambda: (lambda m: m is not None and
                                 m.status == pb.MEMBER_STATUS_OUTFLOW_RECEIVED and m)(
        get_member(a, ARGS.a_token, member_id)), ARGS.timeout)
    if not check("A sees the outflow received", bool(received)):
        return
    check("A sees the branch at B", received.destination_branch == branch,
          received.destination_branch)
    check("A sees B's status as INFLOW_ACTIVE",
          received.status_by_county.get(ARGS.b_code) == pb.MEMBER_STATUS_INFLOW_ACTIVE,
          dict(received.status_by_county))


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as e:
        check("no unexpected RPC error", False, "%s %s" % (e.code(), e.details()))
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.exit(0 if FAILED == 0 and PASSED > 0 else 1)
