#!/usr/bin/python3
"""Differential test of the EVTX reader against evtxexport and python-evtx.

For every .evtx file named (folders are searched recursively), three readings
of the file are compared:

  ours         infrahunt events FILE
  evtxexport   evtxexport -f xml FILE (Debian package libevtx-utils)
  python-evtx  Evtx.Evtx(FILE).records() (Debian package python3-evtx)

Each oracle's Sysmon event 3 and 22 records are written as flat JSON lines
(EventID, Channel, SourceName, Computer and the EventData fields, the nxlog
layout) and read with infrahunt's JSON reader, which shares the field mapping
with the EVTX reader. So the events must be equal field for field, except
where they came from (source, file, line, offset), and the record counts must
agree. Any difference is printed and makes the exit status 1.

Usage: evtx_oracles.py path/to/infrahunt PATH...
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
SYSMON_CHANNEL = "microsoft-windows-sysmon/operational"
SYSMON_PROVIDER = "microsoft-windows-sysmon"
ORIGIN_KEYS = ("source", "file", "line", "offset")


def event_records(root):
    """Yields (system, data) for each <Event> under root: dicts of the fields used."""
    for event in root.iter(NS + "Event"):
        system = event.find(NS + "System")
        provider = system.find(NS + "Provider") if system is not None else None
        fields = {
            "EventID": (system.findtext(NS + "EventID") or "").strip() if system is not None else "",
            "Channel": system.findtext(NS + "Channel") if system is not None else None,
            "SourceName": provider.get("Name") if provider is not None else None,
            "Computer": system.findtext(NS + "Computer") if system is not None else None,
        }
        data = {}
        event_data = event.find(NS + "EventData")
        if event_data is not None:
            for item in event_data.findall(NS + "Data"):
                name = item.get("Name")
                if name is not None and name not in data:
                    data[name] = item.text or ""
        yield fields, data


def is_network_record(fields):
    sysmon = (fields["Channel"] or "").lower() == SYSMON_CHANNEL or (
        fields["SourceName"] or ""
    ).lower() == SYSMON_PROVIDER
    return sysmon and fields["EventID"] in ("3", "22")


def records_evtxexport(path):
    out = subprocess.run(["evtxexport", "-f", "xml", path], check=True, capture_output=True).stdout
    text = out.decode("utf-8", "replace")
    # The first line names the program; the records follow as XML documents.
    body = text.split("\n", 1)[1] if text.startswith("evtxexport") else text
    root = ET.fromstring("<Events>" + body + "</Events>")
    return list(event_records(root))


def records_python_evtx(path):
    import Evtx.Evtx as evtx

    records = []
    with evtx.Evtx(path) as log:
        for record in log.records():
            root = ET.fromstring(record.xml())
            records.extend(event_records(root))
    return records


def events_of_json(binary, records, tmp):
    """Writes the network records as nxlog-style JSON lines and reads them with infrahunt."""
    lines = []
    for fields, data in records:
        if not is_network_record(fields):
            continue
        row = {"EventID": int(fields["EventID"])}
        for key in ("Channel", "SourceName", "Computer"):
            if fields[key] is not None:
                row[key] = fields[key]
        row.update(data)
        lines.append(json.dumps(row))
    path = os.path.join(tmp, "records.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + ("\n" if lines else ""))
    return read_events(binary, path)


def read_events(binary, path):
    """Returns (events without origin keys, records read, stderr) of infrahunt events PATH."""
    run = subprocess.run([binary, "events", "--stats", path], capture_output=True)
    events = []
    for line in run.stdout.decode("utf-8").splitlines():
        event = json.loads(line)
        for key in ORIGIN_KEYS:
            event.pop(key, None)
        events.append(event)
    read = 0
    stderr = run.stderr.decode("utf-8", "replace")
    for line in stderr.splitlines():
        words = line.split()
        if len(words) >= 4 and words[0] == "read" and words[1] in ("sysmon-evtx", "sysmon-json"):
            read += int(words[-1])
    return events, read, stderr


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            return "event %d differs in %s: %s" % (
                i + 1,
                ", ".join(keys),
                "; ".join("%s ours %r, oracle %r" % (k, x.get(k), y.get(k)) for k in keys),
            )
    return "%d events here, %d from the oracle" % (len(a), len(b))


def check_file(binary, path, tmp):
    """Compares one file; returns a list of failure messages."""
    failures = []
    ours, ours_read, ours_err = read_events(binary, path)
    if "infrahunt:" in ours_err.replace("infrahunt: statistics", ""):
        failures.append("infrahunt reported problems:\n" + ours_err)
    for name, reader in (("evtxexport", records_evtxexport), ("python-evtx", records_python_evtx)):
        try:
            records = reader(path)
        except Exception as e:  # an oracle that cannot read the file is a failure to look at
            failures.append("%s failed: %s" % (name, e))
            continue
        if len(records) != ours_read:
            failures.append("%s reads %d records, infrahunt %d" % (name, len(records), ours_read))
        theirs, _, theirs_err = events_of_json(binary, records, tmp)
        network = sum(1 for fields, _ in records if is_network_record(fields))
        if len(theirs) != network:
            failures.append(
                "%s: %d Sysmon 3/22 records gave %d events through the JSON reader:\n%s"
                % (name, network, len(theirs), theirs_err)
            )
        if ours != theirs:
            failures.append("%s: %s" % (name, first_difference(ours, theirs)))
    return failures, len(ours), ours_read


def evtx_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                for name in sorted(names):
                    if name.lower().endswith(".evtx"):
                        yield os.path.join(folder, name)
        else:
            yield path


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    binary, paths = sys.argv[1], sys.argv[2:]
    if not shutil.which("evtxexport"):
        print("FAIL evtx oracles: evtxexport not found; run tools/setup.sh (libevtx-utils)")
        return 1
    passed = failed = 0
    tmp = tempfile.mkdtemp()
    try:
        for path in evtx_files(paths):
            failures, events, records = check_file(binary, path, tmp)
            label = os.path.basename(path)
            if failures:
                failed += 1
                print("FAIL %s" % label)
                for failure in failures:
                    print("    " + failure.replace("\n", "\n    "))
            else:
                passed += 1
                print("PASS %s: records %d, events %d, the same from both oracles" % (label, records, events))
    finally:
        shutil.rmtree(tmp)
    if passed + failed == 0:
        print("FAIL evtx oracles: no .evtx file found in %s" % " ".join(paths))
        return 1
    print("evtx oracles: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
