#!/usr/bin/env python3
"""Generates a Kubernetes audit corpus for `make bench`.

The sample audit Events of the shared peer events (k8s_audit/*.json) are
replicated and varied: user names, namespaces, object names, verbs,
response codes, source IPs, user agents, timestamps and auditIDs change
from copy to copy; every copy stays a valid audit Event (kind Event, an
auditID, an RFC 3339 stageTimestamp). The output is laid out as real audit
logs are:

  k8s-NNN.jsonl   one JSON value per line: mostly single Events, some
                  EventLists (the webhook batch, 2..24 items) on one line
  k8s-NNN.json    pretty-printed EventList documents one after another
                  (about 1 byte in 10)
  k8s-NNN.json    a JSON array of Events (about 1 byte in 20)

The corpus is deterministic for a given --seed, --size-mb and set of
sample files. It is written to a temporary directory next to --out and
renamed into place when complete, so a half-written corpus is never used.
It is data for benchmarks only: never commit it.

usage: gen_k8s_corpus.py --out DIR [--size-mb 100] [--seed 42]
                         [--samples DIR] [--file-mb 8]
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SAMPLES = os.path.join(
    os.environ.get("STOOP_SHARED_DIR", os.path.join(ROOT, "..", "shared")),
    "peer", "events", "k8s_audit")

NAMESPACES = ["default", "kube-system", "kube-public", "foo", "prod", "staging",
              "monitoring", "ingress-nginx", "cert-manager", "logging"] + \
             ["team-%02d" % i for i in range(40)]
READ_VERBS = ["get", "list", "watch"]
WRITE_VERBS = ["create", "update", "patch", "delete"]
AGENTS = ["kubectl/v1.%d.%d (linux/amd64) kubernetes/%07x",
          "kubectl/v1.%d.%d (darwin/arm64) kubernetes/%07x",
          "kube-controller-manager/v1.%d.%d (linux/amd64) kubernetes/%07x/system:serviceaccount",
          "Go-http-client/2.0 v1.%d.%d %07x",
          "argocd-application-controller/v2.%d.%d+%07x"]
CODES = [200, 200, 200, 201, 201, 403, 404, 409, 422]


def load_samples(folder):
    """Every audit Event of the sample files, as compact JSON text."""
    events = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not name.endswith(".json") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        dec = json.JSONDecoder()
        i = 0
        while True:
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
            if i >= len(text):
                break
            try:
                doc, i = dec.raw_decode(text, i)
            except ValueError:
                break
            docs = doc if isinstance(doc, list) else [doc]
            for d in docs:
                if isinstance(d, dict) and d.get("kind") == "EventList":
                    docs.extend(x for x in d.get("items", []) if isinstance(x, dict))
                elif isinstance(d, dict) and d.get("kind") == "Event" and \
                        "stageTimestamp" in d and "auditID" in d:
                    events.append(json.dumps(d, separators=(",", ":")))
    if not events:
        sys.exit("gen_k8s_corpus: no audit Events in %s" % folder)
    return events


class Varier:
    """Makes varied copies of the sample events, deterministically."""

    def __init__(self, rng, templates):
        self.rng = rng
        self.templates = templates
        self.now = datetime(2024, 3, 1, 0, 0, 0, tzinfo=timezone.utc)
        self.users = ["user-%03d@example.com" % i for i in range(200)] + \
            ["system:serviceaccount:%s:sa-%d" % (rng.choice(NAMESPACES), i) for i in range(60)] + \
            ["system:node:node-%02d" % i for i in range(30)] + \
            ["admin", "system:kube-controller-manager", "system:kube-scheduler",
             "system:apiserver", "system:anonymous", "eks:node-manager"]

    def uuid(self):
        b = self.rng.getrandbits(128)
        h = "%032x" % b
        return "%s-%s-4%s-%x%s-%s" % (h[0:8], h[8:12], h[13:16], 8 + (b & 3), h[17:20], h[20:32])

    @staticmethod
    def ts(t, micro=True):
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")

    def event(self):
        rng = self.rng
        e = json.loads(rng.choice(self.templates))
        # time goes forward 0..40 ms per event
        self.now += timedelta(microseconds=rng.randrange(40000))
        received = self.now
        stage = received + timedelta(microseconds=rng.randrange(1, 9000))
        e["auditID"] = self.uuid()
        if "requestReceivedTimestamp" in e:
            e["requestReceivedTimestamp"] = self.ts(received)
        e["stageTimestamp"] = self.ts(stage)
        if "timestamp" in e:
            e["timestamp"] = self.ts(received, micro=False)
        if isinstance(e.get("metadata"), dict) and "creationTimestamp" in e["metadata"]:
            e["metadata"]["creationTimestamp"] = self.ts(received, micro=False)

        user = e.get("user")
        if isinstance(user, dict) and rng.random() < 0.5:
            user["username"] = rng.choice(self.users)
            if "uid" in user:
                user["uid"] = self.uuid()
        if rng.random() < 0.6:
            e["sourceIPs"] = ["10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256),
                                               rng.randrange(1, 255))]
        if "userAgent" in e and rng.random() < 0.5:
            e["userAgent"] = rng.choice(AGENTS) % (rng.randrange(18, 31), rng.randrange(12),
                                                   rng.getrandbits(28))

        ref = e.get("objectRef")
        uri = e.get("requestURI", "")
        if isinstance(ref, dict):
            ns = ref.get("namespace")
            if ns and rng.random() < 0.5:
                new = rng.choice(NAMESPACES)
                ref["namespace"] = new
                uri = uri.replace("/namespaces/%s/" % ns, "/namespaces/%s/" % new)
                if uri.endswith("/namespaces/" + ns):
                    uri = uri[: -len(ns)] + new
                for obj in (e.get("requestObject"), e.get("responseObject")):
                    md = obj.get("metadata") if isinstance(obj, dict) else None
                    if isinstance(md, dict) and md.get("namespace") == ns:
                        md["namespace"] = new
            name = ref.get("name")
            if name and rng.random() < 0.7:
                new = "%s-%05x" % (name.rsplit("-", 1)[0] if rng.random() < 0.5 else name,
                                   rng.getrandbits(20))
                ref["name"] = new
                parts = uri.split("?", 1)
                segs = parts[0].split("/")
                segs = [new if s == name else s for s in segs]
                uri = "/".join(segs) + ("?" + parts[1] if len(parts) > 1 else "")
                for obj in (e.get("requestObject"), e.get("responseObject")):
                    md = obj.get("metadata") if isinstance(obj, dict) else None
                    if isinstance(md, dict) and md.get("name") == name:
                        md["name"] = new
        if uri:
            e["requestURI"] = uri

        # A third of the copies become reads (most of a real audit log), a
        # few writes change kind; the response code follows now and then.
        r = rng.random()
        if r < 0.3:
            e["verb"] = rng.choice(READ_VERBS)
        elif r < 0.4:
            e["verb"] = rng.choice(WRITE_VERBS)
        rs = e.get("responseStatus")
        if isinstance(rs, dict) and rng.random() < 0.2:
            rs["code"] = rng.choice(CODES)
        return e


def compact(v):
    return json.dumps(v, separators=(",", ":"))


def event_list(events, rng):
    return {"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
            "metadata": {"resourceVersion": str(rng.randrange(1, 10**7))}, "items": events}


def generate(out, size_mb, seed, samples, file_mb):
    rng = random.Random(seed)
    templates = load_samples(samples)
    var = Varier(rng, templates)
    target = int(size_mb * 1024 * 1024)
    file_target = max(1, int(file_mb * 1024 * 1024))
    parent = os.path.dirname(os.path.abspath(out)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".corpus-", dir=parent)
    total = 0
    nevents = 0
    nfiles = 0
    layouts = {"ndjson": 0, "eventlist-pretty": 0, "array": 0}
    try:
        while total < target:
            # The layout furthest below its share of the bytes so far
            # (NDJSON 85%, pretty EventLists 10%, arrays 5%) comes next.
            shares = {"ndjson": 0.85, "eventlist-pretty": 0.10, "array": 0.05}
            kind = max(shares, key=lambda k: shares[k] * (total + file_target) - layouts[k])
            size = min(file_target, target - total) if kind == "ndjson" else \
                min(max(file_target // 2, 1), target - total)
            name = "k8s-%03d.%s" % (nfiles, "jsonl" if kind == "ndjson" else "json")
            written = 0
            parts = []
            if kind == "ndjson":
                while written < size:
                    if rng.random() < 0.08:
                        items = [var.event() for _ in range(rng.randrange(2, 25))]
                        nevents += len(items)
                        line = compact(event_list(items, rng))
                    else:
                        nevents += 1
                        line = compact(var.event())
                    parts.append(line + "\n")
                    written += len(parts[-1])
            elif kind == "eventlist-pretty":
                while written < size:
                    items = [var.event() for _ in range(rng.randrange(5, 40))]
                    nevents += len(items)
                    parts.append(json.dumps(event_list(items, rng), indent=2) + "\n")
                    written += len(parts[-1])
            else:
                items = []
                while written < size:
                    items.append(compact(var.event()))
                    written += len(items[-1]) + 2
                nevents += len(items)
                parts.append("[\n" + ",\n".join(items) + "\n]\n")
            data = "".join(parts).encode("utf-8")
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
            total += len(data)
            layouts[kind] += len(data)
            nfiles += 1
        with open(os.path.join(tmp, "MANIFEST"), "w") as f:
            f.write("seed %d\nsize_mb %g\nfiles %d\nbytes %d\nevents %d\n" %
                    (seed, size_mb, nfiles, total, nevents))
            for k, v in layouts.items():
                f.write("layout %s %d\n" % (k, v))
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return nfiles, total, nevents


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="corpus directory (replaced)")
    ap.add_argument("--size-mb", type=float, default=100.0, help="MiB to write (default 100)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--samples", default=DEFAULT_SAMPLES, help="folder of sample audit events")
    ap.add_argument("--file-mb", type=float, default=8.0, help="MiB per NDJSON file")
    a = ap.parse_args()
    nfiles, total, nevents = generate(a.out, a.size_mb, a.seed, a.samples, a.file_mb)
    print("gen_k8s_corpus: %s: %d files, %.1f MB, %d events (seed %d)" %
          (a.out, nfiles, total / 1e6, nevents, a.seed))


if __name__ == "__main__":
    main()
