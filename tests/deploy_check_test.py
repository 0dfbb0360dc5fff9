#!/usr/bin/env python3
"""What can be checked here of the deployments that cannot run here (deploy/compose,
deploy/k8s, deploy/systemd examples, deploy/monitoring): every file parses; every flag
they pass exists in the binary they pass it to; every topic they name is one lxkafka
plans; every metric the alerts and dashboards use is one the code exports; the generated
Strimzi topics and users are what lxkafka generates today.

Run by ctest with LIANXIN_BIN_DIR and LIANXIN_SOURCE_DIR set."""
import json
import os
import re
import subprocess
import sys
import unittest

import yaml

BIN = os.environ["LIANXIN_BIN_DIR"]
SRC = os.environ["LIANXIN_SOURCE_DIR"]
DEPLOY = os.path.join(SRC, "deploy")
SERVICES = ["registry", "contact", "education", "appraisal"]
LOCAL_COUNTIES = os.path.join(DEPLOY, "local", "counties.tsv")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


_flags = {}


def flags_of(binary):
    """The flags `binary` defines, from its --helpfull."""
    if binary not in _flags:
        out = subprocess.run([os.path.join(BIN, binary), "--helpfull"], capture_output=True,
                             text=True).stdout
        _flags[binary] = set(re.findall(r"^\s+--([a-z_0-9]+) ", out, re.M)) | {"flagfile"}
    return _flags[binary]


def flag_names(args):
    return [m.group(1) for a in args for m in [re.match(r"--([a-z_0-9]+)(=|$)", a)] if m]


def planned_topics():
    counties = run(os.path.join(BIN, "lxkafka"), "topics", "--counties_file=" + LOCAL_COUNTIES)
    return {line.split()[0] for line in counties.splitlines()}


def read(*parts):
    with open(os.path.join(DEPLOY, *parts), encoding="utf-8") as f:
        return f.read()


class DeployFilesTest(unittest.TestCase):
    def assertFlagsExist(self, binary, args, where):
        missing = [f for f in flag_names(args) if f not in flags_of(binary)]
        self.assertEqual(missing, [], f"{where}: {binary} has no flag(s) {missing}")

    def test_compose_flags_and_topics_exist(self):
        compose = yaml.safe_load(read("compose", "docker-compose.yml"))
        services = compose["services"]
        checked = 0
        for name, service in services.items():
            prefix = name.split("-")[0]
            if prefix in SERVICES:
                self.assertFlagsExist(prefix, service["command"], f"compose {name}")
                checked += 1
        self.assertEqual(checked, 12)  # three counties, four services each
        topics_command = " ".join(services["topics"]["command"])
        for command in topics_command.split("&&"):
            words = command.split()
            self.assertEqual(words[0], "lxkafka")
            self.assertFlagsExist("lxkafka", words[2:], "compose topics")

    def test_k8s_flags_exist_for_every_local_county(self):
        with open(LOCAL_COUNTIES, encoding="utf-8") as f:
            codes = [l.split("\t")[0] for l in f if l.strip() and not l.startswith("#")]
        for code in codes:
            docs = list(yaml.safe_load_all(run(os.path.join(DEPLOY, "k8s", "render-county.sh"),
                                               code, code)))
            config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
            sets = [d for d in docs if d["kind"] == "StatefulSet"]
            self.assertEqual(len(sets), 4)
            for s in sets:
                container = s["spec"]["template"]["spec"]["containers"][0]
                service = container["name"]
                flagfiles = re.match(r"--flagfile=(.*)", container["args"][0]).group(1)
                args = []
                for path in flagfiles.split(","):
                    args += (config[os.path.basename(path)] or "").split()
                self.assertIn(f"--jurisdiction={code}", args)
                self.assertFlagsExist(service, args, f"k8s {service}-{code}")

    def test_systemd_example_flags_exist(self):
        common = read("systemd", "example", "common.flags").split("\n")
        for service in SERVICES:
            own = read("systemd", "example", f"{service}.flags").split("\n")
            args = [a for a in common + own if a.startswith("--")]
            self.assertFlagsExist(service, args, f"systemd example {service}")
        unit = read("systemd", "lianxin-service@.service.in")
        exec_start = next(l for l in unit.splitlines() if l.startswith("ExecStart="))
        self.assertFlagsExist("registry", exec_start.split()[1:], "unit ExecStart")

    def test_every_topic_named_is_planned(self):
        planned = planned_topics()
        texts = [read("compose", "docker-compose.yml"), read("kafka", "README.md"),
                 read("k8s", "topics.yaml"), read("k8s", "users.yaml")]
        for text in texts:
            for topic in re.findall(r"\blx\.[0-9]{6}\.[a-z]+\.v1\b|\blx\.[a-z]+\.v1\b", text):
                self.assertIn(topic, planned, topic)

    def test_strimzi_resources_are_what_lxkafka_generates(self):
        lxkafka = os.path.join(BIN, "lxkafka")
        self.assertEqual(read("k8s", "topics.yaml"),
                         run(lxkafka, "topics", "--format=strimzi",
                             "--counties_file=" + LOCAL_COUNTIES),
                         "regenerate: lxkafka topics --format=strimzi --counties_file=deploy/local/counties.tsv > deploy/k8s/topics.yaml")
        self.assertEqual(read("k8s", "users.yaml"),
                         run(lxkafka, "acls", "--format=strimzi",
                             "--counties_file=" + LOCAL_COUNTIES),
                         "regenerate: lxkafka acls --format=strimzi --counties_file=deploy/local/counties.tsv > deploy/k8s/users.yaml")
        for doc in yaml.safe_load_all(read("k8s", "users.yaml")):
            self.assertEqual(doc["kind"], "KafkaUser")
        for doc in yaml.safe_load_all(read("k8s", "kafka.yaml")):
            self.assertIn(doc["kind"], ["Kafka", "KafkaNodePool"])

    def test_alerts_and_dashboards_use_metrics_the_code_exports(self):
        exported = set()
        for root, _, files in os.walk(SRC):
            if "/build" in root or "/node_modules" in root or "/.git" in root:
                continue
            for f in files:
                if f.endswith(".cc"):
                    with open(os.path.join(root, f), encoding="utf-8", errors="replace") as src:
                        text = src.read()
                    exported |= set(re.findall(r'\.Name\("(lianxin_[a-z_]+)"\)', text))
        self.assertIn("lianxin_rpc_total", exported)
        used = set()
        texts = [read("monitoring", "alerts.yml")]
        for name in os.listdir(os.path.join(DEPLOY, "monitoring", "grafana")):
            text = read("monitoring", "grafana", name)
            json.loads(text)
            texts.append(text)
        for text in texts:
            used |= {re.sub(r"_(bucket|sum|count)$", "", m)
                     for m in re.findall(r"\blianxin_[a-z_]+", text)}
        self.assertEqual(sorted(used - exported), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
