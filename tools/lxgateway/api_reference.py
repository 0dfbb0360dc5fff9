#!/usr/bin/python3
"""Writes the HTTP API reference (docs/http-api.md) from the protos.

Every RPC of the four services, as lxgateway serves it (Connect unary, JSON):
its path, what it does, its request and reply fields with their JSON names and
comments, and a curl example. Run from anywhere:

    tools/lxgateway/api_reference.py > docs/http-api.md
    tools/lxgateway/api_reference.py --check docs/http-api.md   # exits 1 if stale
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FILES = ["lianxin/v1/registry.proto", "lianxin/v1/contact.proto",
         "lianxin/v1/education.proto", "lianxin/v1/appraisal.proto"]
T = descriptor_pb2.FieldDescriptorProto
SCALAR = {T.TYPE_STRING: "string", T.TYPE_BOOL: "bool", T.TYPE_INT32: "int32",
          T.TYPE_UINT32: "uint32", T.TYPE_INT64: "int64 (JSON string)",
          T.TYPE_UINT64: "uint64 (JSON string)", T.TYPE_DOUBLE: "double",
          T.TYPE_FLOAT: "float", T.TYPE_BYTES: "bytes (base64)"}


def descriptor_set():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        subprocess.run(["protoc", "--proto_path", os.path.join(ROOT, "proto"),
                        "--include_source_info", "--include_imports",
                        "--descriptor_set_out", out] + FILES, check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
        return fds


def comments(file):
    """Leading comments by path (tuple) in `file`."""
    out = {}
    for loc in file.source_code_info.location:
        text = (loc.leading_comments or loc.trailing_comments).strip()
        if text:
            out[tuple(loc.path)] = " ".join(line.strip() for line in text.splitlines())
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", help="compare with this file instead of printing")
    args = parser.parse_args()
    fds = descriptor_set()
    messages, enums, docs = {}, {}, {}
    for f in fds.file:
        c = comments(f)

        def walk(prefix, path, msgs):
            for i, m in enumerate(msgs):
                name = f"{prefix}.{m.name}"
                mpath = path + (i,)
                messages[name] = m
                docs[name] = c.get(mpath, "")
                for j, _ in enumerate(m.field):
                    docs[(name, j)] = c.get(mpath + (2, j), "")
                for e in m.enum_type:
                    enums[f"{name}.{e.name}"] = e
                walk(name, mpath + (3,), m.nested_type)

        walk(f".{f.package}", (4,), f.message_type)
        for e in f.enum_type:
            enums[f".{f.package}.{e.name}"] = e

    def type_name(field):
        if field.type in (T.TYPE_MESSAGE, T.TYPE_ENUM):
            short = field.type_name.rsplit(".", 1)[-1]
            kind = "enum " if field.type == T.TYPE_ENUM else ""
            if field.type_name == ".google.protobuf.Timestamp":
                return "Timestamp (RFC 3339 string)"
            return kind + short
        return SCALAR.get(field.type, "?")

    def repeated(field):
        return field.label == T.LABEL_REPEATED

    def example(msg_name, depth=0):
        m = messages[msg_name]
        body = {}
        for field in m.field:
            if field.name in ("page_token", "expected_version"):
                continue
            if field.type == T.TYPE_MESSAGE:
                if field.type_name == ".google.protobuf.Timestamp":
                    value = "2027-03-01T02:00:00Z"
                elif depth < 1 and field.type_name in messages:
                    value = example(field.type_name, depth + 1)
                else:
                    continue
            elif field.type == T.TYPE_ENUM:
                values = enums[field.type_name].value
                value = values[1].name if len(values) > 1 else values[0].name
            elif field.type == T.TYPE_BOOL:
                value = False
            elif field.type in (T.TYPE_INT64, T.TYPE_UINT64):
                value = "0"
            elif field.type in (T.TYPE_INT32, T.TYPE_UINT32):
                value = 0
            elif field.name == "request_id":
                value = "REQUEST-ID"
            elif field.name == "jurisdiction":
                value = "654322"
            elif field.name.endswith("_on") or field.name in ("as_of", "from", "to"):
                value = "2026-12-01"
            elif field.name.endswith("_id"):
                value = field.name.upper()
            else:
                value = "…"
            body[field.json_name] = [value] if repeated(field) else value
        return body

    out = []
    w = out.append
    w("# lianxin HTTP API (lxgateway)\n")
    w("Generated from the protos by `tools/lxgateway/api_reference.py`; do not edit by hand.\n")
    w("Every RPC of the county's four services is served by `lxgateway` over HTTPS in the Connect "
      "protocol's unary form: `POST /lianxin.v1.<Service>/<Rpc>` with `Content-Type: "
      "application/json`, the request in protobuf's JSON mapping (field names in lowerCamelCase "
      "or as in the proto; 64-bit integers as strings; enums by name; unknown fields refused), "
      "the reply likewise with HTTP 200. An error is a non-200 status with a Connect error body:\n")
    w("```json\n" + json.dumps({"code": "invalid_argument", "message": "category: invalid value",
      "details": [{"type": "google.rpc.BadRequest", "value": "CgoKCGNhdGVnb3J5…",
                   "debug": {"fieldViolations": [{"field": "category",
                                                  "description": "invalid value"}]}}]},
      ensure_ascii=False, indent=2) + "\n```\n")
    w("`code` is the canonical code in lower snake case (`invalid_argument` 400, "
      "`failed_precondition` 400, `unauthenticated` 401, `permission_denied` 403, `not_found` 404, "
      "`already_exists` and `aborted` 409, `resource_exhausted` 429, `unavailable` 503); `details` "
      "carry the services' `google.rpc.BadRequest` (the fields) and `google.rpc.ErrorInfo` "
      "(`reason` = the rule, e.g. `R9`), base64 in `value` and readable in `debug`.\n")
    w("Authentication: `Authorization: Bearer TOKEN` (the services' tokens, forwarded as they are), "
      "or a client certificate whose common name has a `cert:` account in the gateway's accounts "
      "file. The console signs in through `lianxin.gateway.v1.StaffSession` (session cookie and "
      "`X-CSRF-Token`).\n")
    w("Ledgers: `POST /lianxin.gateway.v1.Ledgers/Export` with the same credentials and a JSON "
      "body `{\"report\": \"outflow\", \"format\": \"xlsx\", \"asOf\": \"2026-12-07\", "
      "\"year\": 2026, \"branch\": \"\"}` (reports as `lxctl export --report`; format `xlsx` or "
      "`csv`; all but `report` optional) answers with the file itself (`Content-Disposition: "
      "attachment` with the Chinese file name), built by the same library as `lxctl export`; an "
      "error is a Connect error body as above. The console's 台账导出 page uses it.\n")
    w("```sh\ncurl --cacert $CA -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
      "-d '{\"report\": \"outflow\", \"format\": \"csv\"}' -o 流出党员台账.csv "
      "$GW/lianxin.gateway.v1.Ledgers/Export\n```\n")
    w("The member page (`docs/member-page.md`): `POST /m/lianxin.gateway.v1.MemberSession/SignIn` "
      "with `{\"memberCode\": \"654322-de3c39a5a65a50cb\", \"pin\": \"…\"}` starts a member's session "
      "(cookie `lx_member`, scoped to `/m/`); the session then calls `/m/lianxin.v1.<Service>/<Rpc>` "
      "for its own record only (`Registry/GetMember`, `Registry/RecordOutflowChange`, "
      "`ContactTracking/GetContactHistory`, `ContactTracking/RecordContact`, "
      "`ContactTracking/OpenConsultation`, `EducationScheduling/GetEducationRecord`; the member id "
      "filled in, anyone else's `permission_denied`). An operator's session sets a member's PIN with "
      "`POST /lianxin.gateway.v1.MemberPins/SetMemberPin` `{\"memberId\": …, \"pin\": …}`.\n")
    w("The examples use the local deployment (`deploy/local/up.sh`): Fuyun's gateway on "
      "`https://127.0.0.1:17100`, its CA `.lianxin/local/gateway/ca.pem`, the operator token "
      "from `.lianxin/local/endpoints.json`:\n")
    w("```sh\nTOKEN=$(python3 -c 'import json; print(json.load(open(\".lianxin/local/endpoints.json\"))"
      "[\"counties\"][\"654322\"][\"token\"])')\nGW=https://127.0.0.1:17100\n"
      "CA=.lianxin/local/gateway/ca.pem\n```\n")
    for f in fds.file:
        if f.name not in FILES:
            continue
        c = comments(f)
        for si, service in enumerate(f.service):
            full = f"{f.package}.{service.name}"
            w(f"\n## {service.name}\n")
            if c.get((6, si)):
                w(c[(6, si)] + "\n")
            for mi, method in enumerate(service.method):
                w(f"\n### {service.name}.{method.name}\n")
                w(f"`POST /{full}/{method.name}`\n")
                if c.get((6, si, 2, mi)):
                    w(c[(6, si, 2, mi)] + "\n")
                for label, type_ in (("Request", method.input_type), ("Reply", method.output_type)):
                    m = messages[type_]
                    w(f"{label} `{type_.rsplit('.', 1)[-1]}`:\n")
                    if not m.field:
                        w("(no fields)\n")
                        continue
                    w("| field | type | meaning |\n| --- | --- | --- |")
                    for j, field in enumerate(m.field):
                        t = type_name(field)
                        if repeated(field):
                            t = f"list of {t}"
                        meaning = docs.get((type_, j), "").replace("|", "\\|")
                        w(f"| `{field.json_name}` | {t} | {meaning} |")
                    w("")
                body = json.dumps(example(method.input_type), ensure_ascii=False)
                w("```sh\ncurl --cacert $CA -H \"Authorization: Bearer $TOKEN\" "
                  "-H 'Content-Type: application/json' \\\n  -d '" + body.replace("'", "'\\''") +
                  f"' \\\n  $GW/{full}/{method.name}\n```\n")
    text = "\n".join(out).rstrip() + "\n"
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{args.check} is stale: run tools/lxgateway/api_reference.py > {args.check}",
                      file=sys.stderr)
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
