#!/usr/bin/python3
"""An outside client of the ContactTracking contract (api-contract.md), in Python.

Uses only grpcio and the code protoc generated from proto/lianxin/v1/contact.proto
and registry.proto. Starts nothing: it is given the origin's registry and
contact service and the destination's contact service, and their tokens.

  contact_client.py --gen DIR --registry HOST:PORT --contact HOST:PORT --code 654322
                    --token T --dest_contact HOST:PORT --dest_code 650102 --dest_token T

Registers a member away at the destination, records a contact there with a
Chinese summary and checks the origin counts it; checks the error codes a
client sees; opens and closes a hotline ticket. Prints "N passed, M failed".
"""

import argparse
import datetime
import os
import sys
import time

from lianxin_channel import add_tls_arguments, open_channel


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("gen", "registry", "contact", "code", "token", "dest_contact", "dest_code",
                 "dest_token"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    add_tls_arguments(p)
    return p.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.gen)

import grpc  # noqa: E402
from lianxin.v1 import contact_pb2 as cpb  # noqa: E402
from lianxin.v1 import contact_pb2_grpc as cpb_grpc  # noqa: E402
from lianxin.v1 import registry_pb2 as rpb  # noqa: E402
from lianxin.v1 import registry_pb2_grpc as rpb_grpc  # noqa: E402

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


def day(offset):
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    return (today + datetime.timedelta(days=offset)).isoformat()


def resident_id(region, birth, sequence):
    body = "%s%s%03d" % (region, birth.strftime("%Y%m%d"), sequence % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def request_id(what):
    return "py-%s-%d-%d" % (what, os.getpid(), time.monotonic_ns())


def md(token):
    return (("authorization", "Bearer " + token),)


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def history(stub, token, member_id):
    try:
        return stub.GetContactHistory(cpb.GetContactHistoryRequest(member_id=member_id),
                                      metadata=md(token), timeout=10)
    except grpc.RpcError:
        return None


def main():
    registry = rpb_grpc.RegistryStub(open_channel(ARGS.registry, ARGS))
    home = cpb_grpc.ContactTrackingStub(open_channel(ARGS.contact, ARGS))
    dest = cpb_grpc.ContactTrackingStub(open_channel(ARGS.dest_contact, ARGS))

    seed = os.getpid() * 7919 + time.time_ns() // 1000 % 100000
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=seed % 10000)
    member_id = registry.RegisterMember(rpb.RegisterMemberRequest(
        request_id=request_id("reg"), jurisdiction=ARGS.code, branch="富蕴县吐尔洪乡党支部",
        name="古丽娜尔", id_number=resident_id(ARGS.code, birth, seed), gender=rpb.GENDER_FEMALE,
        birth_date=birth.isoformat(), category=rpb.MEMBER_CATEGORY_FARMER, phone="13800138000",
        joined_on=datetime.date(birth.year + 25, 7, 1).isoformat()),
        metadata=md(ARGS.token), timeout=10).member_id
    registry.RegisterOutflow(rpb.RegisterOutflowRequest(
        request_id=request_id("out"), member_id=member_id,
        destination_jurisdiction=ARGS.dest_code, destination_address="解放北路8号",
        occupation="餐饮服务", left_on=day(-40), expected_return_on=day(300),
        contact_phone="13900139000", destination_name="天山区"),
        metadata=md(ARGS.token), timeout=10)

    known = wait_for(lambda: (lambda h: h is not None and h.away and h)(
        history(dest, ARGS.dest_token, member_id)), ARGS.timeout)
    if not check("the destination's contact service knows the member away", bool(known)):
        return
    summary = "流入地支部：参加七一主题党日，汇报思想"
    dest.RecordContact(cpb.RecordContactRequest(
        request_id=request_id("c"), member_id=member_id, channel=cpb.CONTACT_CHANNEL_IN_PERSON,
        kind=cpb.CONTACT_KIND_DESTINATION_ORGANIZATION, occurred_on=day(-1), summary=summary),
        metadata=md(ARGS.dest_token), timeout=10)
    at_home = wait_for(lambda: (lambda h: h is not None and len(h.contacts) == 1 and h)(
        history(home, ARGS.token, member_id)), ARGS.timeout)
    if check("the origin counts the contact recorded at the destination", bool(at_home)):
        check("the summary arrives byte-exact", at_home.contacts[0].summary == summary,
              at_home.contacts[0].summary)
        check("recorded_in names the destination",
              at_home.contacts[0].recorded_in == ARGS.dest_code, at_home.contacts[0].recorded_in)

    try:
        home.RecordContact(cpb.RecordContactRequest(
            request_id=request_id("bad"), member_id=member_id, channel=cpb.CONTACT_CHANNEL_PHONE,
            kind=cpb.CONTACT_KIND_QUARTERLY_REPORT, occurred_on=day(2), summary="未来"),
            metadata=md(ARGS.token), timeout=10)
        check("a future occurred_on is refused", False, "accepted")
    except grpc.RpcError as e:
        check("a future occurred_on is INVALID_ARGUMENT naming it",
              e.code() == grpc.StatusCode.INVALID_ARGUMENT and "occurred_on" in e.details(),
              "%s %s" % (e.code(), e.details()))
    try:
        home.ListOverdue(cpb.ListOverdueRequest(jurisdiction=ARGS.code), timeout=10)
        check("a call without token is refused", False, "accepted")
    except grpc.RpcError as e:
        check("a call without token is UNAUTHENTICATED",
              e.code() == grpc.StatusCode.UNAUTHENTICATED, e.code())

    ticket = home.OpenConsultation(cpb.OpenConsultationRequest(
        request_id=request_id("t"), jurisdiction=ARGS.code, caller_name="哈力木",
        caller_phone="0906-8721234", topic="组织关系转接", question="在外地如何转组织关系？"),
        metadata=md(ARGS.token), timeout=10).ticket_id
    check("OpenConsultation returns a ticket id", ticket.startswith(ARGS.code + "-T"), ticket)
    closed = home.CloseConsultation(cpb.CloseConsultationRequest(
        request_id=request_id("tc"), ticket_id=ticket, answer="已全程代办",
        resolution=cpb.CONSULTATION_RESOLUTION_HANDLED_ON_BEHALF),
        metadata=md(ARGS.token), timeout=10)
    check("CloseConsultation returns version 2", closed.version == 2, closed.version)
    stats = home.GetContactStatistics(cpb.GetContactStatisticsRequest(
        jurisdiction=ARGS.code, **{"from": day(-1)}), metadata=md(ARGS.token), timeout=10)
    check("the statistics count the consultation", stats.consultations == 1, stats)


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as e:
        check("no unexpected RPC error", False, "%s %s" % (e.code(), e.details()))
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.exit(0 if FAILED == 0 and PASSED > 0 else 1)
