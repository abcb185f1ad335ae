#!/usr/bin/env python3
"""Checks that simulated telemetry has the shape of real telemetry.

Sysmon JSON: for each layout (nxlog flat, winlogbeat nested) and event ID,
the simulated records must have a key set that real records of that layout
have. Every value must match a pattern that real values of the same key
match: time format, braced GUID, "true"/"false" text, digits, address and
so on. The real records are the OTRF recordings in
$INFRAHUNT_DATA/sysmon-mordor/sysmon-net.

Zeek: the simulated conn.log and dns.log must have the header lines of the
real TSV logs in $INFRAHUNT_DATA/zeek: #separator to #path, and #fields and
#types equal to those of a real log. Each column's values must match the
patterns of the real column. JSON records must use the keys and value types
of Zeek's real JSON logs.

Suricata: per event type, protocol and DNS record type, the simulated eve
records and their nested objects must use keys that real records of
$INFRAHUNT_DATA/suricata use, have the keys every real record has, and
values of the same JSON types and text patterns.

Usage: simulate_shape.py path/to/infrahunt DATA_FOLDER
"""
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            yield line.rstrip("\n")


# --- Value patterns ---

PATTERNS = [
    ("utc-ms", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"),
    ("date-time", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"),
    ("iso-ms-z", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"),
    ("iso-us-z", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"),
    ("iso-us-offset", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d{4}"),
    ("hex", r"[0-9a-f]{2,}"),
    ("guid", r"\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}"),
    ("true-false", r"true|false"),
    ("digits", r"\d+"),
    ("ipv4", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
    ("ipv6", r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"),
    ("dash", r"-"),
    ("empty", r""),
    ("sid", r"S-1-\d+(-\d+)*"),
    ("windows-path", r"[A-Za-z]:\\.*"),
    ("account", r"[^\\]+\\[^\\]+"),
    ("query-results", r"((type:  \d+ [^;]+|::ffff:[\d.]+|[0-9A-Fa-f:.]+);)+"),
    ("host-name", r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+"),
    ("word", r"[A-Za-z][A-Za-z0-9_-]*"),
]
COMPILED = [(name, re.compile(rx + r"\Z")) for name, rx in PATTERNS]


def pattern(value):
    """The name of the first pattern a JSON value matches."""
    if isinstance(value, bool):
        return "json-bool"
    if isinstance(value, int):
        return "json-int"
    if isinstance(value, float):
        return "json-number"
    if isinstance(value, list):
        return "json-list"
    if isinstance(value, dict):
        return "json-object"
    if value is None:
        return "json-null"
    if value.startswith(("Network connection detected:", "Dns query:")):
        return "message-crlf" if "\r\n" in value else "message-lf"
    for name, rx in COMPILED:
        if rx.match(value):
            return name
    return "text"


def message_names(message):
    """The field names of a rendered Sysmon message, in order."""
    return [line.split(":", 1)[0] for line in re.split(r"\r?\n", message)[1:]]


# --- Sysmon ---


class Shapes:
    """Key sets and value patterns of records, per (layout, event ID)."""

    def __init__(self):
        self.key_sets = {}   # group -> set of frozensets of top-level keys
        self.data_keys = {}  # group -> list of frozensets of event_data keys
        self.patterns = {}   # (group, key) -> set of patterns
        self.messages = {}   # group -> set of tuples of message field names

    def add(self, record):
        nested = "event_data" in record
        eid = record.get("event_id") if nested else record.get("EventID")
        group = ("winlogbeat" if nested else "nxlog", int(eid))
        self.key_sets.setdefault(group, set()).add(frozenset(record))
        for key, value in record.items():
            if key == "event_data":
                continue
            self.patterns.setdefault((group, key), set()).add(pattern(value))
        if nested:
            data = record["event_data"]
            self.data_keys.setdefault(group, []).append(frozenset(data))
            for key, value in data.items():
                self.patterns.setdefault((group, "event_data." + key), set()).add(pattern(value))
        message = record.get("message" if nested else "Message")
        if isinstance(message, str):
            self.messages.setdefault(group, set()).add(tuple(message_names(message)))


def sysmon_shapes(paths):
    shapes = Shapes()
    for path in paths:
        for line in read_lines(path):
            if line.strip():
                shapes.add(json.loads(line))
    return shapes


def compare_sysmon(real, sim):
    for group, sim_sets in sorted(sim.key_sets.items()):
        layout, eid = group
        # Real winlogbeat exports hold no event 22; its envelope is that of event 3, and
        # its fields are those of nxlog's event 22.
        envelope = group if group in real.key_sets else (layout, 3)
        fields_from = group if group in real.data_keys else ("nxlog", eid)
        if envelope not in real.key_sets:
            check(False, f"{layout} event {eid}: no real records of this layout to compare")
            continue
        for keys in sim_sets:
            check(keys in real.key_sets[envelope],
                  f"{layout} event {eid}: key set not seen in real records; extra "
                  f"{sorted(keys - max(real.key_sets[envelope], key=len))}, missing "
                  f"{sorted(max(real.key_sets[envelope], key=len) - keys)}")
        if layout == "winlogbeat":
            if fields_from in real.data_keys:
                known = frozenset().union(*real.data_keys[fields_from])
                always = frozenset.intersection(*real.data_keys[fields_from])
            else:
                known = frozenset().union(*real.key_sets[fields_from])
                always = frozenset()
            for keys in sim.data_keys.get(group, []):
                check(keys <= known, f"{layout} event {eid}: event_data keys {sorted(keys - known)} "
                                     "never appear in real records")
                check(always <= keys, f"{layout} event {eid}: event_data lacks "
                                      f"{sorted(always - keys)}, which every real record has")

        for (g, key), seen in sorted(sim.patterns.items()):
            if g != group:
                continue
            if key.startswith("event_data."):
                real_key = (fields_from, key) if (fields_from, key) in real.patterns else \
                    (fields_from, key.split(".", 1)[1])
            else:
                real_key = (envelope, key)
            allowed = real.patterns.get(real_key)
            if allowed is None:
                continue  # the key-set checks above report unknown keys
            if layout == "winlogbeat" and eid == 22 and key in ("message", "task"):
                continue  # the text differs by event; its own check is below
            check(seen <= allowed, f"{layout} event {eid}: {key} values look like {sorted(seen)}; "
                                   f"real ones like {sorted(allowed)}")

        real_messages = real.messages.get(group) or real.messages.get(("nxlog", eid), set())
        for names in sim.messages.get(group, set()):
            check(names in real_messages,
                  f"{layout} event {eid}: message lists {names}, not as any real record")


# --- Zeek ---


def first_char(path):
    """The first character of a file that is not white space: '#' for TSV, '{' for JSON."""
    for line in read_lines(path):
        if line.strip():
            return line.strip()[0]
    return ""


def zeek_tsv_header(path):
    header = []
    for line in read_lines(path):
        if not line.startswith("#"):
            break
        header.append(line)
    return header


ZEEK_PATTERNS = [
    ("unset", r"-"),
    ("empty", r"\(empty\)"),
    ("decimal6", r"\d+\.\d{6}"),
    ("uid", r"C[0-9A-Za-z]{14,18}"),
    ("ipv4", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
    ("ipv6", r"[0-9a-f:]*:[0-9a-f:.]*"),
    ("count", r"\d+"),
    ("bool", r"[TF]"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("host-name", r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\.?"),
    ("list", r"[^,\t]+(,[^,\t]+)+"),
]
ZEEK_COMPILED = [(name, re.compile(rx + r"\Z")) for name, rx in ZEEK_PATTERNS]


def zeek_pattern(value):
    for name, rx in ZEEK_COMPILED:
        if rx.match(value):
            return name
    return "text"


def zeek_tsv_patterns(paths, limit=60000):
    """Patterns of each column's values over the TSV files, read up to limit records each."""
    patterns = {}
    for path in paths:
        fields = None
        n = 0
        for line in read_lines(path):
            if line.startswith("#fields\t"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#") or fields is None:
                continue
            for name, value in zip(fields, line.split("\t")):
                patterns.setdefault(name, set()).add(zeek_pattern(value))
            n += 1
            if n >= limit:
                break
    return patterns


def json_types(paths, want_path=None, limit=60000):
    """Key sets and value types of Zeek JSON records."""
    key_sets, types = [], {}
    for path in paths:
        n = 0
        for line in read_lines(path):
            if not line.strip():
                continue
            record = json.loads(line)
            if want_path and record.get("_path", record.get("@stream")) != want_path:
                continue
            key_sets.append(frozenset(record))
            for key, value in record.items():
                types.setdefault(key, set()).add(type(value).__name__)
            n += 1
            if n >= limit:
                break
    return key_sets, types


def compare_zeek_tsv(log, sim_path, real_paths):
    sim_header = zeek_tsv_header(sim_path)
    real_headers = [zeek_tsv_header(p) for p in real_paths]
    check(len(sim_header) == 8, f"{log}.log: {len(sim_header)} header lines, Zeek writes 8")
    for i, prefix in enumerate(["#separator", "#set_separator", "#empty_field", "#unset_field",
                                "#path"]):
        check(any(h[i] == sim_header[i] for h in real_headers if len(h) > i),
              f"{log}.log: header line {sim_header[i]!r} differs from the real logs'")
        check(sim_header[i].startswith(prefix), f"{log}.log: header line {i + 1} is not {prefix}")
    check(re.match(r"#open\t\d{4}(-\d\d){5}\Z", sim_header[5]) is not None,
          f"{log}.log: {sim_header[5]!r} is not '#open' and a Zeek time")
    real_pairs = {(h[6], h[7]) for h in real_headers if len(h) >= 8}
    check((sim_header[6], sim_header[7]) in real_pairs,
          f"{log}.log: #fields and #types differ from every real {log}.log")
    last = list(read_lines(sim_path))[-1]
    check(re.match(r"#close\t\d{4}(-\d\d){5}\Z", last) is not None,
          f"{log}.log: last line {last!r} is not '#close' and a Zeek time")

    real = zeek_tsv_patterns(real_paths)
    sim = zeek_tsv_patterns([sim_path], limit=10 ** 9)
    for column, seen in sorted(sim.items()):
        allowed = real.get(column, set())
        check(seen <= allowed, f"{log}.log: column {column} values look like {sorted(seen)}; "
                               f"real ones like {sorted(allowed)}")


def compare_zeek_json(what, sim_paths, real_paths, want_path=None, real_want_path=None,
                      extra_keys=frozenset()):
    """Compares records of log want_path in sim_paths with those of real_want_path."""
    real_sets, real_types = json_types(real_paths, real_want_path)
    sim_sets, sim_types = json_types(sim_paths, want_path, limit=10 ** 9)
    check(bool(real_sets), f"{what}: no real records to compare")
    check(bool(sim_sets), f"{what}: no simulated records")
    if not real_sets or not sim_sets:
        return
    known = frozenset().union(*real_sets) | extra_keys
    always = frozenset.intersection(*real_sets) - extra_keys
    for keys in set(sim_sets):
        check(keys <= known, f"{what}: keys {sorted(keys - known)} never appear in real records")
        check(always <= keys, f"{what}: record lacks {sorted(always - keys)}, which every real "
                              "record has")
    for key, seen in sorted(sim_types.items()):
        if key in extra_keys:
            continue
        allowed = real_types.get(key, set())
        # Zeek writes whole intervals such as 6400.0 as floats; ints stand in for none.
        check(seen <= allowed, f"{what}: {key} values are JSON {sorted(seen)}; real ones "
                               f"{sorted(allowed)}")


# --- Suricata ---

# Keys that real records may have and simulated ones need not: pcap_cnt is written only
# when Suricata reads a capture file, and metadata only with flowbits or rule metadata.
SURICATA_OPTIONAL = {"pcap_cnt", "metadata", "tx_id"}
# A response without answers (NXDOMAIN) has no answers or grouped object; the real sample
# has none of those.
DNS_OPTIONAL = {"answers", "grouped"}
# Host names, single labels and addresses are all valid in these fields; the real sample's
# HTTP Host headers happen to be addresses only.
HOST_FIELDS = ("rrname", "hostname", "sni")
HOST_PATTERNS = {"host-name", "word", "ipv4"}
# TLS 1.3 encrypts the certificate, so a tls record of it has no subject, issuer, serial,
# fingerprint or validity; the real sample is TLS 1.1.
TLS13_ABSENT = {"subject", "issuerdn", "serial", "fingerprint", "notbefore", "notafter",
                "ja3", "ja3s"}


def eve_group(record):
    dns = record.get("dns", {})
    return (record.get("event_type"), record.get("proto"), dns.get("type"), dns.get("version"))


def flatten(value, prefix, out):
    """Adds (path, pattern) pairs of every leaf of value, and each object's key set."""
    if isinstance(value, dict):
        out.setdefault("keys", {}).setdefault(prefix, []).append(frozenset(value))
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, list):
        for item in value:
            flatten(item, prefix + "[]", out)
    else:
        out.setdefault("patterns", {}).setdefault(prefix, set()).add(pattern(value))


def eve_shapes(path, limit=10 ** 9):
    shapes = {}
    for n, line in enumerate(read_lines(path)):
        if n >= limit:
            break
        if line.strip():
            record = json.loads(line)
            flatten(record, "", shapes.setdefault(eve_group(record), {}))
    return shapes


def compare_suricata(real, sim):
    for group, shape in sorted(sim.items(), key=str):
        what = "suricata " + "/".join(str(g) for g in group if g is not None)
        if group not in real:
            check(False, f"{what}: no real records of this kind to compare")
            continue
        for obj, sim_sets in shape["keys"].items():
            real_sets = real[group]["keys"].get(obj)
            if real_sets is None:
                check(False, f"{what}: object {obj or 'record'} never appears in real records")
                continue
            known = frozenset().union(*real_sets)
            always = frozenset.intersection(*real_sets) - SURICATA_OPTIONAL
            if obj == "tls":
                always -= TLS13_ABSENT
            if obj == "dns":
                always -= DNS_OPTIONAL
            for keys in set(sim_sets):
                check(keys <= known, f"{what}: {obj or 'record'} keys {sorted(keys - known)} "
                                     "never appear in real records")
                check(always <= keys, f"{what}: {obj or 'record'} lacks {sorted(always - keys)}, "
                                      "which every real record has")
        for path, seen in shape["patterns"].items():
            allowed = real[group]["patterns"].get(path)
            if allowed is not None and path.endswith(HOST_FIELDS):
                seen = {"host" if p in HOST_PATTERNS else p for p in seen}
                allowed = {"host" if p in HOST_PATTERNS else p for p in allowed}
            if allowed is not None:
                check(seen <= allowed, f"{what}: {path} values look like {sorted(seen)}; real "
                                       f"ones like {sorted(allowed)}")


# --- Main ---


def simulate(binary, out, fmt, layout=None):
    args = [binary, "simulate", "--test", "all", "--format", fmt, "--background", "4000",
            "-o", out]
    if layout:
        args += ["--layout", layout]
    subprocess.run(args, check=True)


def main():
    binary, data = sys.argv[1], sys.argv[2]
    sysmon_real = sorted(glob.glob(os.path.join(data, "sysmon-mordor/sysmon-net/*.jsonl")))
    real_conn = [p for p in glob.glob(os.path.join(data, "zeek/**/conn*.log*"), recursive=True)]
    real_dns = [p for p in glob.glob(os.path.join(data, "zeek/**/dns*.log*"), recursive=True)]
    tsv_conn = [p for p in real_conn if first_char(p) == "#"][:40]
    tsv_dns = [p for p in real_dns if first_char(p) == "#"][:40]
    json_conn = [p for p in real_conn if first_char(p) == "{"]
    json_dns = [p for p in real_dns if first_char(p) == "{"]
    streams = glob.glob(os.path.join(data, "zeek/**/*.json*"), recursive=True)
    eve = glob.glob(os.path.join(data, "suricata/*.json*"))
    if not sysmon_real or not tsv_conn or not tsv_dns or not json_conn or not streams or not eve:
        print(f"FAIL simulate shape: real Sysmon, Zeek or Suricata logs missing under {data}")
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        real = sysmon_shapes(sysmon_real)
        for layout in ("nxlog", "winlogbeat"):
            out = os.path.join(tmp, f"sysmon-{layout}.jsonl")
            simulate(binary, out, "sysmon-json", layout)
            compare_sysmon(real, sysmon_shapes([out]))

        simulate(binary, os.path.join(tmp, "zeek-tsv"), "zeek-tsv")
        compare_zeek_tsv("conn", os.path.join(tmp, "zeek-tsv/conn.log"), tsv_conn)
        compare_zeek_tsv("dns", os.path.join(tmp, "zeek-tsv/dns.log"), tsv_dns)

        simulate(binary, os.path.join(tmp, "zeek-json"), "zeek-json", "files")
        compare_zeek_json("conn.log JSON", [os.path.join(tmp, "zeek-json/conn.log")], json_conn)
        compare_zeek_json("dns.log JSON", [os.path.join(tmp, "zeek-json/dns.log")], json_dns)

        stream = os.path.join(tmp, "zeek-stream.jsonl")
        simulate(binary, stream, "zeek-json", "stream")
        compare_zeek_json("stream dns records", [stream], streams, want_path="dns",
                          real_want_path="dns")
        # No real stream of conn records is at hand: conn records must be those of the
        # per-file JSON conn.log plus the stream's _path and _write_ts.
        compare_zeek_json("stream conn records", [stream], json_conn, want_path="conn",
                          extra_keys=frozenset({"_path", "_write_ts", "ts"}))

        out = os.path.join(tmp, "eve.json")
        simulate(binary, out, "suricata-eve")
        real_eve = {}
        for path in eve:
            for group, shape in eve_shapes(path).items():
                merged = real_eve.setdefault(group, {"keys": {}, "patterns": {}})
                for obj, sets in shape.get("keys", {}).items():
                    merged["keys"].setdefault(obj, []).extend(sets)
                for leaf, seen in shape.get("patterns", {}).items():
                    merged["patterns"].setdefault(leaf, set()).update(seen)
        compare_suricata(real_eve, eve_shapes(out))

    for message in failures:
        print("FAIL simulate shape: " + message)
    print(f"simulate shape: {checks - len(failures)} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
