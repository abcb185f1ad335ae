#!/usr/bin/env python3
"""Write Defender DeviceNetworkEvents rows (advanced hunting JSON lines) made
from the Sysmon event ID 3 records of a real nxlog or winlogbeat 6 export.

Usage: gen_defender_from_sysmon.py SYSMON.jsonl > defender_from_sysmon.jsonl

Each Sysmon connection becomes one row with the columns of Microsoft's
DeviceNetworkEvents schema, mapped the way infrahunt's Sysmon reader maps the
same record, so a test can read both files and compare the events. DNS
queries (event ID 22) have no DeviceNetworkEvents row and are left out.
"""
import hashlib
import ipaddress
import json
import sys


def fields(record):
    """The Sysmon fields: nested under event_data (winlogbeat 6) or at the top (nxlog)."""
    return record.get("event_data", record)


def known(value):
    return "" if value in (None, "-") else value


def ip_type(text):
    addr = ipaddress.ip_address(text)
    if addr.is_loopback:
        return "Loopback"
    if addr.is_private:
        return "Private"
    return "Public"


def inbound_source_is_local(f, device):
    """Which side of an accepted connection is the device, decided as the reader decides it."""
    names = [known(f.get(side + "Hostname")).lower() for side in ("Source", "Destination")]
    named = [name != "" and name == device.lower() for name in names]
    if named[0] != named[1]:
        return named[0]
    listening = [int(f[side + "Port"]) < 49152 for side in ("Source", "Destination")]
    if listening[0] != listening[1]:
        return listening[0]
    return False


def row(record, report_id):
    f = fields(record)
    device = record.get("computer_name") or record.get("Hostname")
    outbound = f.get("Initiated") != "false"
    if outbound or inbound_source_is_local(f, device):
        local, remote = "Source", "Destination"
    else:
        local, remote = "Destination", "Source"

    image = f.get("Image", "")
    domain, _, name = f.get("User", "").rpartition("\\")
    utc = f["UtcTime"]  # "2020-07-22 04:00:48.097", UTC
    date, time = utc.split(" ")
    seconds, _, fraction = time.partition(".")
    remote_ip = str(ipaddress.ip_address(f[remote + "Ip"]))
    local_ip = str(ipaddress.ip_address(f[local + "Ip"]))

    return {
        "Timestamp": "%sT%s.%sZ" % (date, seconds, fraction.ljust(7, "0")),
        "DeviceId": hashlib.sha1(device.lower().encode()).hexdigest(),
        "DeviceName": device,
        "ActionType": "ConnectionSuccess" if outbound else "InboundConnectionAccepted",
        "RemoteIP": remote_ip,
        "RemotePort": int(f[remote + "Port"]),
        "RemoteUrl": known(f.get(remote + "Hostname")),
        "LocalIP": local_ip,
        "LocalPort": int(f[local + "Port"]),
        "Protocol": f.get("Protocol", "").capitalize(),
        "LocalIPType": ip_type(local_ip),
        "RemoteIPType": ip_type(remote_ip),
        "InitiatingProcessFileName": image.rpartition("\\")[2],
        "InitiatingProcessFolderPath": image,
        "InitiatingProcessId": int(f["ProcessId"]),
        "InitiatingProcessAccountDomain": domain,
        "InitiatingProcessAccountName": name,
        "ReportId": report_id,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as src:
        for number, line in enumerate(src, 1):
            record = json.loads(line)
            if record.get("EventID", record.get("event_id")) != 3:
                continue
            print(json.dumps(row(record, number), ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
