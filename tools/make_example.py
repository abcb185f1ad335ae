#!/usr/bin/env python3
"""Writes the built-in example under examples/: a small Defender export and a
Zeek conn.log of one afternoon on a made-up network, in which a PowerShell
implant beacons every 30 s, resolves and calls dynamic-DNS names, and fans out
to a dozen addresses, among ordinary browsing and update traffic.

Deterministic (fixed seed), so the committed files can be made again."""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

rng = random.Random(20240419)
start = datetime(2024, 4, 19, 13, 0, 0, tzinfo=timezone.utc)
out_dir = sys.argv[1] if len(sys.argv) > 1 else "examples"

DEVICES = [
    ("a3f1c2d4e5f60718293a4b5c6d7e8f9012345678", "ws-fin-07.corp.example", "10.1.5.23"),
    ("b4e2d3c5f6a70819304b5c6d7e8f90a123456789", "ws-hr-02.corp.example", "10.1.6.41"),
    ("c5f3e4d6a7b8091a415c6d7e8f90a1b234567890", "srv-build-01.corp.example", "10.1.9.10"),
]
PS = ("powershell.exe", "c:\\windows\\system32\\windowspowershell\\v1.0")


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (t.microsecond * 10)


def defender(t, dev, action, rip, rport, url, proc, pid):
    device_id, name, lip = dev
    return {
        "Timestamp": ts(t), "DeviceId": device_id, "DeviceName": name,
        "ActionType": action, "RemoteIP": rip, "RemotePort": rport, "RemoteUrl": url,
        "LocalIP": lip, "LocalPort": rng.randint(49152, 65535), "Protocol": "Tcp",
        "InitiatingProcessFileName": proc[0], "InitiatingProcessFolderPath": proc[1] + "\\" + proc[0],
        "InitiatingProcessId": pid,
    }


rows = []
# Dynamic DNS: two hosts reach names under duckdns.org and hopto.org.
for i in range(6):
    t = start + timedelta(minutes=7 * i, seconds=rng.randint(0, 50))
    rows.append(defender(t, DEVICES[0], "ConnectionSuccess", "45.77.65.211", 443,
                         "update-check.duckdns.org", PS, 6120))
for i in range(3):
    t = start + timedelta(minutes=40 + 11 * i)
    rows.append(defender(t, DEVICES[1], "ConnectionSuccess", "45.77.65.211", 443,
                         "update-check.duckdns.org", ("rundll32.exe", "c:\\windows\\system32"), 7344))
# Fast flux: the implant walks through twelve addresses on port 80 within ten minutes.
for i in range(12):
    t = start + timedelta(hours=1, minutes=20, seconds=47 * i)
    rows.append(defender(t, DEVICES[0], "ConnectionSuccess", "91.215.85.%d" % (10 + 7 * i), 80,
                         "cdn.hopto.org", PS, 6120))
# Background: browsing (excluded by name), updates, and a failed attempt.
for i in range(120):
    t = start + timedelta(seconds=rng.randint(0, 3 * 3600))
    dev = DEVICES[rng.randint(0, 2)]
    rows.append(defender(t, dev, "ConnectionSuccess", "13.107.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)),
                         443, rng.choice(["www.bing.com", "outlook.office365.com", "github.com", ""]),
                         ("msedge.exe", "c:\\program files (x86)\\microsoft\\edge\\application"), 4410))
for i in range(30):
    t = start + timedelta(minutes=6 * i)
    rows.append(defender(t, DEVICES[2], "ConnectionSuccess", "20.42.65.92", 443,
                         "settings-win.data.microsoft.com", ("svchost.exe", "c:\\windows\\system32"), 1204))
rows.append(defender(start + timedelta(minutes=3), DEVICES[1], "ConnectionFailed", "203.0.113.50", 4444,
                     "", ("notepad.exe", "c:\\windows\\system32"), 9001))
rows.sort(key=lambda r: r["Timestamp"])
with open(out_dir + "/defender-network-events.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")

# Zeek conn.log from the network sensor: the implant's beacon with bytes, which
# Defender does not record, every 30 s with 20 % jitter for three hours.
fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
          "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
          "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
          "tunnel_parents"]
types = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count",
         "count", "string", "bool", "bool", "count", "string", "count", "count", "count", "count",
         "set[string]"]
lines = []
t = start
n = 0
while t < start + timedelta(hours=3):
    n += 1
    ob, rb = rng.randint(310, 420), rng.randint(180, 260)
    lines.append([
        "%.6f" % t.timestamp(), "C%016x" % rng.getrandbits(64), "10.1.5.23", str(rng.randint(49152, 65535)),
        "185.220.101.34", "8080", "tcp", "http", "%.6f" % rng.uniform(0.05, 0.3), str(ob), str(rb), "SF",
        "T", "F", "0", "ShADadFf", "6", str(ob + 320), "5", str(rb + 270), "-"])
    t += timedelta(seconds=30 * rng.uniform(0.8, 1.2))
for i in range(200):
    t2 = start + timedelta(seconds=rng.randint(0, 3 * 3600))
    lines.append([
        "%.6f" % t2.timestamp(), "C%016x" % rng.getrandbits(64), "10.1.%d.%d" % (rng.randint(5, 9), rng.randint(2, 250)),
        str(rng.randint(49152, 65535)), "151.101.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)), "443", "tcp",
        "ssl", "%.6f" % rng.uniform(0.1, 30), str(rng.randint(500, 9000)), str(rng.randint(2000, 900000)), "SF",
        "T", "F", "0", "ShADadFf", "12", "4000", "30", "80000", "-"])
lines.sort(key=lambda l: float(l[0]))
with open(out_dir + "/conn.log", "w") as f:
    f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n")
    f.write("#open\t2024-04-19-13-00-00\n#fields\t" + "\t".join(fields) + "\n#types\t" + "\t".join(types) + "\n")
    for l in lines:
        f.write("\t".join(l) + "\n")
    f.write("#close\t2024-04-19-16-00-00\n")
