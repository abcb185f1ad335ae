#!/usr/bin/env python3
"""Recompute the seed rule's alerts from raw Zeek conn logs, independently of infrahunt.

Written from docs/SEED.md and docs/EVENTS.md only, to check the expected_stdout
of the real-* cases on Zeek data. It reads conn logs in TSV (with a #fields
line) or JSON lines, plain or gzip. Each record is mapped as the Zeek reader
is documented to map it: the device is the local side, the direction comes
from local_orig and local_resp, and only completed handshakes are
ConnectionSuccess. Then parts 1 and 3 of the rule run. Part 2 needs
RemoteUrl, which conn.log does not carry, so it never fires on Zeek data.

Usage: oracle.py PATH... > oracle.txt, then
       oracle.py --compare infrahunt-jsonl-output oracle.txt
"""
import calendar
import collections
import datetime
import gzip
import ipaddress
import json
import os
import sys
from decimal import Decimal

HOUR = 3600 * 10**9
BEACON_PORTS = {80, 443, 8080, 8443, 4443, 4444, 1080, 3128}
# TCP states in which Zeek saw the handshake complete.
ESTABLISHED = {"S1", "S2", "S3", "SF", "RSTO", "RSTR"}
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def walk(paths):
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    yield os.path.join(root, name)


def read_lines(path):
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    with (gzip.open if gz else open)(path, "rt", errors="replace") as f:
        for line in f:
            yield line.rstrip("\n").rstrip("\r")


def conn_records(path):
    """Yields each conn record of a file as a dict of Zeek field texts."""
    fields, is_conn = None, False
    for line in read_lines(path):
        if line.startswith("{"):
            obj = json.loads(line)
            if "conn_state" not in obj and "orig_bytes" not in obj:
                continue
            record = {}
            for key, value in obj.items():
                if key.startswith("id_"):
                    key = "id." + key[3:]
                if isinstance(value, bool):
                    value = "T" if value else "F"
                record[key] = str(value)
            yield record
        elif line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line.startswith("#path"):
            is_conn = line.split("\t")[1] == "conn"
        elif not line.startswith("#") and fields and is_conn:
            yield dict(zip(fields, line.split("\t")))


def count(record, key):
    text = record.get(key, "-")
    return None if text in ("-", "") else int(text)


def to_event(r):
    direction = {("T", "F"): "outbound", ("F", "T"): "inbound", ("T", "T"): "local"}.get(
        (r.get("local_orig", "-"), r.get("local_resp", "-")), "unknown")
    inbound = direction == "inbound"
    proto = r.get("proto", "-")
    state = r.get("conn_state", "-")
    if proto in ("tcp", "-"):
        established, rejected = state in ESTABLISHED, state == "REJ"
    else:
        replied = (count(r, "resp_pkts") or 0) > 0 or (count(r, "resp_bytes") or 0) > 0
        established, rejected = replied or state == "SF", False
    if established:
        action = "inbound" if inbound else "success"
    else:
        action = "failed" if rejected else "attempt"
    local, remote = ("resp", "orig") if inbound else ("orig", "resp")
    return {
        "ns": int(Decimal(r["ts"]) * 10**9),
        "device": r["id.%s_h" % local],
        "ip": r["id.%s_h" % remote],
        "port": None if proto == "icmp" else int(r["id.%s_p" % remote]),
        "action": action,
        "sent": count(r, "%s_bytes" % local),
        "received": count(r, "%s_bytes" % remote),
    }


def public_v4(text):
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return False
    return addr.version == 4 and not any(addr in net for net in PRIVATE)


def known_sum(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def run(paths):
    events = [to_event(r) for path in walk(paths) for r in conn_records(path)]
    if not events:
        return []
    now = max(e["ns"] for e in events)
    alerts = []

    groups = collections.defaultdict(list)
    for e in events:
        if (e["action"] in ("success", "attempt") and e["port"] in BEACON_PORTS
                and public_v4(e["ip"]) and e["ns"] > now - 7 * 24 * HOUR):
            groups[(e["device"], e["ip"])].append(e)
    for (device, ip), rows in groups.items():
        n, sent = len(rows), known_sum(e["sent"] for e in rows)
        first, last = min(e["ns"] for e in rows), max(e["ns"] for e in rows)
        hours = last // HOUR - first // HOUR
        if n < 20 or sent is None or sent <= 1000 or hours <= 1:
            continue
        rate = n // hours
        if 0.5 <= rate <= 200:
            alerts.append(["PotentialBeaconing", last, device, ip, n, {
                "bytes": sent, "received": known_sum(e["received"] for e in rows),
                "first": first, "ports": len({e["port"] for e in rows}),
                "hours": hours, "rate": rate}])

    groups = collections.defaultdict(list)
    for e in events:
        if e["action"] == "success" and public_v4(e["ip"]):
            groups[(e["device"], e["ns"] // HOUR)].append(e)
    for (device, hour), rows in groups.items():
        ips = {e["ip"] for e in rows}
        if len(ips) >= 5 and len(rows) >= 10:
            alerts.append(["PotentialFastFluxActivity", hour * HOUR, device, "", len(rows),
                           {"ips": len(ips)}])
    return sorted(alerts, key=lambda a: (-a[1], a[0], a[2], a[3], a[4]))


def parse_time(text):
    base, _, frac = text.rstrip("Z").partition(".")
    secs = calendar.timegm(datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").timetuple())
    return secs * 10**9 + int(frac.ljust(9, "0") or 0)


def compare(output_path, oracle_path):
    """Returns the number of alerts that differ between infrahunt's output and the oracle's."""
    got = [json.loads(line) for line in open(output_path)]
    want = [json.loads(line) for line in open(oracle_path)]
    bad = 0 if len(got) == len(want) else 1
    if bad:
        print("alert count differs: infrahunt %d, oracle %d" % (len(got), len(want)))
    for a, (kind, ts, device, ip, n, extra) in zip(got, want):
        pairs = [(a["AlertType"], kind), (parse_time(a["Timestamp"]), ts),
                 (a["DeviceName"], device), (a["RemoteIP"], ip), (a["ConnectionCount"], n)]
        if kind == "PotentialBeaconing":
            pairs += [(a["BytesSent"], extra["bytes"]), (a["BytesReceived"], extra["received"]),
                      (parse_time(a["FirstSeen"]), extra["first"]),
                      (parse_time(a["LastSeen"]), ts), (a["UniqueRemotePorts"], extra["ports"]),
                      (a["DurationHours"], extra["hours"]), (a["BeaconRate"], extra["rate"])]
        else:
            pairs += [(a["UniqueIPs"], extra["ips"]), (a["BytesSent"], 0),
                      (a["BytesReceived"], 0)]
        if any(x != y for x, y in pairs):
            bad += 1
            print("differs:", json.dumps(a), "oracle:", json.dumps([kind, ts, device, ip, n, extra]))
    print("%d alerts, %d differ" % (len(got), bad))
    return bad


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    for alert in run(sys.argv[1:]):
        print(json.dumps(alert))
