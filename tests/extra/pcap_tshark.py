#!/usr/bin/env python3
"""Compare `infrahunt events` on a capture with tshark's reading of it.

Arguments: events.jsonl packets.tsv dns.tsv names.tsv, as pcap_tshark.sh
writes them. Flows are compared by their address and port pairs with
payload bytes summed per direction, because tshark numbers UDP streams per
address pair while infrahunt ends a UDP flow after 60 s of silence. DNS
responses are compared as a multiset of (client, name, rcode, addresses,
CNAME targets, TTLs). Prints each difference, at most 10 per kind, and exits
1 when there is any.
"""
import collections
import ipaddress
import json
import sys


def endpoint(ip, port):
    return (ipaddress.ip_address(ip).compressed, int(port))


def read_events(path):
    flows = collections.Counter()
    dns = collections.Counter()
    names = {}
    for line in open(path):
        e = json.loads(line)
        if e["kind"] == "conn":
            a = endpoint(e["local_ip"], e["local_port"])
            b = endpoint(e["remote_ip"], e["remote_port"])
            flows[(e["protocol"], a, b)] += e["bytes_sent"]
            flows[(e["protocol"], b, a)] += e["bytes_received"]
            if e["remote_name"]:
                names[(a, b)] = e["remote_name"]
        elif e["kind"] == "dns" and e["rcode"] is not None:
            answers = e["answers"]
            dns[(ipaddress.ip_address(e["client_ip"]).compressed, e["query_name"], e["rcode"],
                 tuple(sorted(a["data"] for a in answers if a["type"] == "addr")),
                 tuple(sorted(a["data"] for a in answers if a["type"] == "cname")),
                 tuple(sorted(a["ttl"] for a in answers)))] += 1
    return flows, dns, names


def split(value):
    return [v for v in value.split(",") if v]


def read_tshark(packets, dns_path, names_path):
    flows = collections.Counter()
    for line in open(packets):
        f = line.rstrip("\n").split("\t")
        src, dst = f[0] or f[1], f[2] or f[3]
        if f[4]:
            key = ("tcp", endpoint(src, f[4]), endpoint(dst, f[5]))
            flows[key] += int(f[8] or 0)
        else:
            key = ("udp", endpoint(src, f[6]), endpoint(dst, f[7]))
            flows[key] += int(f[9]) - 8
    dns = collections.Counter()
    for line in open(dns_path):
        f = line.rstrip("\n").split("\t")
        addrs = [ipaddress.ip_address(a).compressed for a in split(f[4]) + split(f[5])]
        dns[(ipaddress.ip_address(f[0] or f[1]).compressed, f[2], int(f[3]),
             tuple(sorted(addrs)), tuple(sorted(split(f[6]))),
             tuple(sorted(int(t) for t in split(f[7]))))] += 1
    names = {}
    for line in open(names_path):
        f = line.rstrip("\n").split("\t")
        a, b = endpoint(f[0] or f[1], f[2]), endpoint(f[3] or f[4], f[5])
        names.setdefault((a, b), f[6] or f[7])
    return flows, dns, names


def report(kind, ours, theirs):
    missing = ours - theirs
    extra = theirs - ours
    for what, items in (("only infrahunt", missing), ("only tshark", extra)):
        for i, item in enumerate(sorted(items.items() if hasattr(items, "items") else items)):
            if i == 10:
                print(f"  {kind}: ... {len(items) - 10} more {what}")
                break
            print(f"  {kind}: {what}: {item}")
    return not missing and not extra


def main():
    ours_flows, ours_dns, ours_names = read_events(sys.argv[1])
    their_flows, their_dns, their_names = read_tshark(*sys.argv[2:5])
    # Keep zero-byte directions out of both sides, so a direction without payload matches.
    ours_flows = +ours_flows
    their_flows = +their_flows
    ok = report("bytes", ours_flows, their_flows)
    ok = report("dns", ours_dns, their_dns) and ok
    ours_n = collections.Counter(ours_names.items())
    their_n = collections.Counter(their_names.items())
    ok = report("names", ours_n, their_n) and ok
    print(f"  {len(ours_flows)} flow directions with payload, {sum(ours_dns.values())} DNS responses,"
          f" {len(ours_names)} names compared")
    if not ours_flows or not ours_dns or not ours_names:
        print("  nothing to compare: the capture produced no flows, DNS or names")
        ok = False
    sys.exit(0 if ok else 1)


main()
