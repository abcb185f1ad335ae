#!/usr/bin/env python3
"""Write the input of the suricata-beacon-ddns cases: one scenario as Suricata
eve.json (eve.json) and as Defender advanced-hunting JSON lines
(../suricata-beacon-ddns-defender/defender.jsonl).

10.0.0.5 looks up c2.duckdns.org, then connects to 203.0.113.66:443 with that
name as TLS SNI, every 300 s with up to 20 s of jitter, 40 times. In the eve
file each connection is a dns request and response (log format 3), a tls
record, then the flow record, as Suricata writes them. Alerts, an unused
event type and a refused connection are mixed in. The Defender rows carry
the same connections with the SNI as RemoteUrl and the flow's byte counts,
so both inputs must give the same alerts. Deterministic: no randomness.
"""
import datetime
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
START = datetime.datetime(2024, 5, 30, 8, 0, 0, tzinfo=datetime.timezone.utc)


def eve_time(t):
    # Suricata's format: microseconds and a zone offset without a colon.
    return t.astimezone(datetime.timezone(datetime.timedelta(hours=2))).strftime(
        "%Y-%m-%dT%H:%M:%S.%f%z")


def defender_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def main():
    eve, defender = [], []
    for i in range(40):
        t = START + datetime.timedelta(seconds=300 * i + (i * 7) % 21)
        flow_id = 1000000 + i
        dns_id = 4000 + i
        port = 50000 + i
        sent, received = 517 + i, 4200 + 3 * i
        dns_flow = 2000000 + i
        eve.append({"timestamp": eve_time(t), "flow_id": dns_flow, "event_type": "dns",
                    "src_ip": "10.0.0.5", "src_port": 40000 + i, "dest_ip": "10.0.0.1",
                    "dest_port": 53, "proto": "UDP",
                    "dns": {"version": 3, "type": "request", "tx_id": 0, "id": dns_id,
                            "flags": "100", "rd": True, "opcode": 0, "rcode": "NOERROR",
                            "queries": [{"rrname": "c2.duckdns.org", "rrtype": "A"}]}})
        t_resp = t + datetime.timedelta(milliseconds=20)
        eve.append({"timestamp": eve_time(t_resp), "flow_id": dns_flow, "event_type": "dns",
                    "src_ip": "10.0.0.1", "src_port": 53, "dest_ip": "10.0.0.5",
                    "dest_port": 40000 + i, "proto": "UDP",
                    "dns": {"version": 3, "type": "response", "tx_id": 1, "id": dns_id,
                            "flags": "8180", "qr": True, "rd": True, "ra": True, "opcode": 0,
                            "rcode": "NOERROR",
                            "queries": [{"rrname": "c2.duckdns.org", "rrtype": "A"}],
                            "answers": [{"rrname": "c2.duckdns.org", "rrtype": "A", "ttl": 60,
                                         "rdata": "203.0.113.66"}]}})
        t_conn = t + datetime.timedelta(milliseconds=50)
        eve.append({"timestamp": eve_time(t_conn + datetime.timedelta(milliseconds=30)),
                    "flow_id": flow_id, "event_type": "tls", "src_ip": "10.0.0.5",
                    "src_port": port, "dest_ip": "203.0.113.66", "dest_port": 443,
                    "proto": "TCP", "tls": {"sni": "c2.duckdns.org", "version": "TLS 1.2"}})
        if i % 10 == 3:
            eve.append({"timestamp": eve_time(t_conn), "flow_id": flow_id,
                        "event_type": "alert", "src_ip": "10.0.0.5", "src_port": port,
                        "dest_ip": "203.0.113.66", "dest_port": 443, "proto": "TCP",
                        "alert": {"action": "allowed", "signature_id": 9000001,
                                  "signature": "test: dynamic DNS name in SNI"}})
        end = t_conn + datetime.timedelta(seconds=2)
        eve.append({"timestamp": eve_time(end + datetime.timedelta(seconds=60)),
                    "flow_id": flow_id, "event_type": "flow", "src_ip": "10.0.0.5",
                    "src_port": port, "dest_ip": "203.0.113.66", "dest_port": 443,
                    "proto": "TCP", "app_proto": "tls",
                    "flow": {"pkts_toserver": 8, "pkts_toclient": 7, "bytes_toserver": sent,
                             "bytes_toclient": received, "start": eve_time(t_conn),
                             "end": eve_time(end), "age": 2, "state": "closed",
                             "reason": "timeout", "alerted": i % 10 == 3},
                    "tcp": {"tcp_flags": "1b", "tcp_flags_ts": "1b", "tcp_flags_tc": "1b",
                            "syn": True, "fin": True, "psh": True, "ack": True,
                            "state": "closed"}})
        defender.append({"Timestamp": defender_time(t_conn), "DeviceId": "10.0.0.5",
                         "DeviceName": "10.0.0.5", "ActionType": "ConnectionSuccess",
                         "RemoteIP": "203.0.113.66", "RemotePort": 443,
                         "RemoteUrl": "c2.duckdns.org", "LocalIP": "10.0.0.5",
                         "LocalPort": port, "Protocol": "Tcp", "SentBytes": sent,
                         "ReceivedBytes": received})
    # A refused connection and a stats record, which give no alert.
    t = START + datetime.timedelta(minutes=7)
    eve.append({"timestamp": eve_time(t), "flow_id": 3000000, "event_type": "flow",
                "src_ip": "10.0.0.5", "src_port": 49999, "dest_ip": "198.51.100.9",
                "dest_port": 8080, "proto": "TCP",
                "flow": {"pkts_toserver": 1, "pkts_toclient": 1, "bytes_toserver": 60,
                         "bytes_toclient": 54, "start": eve_time(t), "state": "closed"},
                "tcp": {"tcp_flags_ts": "02", "tcp_flags_tc": "14", "state": "closed"}})
    eve.append({"timestamp": eve_time(t), "event_type": "stats", "stats": {"uptime": 420}})
    defender.append({"Timestamp": defender_time(t), "DeviceId": "10.0.0.5",
                     "DeviceName": "10.0.0.5", "ActionType": "ConnectionFailed",
                     "RemoteIP": "198.51.100.9", "RemotePort": 8080, "RemoteUrl": "",
                     "LocalIP": "10.0.0.5", "LocalPort": 49999, "Protocol": "Tcp",
                     "SentBytes": 60, "ReceivedBytes": 54})

    with open(os.path.join(HERE, "eve.json"), "w") as f:
        for r in eve:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    with open(os.path.join(HERE, "..", "suricata-beacon-ddns-defender", "defender.jsonl"),
              "w") as f:
        for r in defender:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


main()
