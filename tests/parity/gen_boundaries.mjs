// Boundary cases of the reference rule, each with its own devices and
// dynamic-DNS names, and the alerts each must produce, worked out by hand
// (not by running any implementation of the rule).
//
// Usage: node gen_boundaries.mjs OUT.jsonl
// writes every case's rows to OUT.jsonl in a fixed shuffled order, so a
// reader cannot rely on file order matching time order.

import { pathToFileURL } from 'node:url';
import { NS_PER_MINUTE, Random, rowToJson, t, writeLines } from './events.mjs';

// The scan time of every boundary run. The newest row in the file is at
// exactly this time, so a scan without --now must give the same alerts.
export const NOW_TEXT = '2024-03-15T12:00:00Z';
export const NOW = t(NOW_TEXT);

const BEACON = 'PotentialBeaconing';
const DYNDNS = 'SuspiciousDynamicDNS';
const FLUX = 'PotentialFastFluxActivity';

// Returns `count` times from `first` to `last` inclusive, evenly spaced and
// rounded down to Defender's 100 ns tick.
function spread(firstText, lastText, count) {
    const first = t(firstText);
    const last = t(lastText);
    if (count === 1) {
        return [first];
    }
    const times = [];
    for (let i = 0; i < count; i++) {
        const offset = ((last - first) * BigInt(i)) / BigInt(count - 1);
        times.push(first + offset - (offset % 100n));
    }
    return times;
}

// Returns `count` times starting at `firstText`, `minutes` apart.
function every(firstText, minutes, count) {
    const first = t(firstText);
    return Array.from({ length: count }, (_, i) => first + BigInt(i * minutes) * NS_PER_MINUTE);
}

function folderPath(processName) {
    return `c:\\program files\\vendor\\${processName.toLowerCase()}`;
}

// Builds one row with the defaults of a beaconing implant. `fields`
// overrides any column, and `time` is BigInt nanoseconds.
function row(caseName, time, fields = {}) {
    const processName = fields.InitiatingProcessFileName ?? 'powershell.exe';
    return {
        time,
        DeviceId: `dev-${caseName}`,
        DeviceName: `${caseName}.corp.example`,
        ActionType: 'ConnectionSuccess',
        RemoteIP: '203.0.113.10',
        RemotePort: 443,
        RemoteUrl: 'c2.example.net',
        LocalIP: '10.20.0.5',
        LocalPort: 49152 + Number((time / 1_000_000_000n) % 16000n),
        Protocol: 'Tcp',
        InitiatingProcessFileName: processName,
        InitiatingProcessFolderPath: folderPath(processName),
        InitiatingProcessId: 4242,
        SentBytes: 100,
        ReceivedBytes: 200,
        ...fields,
    };
}

function rows(caseName, times, fields = {}) {
    return times.map((time) => row(caseName, time, fields));
}

// The 20-row beacon most part 1 cases start from: 09:30 to 11:24 on one
// day, 6 minutes apart, so it crosses 2 hour boundaries (rate 20 / 2 = 10).
const TWENTY = () => spread('2024-03-14T09:30:00Z', '2024-03-14T11:24:00Z', 20);

// The alert that TWENTY produces with default fields; `fields` overrides.
function beaconAlert(caseName, fields = {}) {
    return {
        AlertType: BEACON,
        Timestamp: '2024-03-14T11:24:00Z',
        DeviceId: `dev-${caseName}`,
        DeviceName: `${caseName}.corp.example`,
        RemoteIP: '203.0.113.10',
        RemoteUrl: 'c2.example.net',
        ConnectionCount: 20,
        BytesSent: 2000,
        BytesReceived: 4000,
        SampleProcesses: ['powershell.exe'],
        FirstSeen: '2024-03-14T09:30:00Z',
        LastSeen: '2024-03-14T11:24:00Z',
        UniqueRemotePorts: 1,
        DurationHours: 2,
        BeaconRate: 10,
        ...fields,
    };
}

function dyndnsAlert(fields) {
    return {
        AlertType: DYNDNS,
        Timestamp: NOW_TEXT,
        DeviceName: 'Multiple',
        BytesSent: 0,
        BytesReceived: 0,
        ...fields,
    };
}

function fluxAlert(caseName, fields) {
    return {
        AlertType: FLUX,
        DeviceId: `dev-${caseName}`,
        DeviceName: `${caseName}.corp.example`,
        RemoteIP: '',
        BytesSent: 0,
        BytesReceived: 0,
        SampleProcesses: ['updater.exe'],
        ...fields,
    };
}

// Rows of a fast-flux burst: `count` connections from updater.exe, `minutes`
// apart from `firstText`, cycling over `ipCount` public addresses.
function fluxRows(caseName, firstText, minutes, count, ipCount, fields = {}) {
    return every(firstText, minutes, count).map((time, i) =>
        row(caseName, time, {
            RemoteIP: `45.33.0.${1 + (i % ipCount)}`,
            RemoteUrl: 'edge.flux.example',
            InitiatingProcessFileName: 'updater.exe',
            ...fields,
        }),
    );
}

function beaconCases() {
    const cases = [];
    const add = (name, about, caseRows, expect) => cases.push({ name, about, rows: caseRows, expect });

    add('beacon-count-19', '19 connections fail ConnectionCount >= 20',
        rows('beacon-count-19', spread('2024-03-14T09:30:00Z', '2024-03-14T11:18:00Z', 19)), []);

    add('beacon-count-20', '20 connections pass ConnectionCount >= 20',
        rows('beacon-count-20', TWENTY()), [beaconAlert('beacon-count-20')]);

    add('beacon-bytes-1000', 'BytesSent of exactly 1000 fails BytesSent > 1000',
        rows('beacon-bytes-1000', TWENTY(), { SentBytes: 50 }), []);

    {
        const name = 'beacon-bytes-1001';
        const caseRows = rows(name, TWENTY(), { SentBytes: 50, ReceivedBytes: undefined });
        caseRows[19].SentBytes = 51;
        add(name, 'BytesSent of 1001 passes, and no ReceivedBytes gives null', caseRows,
            [beaconAlert(name, { BytesSent: 1001, BytesReceived: null })]);
    }

    add('beacon-bytes-unknown', 'no SentBytes in any row makes BytesSent null, which fails',
        rows('beacon-bytes-unknown', TWENTY(), { SentBytes: undefined, ReceivedBytes: 5000 }), []);

    {
        const name = 'beacon-bytes-partial';
        const caseRows = rows(name, TWENTY(), { ReceivedBytes: undefined });
        caseRows.forEach((r, i) => {
            if (i < 10) {
                r.SentBytes = 101;
            } else if (i < 17) {
                r.SentBytes = undefined;
            } else {
                r.SentBytes = null;
            }
        });
        caseRows[0].ReceivedBytes = 0;
        add(name, 'sums skip unknown and null byte counts, but a known 0 stays 0', caseRows,
            [beaconAlert(name, { BytesSent: 1010, BytesReceived: 0 })]);
    }

    {
        const name = 'beacon-hours-two-boundaries';
        const times = [
            t('2024-03-14T08:59:50Z'),
            ...spread('2024-03-14T09:00:00Z', '2024-03-14T09:51:00Z', 18),
            t('2024-03-14T10:00:14Z'),
        ];
        add(name, '08:59:50 to 10:00:14 crosses 2 hour boundaries and passes', rows(name, times),
            [beaconAlert(name, {
                Timestamp: '2024-03-14T10:00:14Z',
                FirstSeen: '2024-03-14T08:59:50Z',
                LastSeen: '2024-03-14T10:00:14Z',
            })]);
    }

    {
        const name = 'beacon-hours-one-boundary';
        const times = [
            t('2024-03-14T08:59:50Z'),
            ...spread('2024-03-14T09:00:00Z', '2024-03-14T09:51:00Z', 18),
            t('2024-03-14T09:59:50Z'),
        ];
        add(name, '08:59:50 to 09:59:50 crosses 1 hour boundary and fails DurationHours > 1',
            rows(name, times), []);
    }

    {
        const name = 'beacon-rate-1';
        const times = [...every('2024-03-12T00:10:00Z', 60, 19), t('2024-03-12T20:10:00Z')];
        add(name, '20 connections over 20 hours give BeaconRate 1', rows(name, times),
            [beaconAlert(name, {
                Timestamp: '2024-03-12T20:10:00Z',
                FirstSeen: '2024-03-12T00:10:00Z',
                LastSeen: '2024-03-12T20:10:00Z',
                DurationHours: 20,
                BeaconRate: 1,
            })]);
    }

    add('beacon-rate-half', '20 / 40 hours is 0 in long division, below 0.5',
        rows('beacon-rate-half', spread('2024-03-11T00:10:00Z', '2024-03-12T16:10:00Z', 20)), []);

    add('beacon-rate-below-1', '20 / 21 hours is 0 in long division, below 0.5',
        rows('beacon-rate-below-1', spread('2024-03-12T00:10:00Z', '2024-03-12T21:10:00Z', 20)), []);

    add('beacon-rate-200', '401 / 2 hours is 200 in long division and passes',
        rows('beacon-rate-200', spread('2024-03-13T10:59:00Z', '2024-03-13T12:00:30Z', 401)),
        [beaconAlert('beacon-rate-200', {
            Timestamp: '2024-03-13T12:00:30Z',
            FirstSeen: '2024-03-13T10:59:00Z',
            LastSeen: '2024-03-13T12:00:30Z',
            ConnectionCount: 401,
            BytesSent: 40100,
            BytesReceived: 80200,
            BeaconRate: 200,
        })]);

    add('beacon-rate-201', '402 / 2 hours is 201 and fails BeaconRate <= 200',
        rows('beacon-rate-201', spread('2024-03-13T10:59:00Z', '2024-03-13T12:00:30Z', 402)), []);

    {
        const name = 'beacon-window-edge-out';
        const times = [t('2024-03-08T12:00:00Z'),
            ...spread('2024-03-08T13:00:00Z', '2024-03-08T14:30:00Z', 19)];
        add(name, 'a row at exactly now - 7d is outside the window, leaving 19',
            rows(name, times), []);
    }

    {
        const name = 'beacon-window-edge-in';
        const times = [t('2024-03-08T12:00:00.0000001Z'),
            ...spread('2024-03-08T13:00:00Z', '2024-03-08T14:30:00Z', 19)];
        add(name, 'a row 100 ns after now - 7d is inside the window, making 20', rows(name, times),
            [beaconAlert(name, {
                Timestamp: '2024-03-08T14:30:00Z',
                FirstSeen: '2024-03-08T12:00:00.0000001Z',
                LastSeen: '2024-03-08T14:30:00Z',
            })]);
    }

    {
        const name = 'beacon-window-edge-dropped';
        const caseRows = [
            row(name, t('2024-03-08T12:00:00Z'), { SentBytes: 100000, ReceivedBytes: 100000 }),
            ...rows(name, spread('2024-03-08T13:00:00Z', '2024-03-08T15:13:00Z', 20)),
        ];
        add(name, 'the row at now - 7d adds nothing to the sums or FirstSeen', caseRows,
            [beaconAlert(name, {
                Timestamp: '2024-03-08T15:13:00Z',
                FirstSeen: '2024-03-08T13:00:00Z',
                LastSeen: '2024-03-08T15:13:00Z',
            })]);
    }

    {
        const name = 'beacon-ip-ranges';
        const publicIps = ['172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0',
            '11.0.0.1', '9.255.255.255', '127.0.0.1', '0.0.0.0', '255.255.255.255',
            '169.254.1.1', '100.64.0.1'];
        const droppedIps = ['172.16.0.0', '172.31.255.255', '10.0.0.1', '10.255.255.255',
            '192.168.0.1', '192.168.255.255', '2001:db8::1', '::ffff:203.0.113.5', 'not-an-ip',
            '', '256.1.2.3', '01.2.3.4', '1.2.3', '1.2.3.4.5', ' 8.8.8.8', '8.8.8.8.',
            '1.2.3.-1', '1.2.3.4/32'];
        const caseRows = [];
        for (const ip of [...publicIps, ...droppedIps]) {
            caseRows.push(...rows(name, TWENTY(), {
                ActionType: 'ConnectionAttempt',
                RemoteIP: ip,
                RemoteUrl: 'ipcheck.example.net',
            }));
        }
        add(name, 'only valid IPv4 outside 10/8, 172.16/12 and 192.168/16 is public', caseRows,
            publicIps.map((ip) => beaconAlert(name, { RemoteIP: ip, RemoteUrl: 'ipcheck.example.net' })));
    }

    {
        const name = 'beacon-ports';
        const inPorts = [80, 443, 8080, 8443, 4443, 4444, 1080, 3128];
        const outPorts = [22, 53, 81, 444, 3389, 8000, 8081, 0];
        const caseRows = [];
        const expect = [];
        [...inPorts, ...outPorts].forEach((port, k) => {
            const ip = `198.51.100.${k + 1}`;
            caseRows.push(...rows(name, TWENTY(), {
                ActionType: 'ConnectionAttempt',
                RemoteIP: ip,
                RemotePort: port,
            }));
            if (inPorts.includes(port)) {
                expect.push(beaconAlert(name, { RemoteIP: ip }));
            }
        });
        add(name, 'only the eight listed remote ports count', caseRows, expect);
    }

    {
        const name = 'beacon-ports-mixed';
        const times = spread('2024-03-14T09:30:00Z', '2024-03-14T11:54:00Z', 25);
        let listed = 0;
        const caseRows = times.map((time, i) => {
            if (i % 5 === 4) {
                return row(name, time, { RemotePort: 22 });
            }
            let port = 8080;
            if (listed < 8) {
                port = 80;
            } else if (listed < 16) {
                port = 443;
            }
            listed++;
            return row(name, time, { RemotePort: port });
        });
        add(name, 'one group over ports 80, 443 and 8080; port 22 rows drop out', caseRows,
            [beaconAlert(name, {
                Timestamp: '2024-03-14T11:48:00Z',
                LastSeen: '2024-03-14T11:48:00Z',
                UniqueRemotePorts: 3,
            })]);
    }

    {
        const name = 'beacon-actions';
        const actions = ['ConnectionSuccess', 'ConnectionAttempt', 'ConnectionFailed',
            'InboundConnectionAccepted', 'ListeningConnectionCreated', 'connectionsuccess',
            'CONNECTIONATTEMPT'];
        const caseRows = [];
        actions.forEach((action, k) => {
            caseRows.push(...rows(name, TWENTY(), {
                ActionType: action,
                RemoteIP: `198.51.100.${101 + k}`,
            }));
        });
        add(name, 'ActionType must be ConnectionSuccess or ConnectionAttempt, case-sensitively',
            caseRows, [
                beaconAlert(name, { RemoteIP: '198.51.100.101' }),
                beaconAlert(name, { RemoteIP: '198.51.100.102' }),
            ]);
    }

    {
        const name = 'beacon-actions-mixed';
        const caseRows = [
            ...TWENTY().map((time, i) => row(name, time, {
                RemoteIP: '198.51.100.111',
                ActionType: i === 19 ? 'ConnectionFailed' : 'ConnectionSuccess',
            })),
            ...TWENTY().map((time, i) => row(name, time, {
                RemoteIP: '198.51.100.112',
                ActionType: i % 2 === 0 ? 'ConnectionSuccess' : 'ConnectionAttempt',
            })),
        ];
        add(name, '19 successes and a failure fail; 10 successes and 10 attempts pass', caseRows,
            [beaconAlert(name, { RemoteIP: '198.51.100.112' })]);
    }

    {
        const name = 'beacon-process-sample';
        const at = (clock, processName) => row(name, t(`2024-03-14T${clock}Z`), {
            InitiatingProcessFileName: processName,
        });
        const caseRows = [
            at('09:30:00', 'zeta.exe'),
            at('09:36:00', 'alpha.exe'),
            at('09:42:00', 'beta.exe'),
            at('09:42:00', ''),
            at('09:42:00', 'Beta.exe'),
            at('09:48:00', 'alpha.exe'),
            at('09:54:00', 'gamma.exe'),
            at('10:00:00', 'delta.exe'),
            ...rows(name, spread('2024-03-14T10:06:00Z', '2024-03-14T11:24:00Z', 14)),
        ];
        add(name, 'make_set keeps 5 names by first time, ties byte-wise with "" first', caseRows,
            [beaconAlert(name, {
                ConnectionCount: 22,
                BytesSent: 2200,
                BytesReceived: 4400,
                BeaconRate: 11,
                SampleProcesses: ['zeta.exe', 'alpha.exe', '', 'Beta.exe', 'beta.exe'],
            })]);
    }

    {
        const name = 'beacon-empty-url';
        const caseRows = [
            ...rows(name, TWENTY(), { RemoteUrl: '' }),
            ...rows(name, TWENTY(), { RemoteUrl: 'a.example.net' }),
        ];
        add(name, 'an empty RemoteUrl is a group key of its own', caseRows, [
            beaconAlert(name, { RemoteUrl: '' }),
            beaconAlert(name, { RemoteUrl: 'a.example.net' }),
        ]);
    }

    {
        const name = 'beacon-renamed-device';
        const caseRows = [
            ...rows(name, TWENTY(), { DeviceName: 'old-name.corp.example' }),
            ...rows(name, TWENTY(), { DeviceName: 'new-name.corp.example' }),
        ];
        add(name, 'one DeviceId under two DeviceNames makes two groups', caseRows, [
            beaconAlert(name, { DeviceName: 'new-name.corp.example' }),
            beaconAlert(name, { DeviceName: 'old-name.corp.example' }),
        ]);
    }

    {
        const name = 'beacon-twin-names';
        const caseRows = [
            ...rows(name, TWENTY(), { DeviceId: 'dev-twin-b', DeviceName: 'twin.corp.example' }),
            ...rows(name, TWENTY(), { DeviceId: 'dev-twin-a', DeviceName: 'twin.corp.example' }),
        ];
        add(name, 'two DeviceIds under one DeviceName make two groups, ordered by DeviceId',
            caseRows, [
                beaconAlert(name, { DeviceId: 'dev-twin-a', DeviceName: 'twin.corp.example' }),
                beaconAlert(name, { DeviceId: 'dev-twin-b', DeviceName: 'twin.corp.example' }),
            ]);
    }

    {
        const name = 'beacon-dyndns-url';
        const caseRows = rows(name, TWENTY(), {
            RemoteIP: '203.0.113.66',
            RemoteUrl: 'beacon.duckdns.org',
        });
        add(name, 'a beacon to a dynamic-DNS name raises both alerts', caseRows, [
            beaconAlert(name, { RemoteIP: '203.0.113.66', RemoteUrl: 'beacon.duckdns.org' }),
            dyndnsAlert({
                RemoteIP: '203.0.113.66',
                RemoteUrl: 'beacon.duckdns.org',
                ConnectionCount: 20,
                SampleProcesses: ['powershell.exe'],
                UniqueDevices: 1,
                SampleIPs: ['203.0.113.66'],
            }),
        ]);
    }

    {
        const name = 'beacon-json-layout';
        const deviceName = 'posté-ü😀.corp.example';
        const styles = ['escaped', 'spaced', 'reversed', 'compact'];
        const caseRows = TWENTY().map((time, i) => ({
            ...row(name, time, {
                DeviceName: deviceName,
                RemoteUrl: 'cdn.example.net/a"b\\c',
                InitiatingProcessFileName: 'updäter.exe',
            }),
            style: styles[i % styles.length],
        }));
        add(name, 'escaped, spaced and reordered JSON rows fall in one group', caseRows,
            [beaconAlert(name, {
                DeviceName: deviceName,
                RemoteUrl: 'cdn.example.net/a"b\\c',
                SampleProcesses: ['updäter.exe'],
            })]);
    }

    return cases;
}

function dyndnsCases() {
    const cases = [];
    const add = (name, about, caseRows, expect) => cases.push({ name, about, rows: caseRows, expect });
    const defaults = { RemoteIP: '203.0.113.80', InitiatingProcessFileName: 'updater.exe' };
    const at = (name, clock, fields) => row(name, t(`2024-03-14T${clock}Z`), { ...defaults, ...fields });

    add('dyndns-suffix-trick', 'the regex is unanchored, so duckdns.org.evil.example matches',
        [at('dyndns-suffix-trick', '15:00:00', { RemoteUrl: 'duckdns.org.evil.example' }),
            at('dyndns-suffix-trick', '15:05:00', { RemoteUrl: 'duckdns.org.evil.example' })],
        [dyndnsAlert({
            RemoteIP: '203.0.113.80', RemoteUrl: 'duckdns.org.evil.example', ConnectionCount: 2,
            SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
        })]);

    add('dyndns-mixed-case', 'the regex ignores case',
        [at('dyndns-mixed-case', '15:00:00', { RemoteUrl: 'x.DuckDNS.org' })],
        [dyndnsAlert({
            RemoteIP: '203.0.113.80', RemoteUrl: 'x.DuckDNS.org', ConnectionCount: 1,
            SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
        })]);

    add('dyndns-no-label-boundary', 'notzapto.org matches because nothing anchors a label',
        [at('dyndns-no-label-boundary', '15:00:00', { RemoteUrl: 'notzapto.org' })],
        [dyndnsAlert({
            RemoteIP: '203.0.113.80', RemoteUrl: 'notzapto.org', ConnectionCount: 1,
            SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
        })]);

    add('dyndns-other-tld', 'duckdns.com is not in the list',
        ['15:00:00', '15:01:00', '15:02:00'].map((clock) =>
            at('dyndns-other-tld', clock, { RemoteUrl: 'duckdns.com' })), []);

    add('dyndns-dot-is-literal', 'the dots in the regex are escaped',
        [at('dyndns-dot-is-literal', '15:00:00', { RemoteUrl: 'ddnsxnet.example' }),
            at('dyndns-dot-is-literal', '15:01:00', { RemoteUrl: 'no-ipxcom.example' })], []);

    {
        const name = 'dyndns-each-provider';
        const urls = ['a.no-ip.com', 'b.HOPTO.org', 'c.ddns.net', 'd.servebeer.com', 'e.myftp.biz',
            'f.redirectme.net', 'g.serveftp.com', 'h.zapto.org', 'i.sytes.net', 'j.myddns.me',
            'k.dynalias.com', 'https://l.duckdns.org:8443/path?q=1'];
        const caseRows = urls.map((url, i) => row(name, t('2024-03-14T15:00:00Z') + BigInt(i) * NS_PER_MINUTE,
            { ...defaults, RemoteUrl: url }));
        add(name, 'each of the 12 providers matches, inside a longer URL too', caseRows,
            urls.map((url) => dyndnsAlert({
                RemoteIP: '203.0.113.80', RemoteUrl: url, ConnectionCount: 1,
                SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
            })));
    }

    {
        const name = 'dyndns-action-filter';
        const actions = ['ConnectionSuccess', 'ConnectionAttempt', 'ConnectionSuccess',
            'connectionsuccess', 'ConnectionFailed', 'ConnectionAttempt', 'ConnectionSuccess'];
        const caseRows = actions.map((action, i) => row(name,
            t('2024-03-14T15:00:00Z') + BigInt(i) * NS_PER_MINUTE,
            { ...defaults, RemoteUrl: 'act.duckdns.org', ActionType: action }));
        caseRows.push(at(name, '15:10:00', { RemoteUrl: 'attempt-only.duckdns.org', ActionType: 'ConnectionAttempt' }));
        caseRows.push(at(name, '15:11:00', { RemoteUrl: 'attempt-only.duckdns.org', ActionType: 'ConnectionAttempt' }));
        add(name, 'only ConnectionSuccess rows count, case-sensitively', caseRows,
            [dyndnsAlert({
                RemoteIP: '203.0.113.80', RemoteUrl: 'act.duckdns.org', ConnectionCount: 3,
                SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
            })]);
    }

    {
        const name = 'dyndns-many-devices';
        const device = (letter) => ({
            DeviceId: `dev-${name}-${letter}`,
            DeviceName: `${name}-${letter}.corp.example`,
        });
        const hit = (clock, letter, ip, processName, action = 'ConnectionSuccess') =>
            at(name, clock, {
                ...device(letter),
                RemoteUrl: 'shared.ddns.net',
                RemoteIP: ip,
                InitiatingProcessFileName: processName,
                ActionType: action,
            });
        const caseRows = [
            hit('15:00:00', 'a', '203.0.113.7', 'zz.exe'),
            hit('15:00:00', 'b', '203.0.113.3', 'aa.exe'),
            hit('15:01:00', 'a', '203.0.113.7', 'zz.exe'),
            hit('15:02:00', 'c', '10.1.1.1', 'mm.exe'),
            hit('15:03:00', 'b', '203.0.113.9', 'aa.exe'),
            hit('15:04:00', 'c', '203.0.113.11', 'bb.exe'),
            hit('15:05:00', 'a', '203.0.113.2', 'cc.exe'),
            hit('15:06:00', 'a', '203.0.113.1', 'dd.exe'),
            hit('15:07:00', 'b', '203.0.113.3', 'ee.exe'),
            hit('15:08:00', 'c', '203.0.113.12', 'ff.exe'),
            hit('14:00:00', 'd', '203.0.113.200', 'aaa.exe', 'ConnectionAttempt'),
        ];
        add(name, 'UniqueDevices counts DeviceIds, and the samples keep 5 values by first time',
            caseRows, [dyndnsAlert({
                RemoteIP: '203.0.113.3',
                RemoteUrl: 'shared.ddns.net',
                ConnectionCount: 10,
                SampleProcesses: ['aa.exe', 'zz.exe', 'mm.exe', 'bb.exe', 'cc.exe'],
                UniqueDevices: 3,
                SampleIPs: ['203.0.113.3', '203.0.113.7', '10.1.1.1', '203.0.113.9', '203.0.113.11'],
            })]);
    }

    {
        const name = 'dyndns-ip-kinds';
        const ips = ['2001:db8::5', 'not-an-ip', '10.2.2.2', '192.168.7.7'];
        const caseRows = ips.map((ip, i) => row(name, t('2024-03-14T15:00:00Z') + BigInt(i) * NS_PER_MINUTE,
            { ...defaults, RemoteUrl: 'kinds.zapto.org', RemoteIP: ip }));
        add(name, 'part 2 keeps RemoteIP as written: IPv6, private and invalid text', caseRows,
            [dyndnsAlert({
                RemoteIP: '2001:db8::5', RemoteUrl: 'kinds.zapto.org', ConnectionCount: 4,
                SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ips,
            })]);
    }

    {
        const name = 'dyndns-empty-ip';
        const caseRows = [
            at(name, '15:00:00', { RemoteUrl: 'blank.hopto.org', RemoteIP: '203.0.113.90' }),
            at(name, '15:00:00', { RemoteUrl: 'blank.hopto.org', RemoteIP: '' }),
            at(name, '15:01:00', { RemoteUrl: 'blank.hopto.org', RemoteIP: '203.0.113.91' }),
        ];
        add(name, 'an empty RemoteIP is a sample value and sorts first among ties', caseRows,
            [dyndnsAlert({
                RemoteIP: '', RemoteUrl: 'blank.hopto.org', ConnectionCount: 3,
                SampleProcesses: ['updater.exe'], UniqueDevices: 1,
                SampleIPs: ['', '203.0.113.90', '203.0.113.91'],
            })]);
    }

    {
        const name = 'dyndns-outside-window';
        const caseRows = [
            row(name, t('2024-03-01T10:00:00Z'), { ...defaults, RemoteUrl: 'old.sytes.net' }),
            row(name, t('2024-03-01T11:00:00Z'), { ...defaults, RemoteUrl: 'old.sytes.net' }),
        ];
        add(name, 'part 2 has no time window, so rows 14 days old count', caseRows,
            [dyndnsAlert({
                RemoteIP: '203.0.113.80', RemoteUrl: 'old.sytes.net', ConnectionCount: 2,
                SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['203.0.113.80'],
            })]);
    }

    add('dyndns-any-port', 'part 2 ignores the port and address filters of part 1',
        [at('dyndns-any-port', '15:00:00', { RemoteUrl: 'any.myftp.biz', RemotePort: 22, RemoteIP: '192.168.50.50' })],
        [dyndnsAlert({
            RemoteIP: '192.168.50.50', RemoteUrl: 'any.myftp.biz', ConnectionCount: 1,
            SampleProcesses: ['updater.exe'], UniqueDevices: 1, SampleIPs: ['192.168.50.50'],
        })]);

    return cases;
}

function fluxCases() {
    const cases = [];
    const add = (name, about, caseRows, expect) => cases.push({ name, about, rows: caseRows, expect });

    {
        const name = 'flux-5-ips-10-rows';
        const caseRows = fluxRows(name, '2024-03-14T16:00:00Z', 5, 10, 5);
        caseRows.forEach((r, i) => { r.RemoteUrl = `n${i}.flux.example`; });
        const urls = caseRows.map((r) => r.RemoteUrl);
        add(name, '5 unique IPs and 10 connections in one hour pass', caseRows,
            [fluxAlert(name, {
                Timestamp: '2024-03-14T16:00:00Z', RemoteUrl: 'n0.flux.example',
                ConnectionCount: 10, UniqueIPs: 5, SampleURLs: urls,
            })]);
    }

    add('flux-4-ips', '4 unique IPs fail UniqueIPs >= 5',
        fluxRows('flux-4-ips', '2024-03-14T16:00:00Z', 5, 10, 4), []);

    add('flux-9-rows', '9 connections fail ConnectionCount >= 10',
        fluxRows('flux-9-rows', '2024-03-14T16:00:00Z', 5, 9, 5), []);

    {
        const name = 'flux-two-bins';
        const caseRows = [
            ...fluxRows(name, '2024-03-14T16:40:00Z', 3, 6, 3),
            ...fluxRows(name, '2024-03-14T17:00:00Z', 3, 6, 3, {}).map((r, i) => ({
                ...r, RemoteIP: `45.33.0.${4 + (i % 3)}`,
            })),
        ];
        add(name, '6 IPs in 35 minutes split over two hour bins of 3 IPs fail', caseRows, []);
    }

    {
        const name = 'flux-bin-edge-out';
        const inside = ['18:00:00.0000001', '18:10:00', '18:15:00', '18:20:00', '18:25:00',
            '18:30:00', '18:35:00', '18:40:00', '18:59:59.9999999'];
        const caseRows = [
            row(name, t('2024-03-14T17:59:59.9999999Z'), { RemoteIP: '45.33.0.1', RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe' }),
            ...inside.map((clock, i) => row(name, t(`2024-03-14T${clock}Z`), {
                RemoteIP: `45.33.0.${1 + (i % 5)}`, RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe',
            })),
            row(name, t('2024-03-14T19:00:00Z'), { RemoteIP: '45.33.0.1', RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe' }),
        ];
        add(name, 'rows 100 ns before and at the next hour fall in other bins', caseRows, []);
    }

    {
        const name = 'flux-bin-edge-in';
        const inside = ['18:00:00', '18:05:00', '18:10:00', '18:15:00', '18:20:00',
            '18:25:00', '18:30:00', '18:35:00', '18:40:00', '18:59:59.9999999'];
        const caseRows = inside.map((clock, i) => row(name, t(`2024-03-14T${clock}Z`), {
            RemoteIP: `45.33.0.${1 + (i % 5)}`, RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe',
        }));
        add(name, 'rows at the start of the hour and 100 ns before its end share a bin', caseRows,
            [fluxAlert(name, {
                Timestamp: '2024-03-14T18:00:00Z', RemoteUrl: 'edge.flux.example',
                ConnectionCount: 10, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
            })]);
    }

    {
        const name = 'flux-samples';
        const caseRows = fluxRows(name, '2024-03-14T16:00:00Z', 4, 12, 5);
        caseRows.forEach((r, i) => {
            r.RemoteUrl = i === 0 || i === 3 ? '' : `u${String(i).padStart(2, '0')}.example`;
            r.InitiatingProcessFileName = i < 7 ? `p${i + 1}.exe` : 'p1.exe';
            r.InitiatingProcessFolderPath = folderPath(r.InitiatingProcessFileName);
        });
        caseRows.push(row(name, t('2024-03-14T16:00:00Z'), {
            RemoteIP: '45.33.0.1', RemoteUrl: 'u00.example', InitiatingProcessFileName: 'p0.exe',
        }));
        add(name, '10 URLs and 5 processes by first time, "" first among ties', caseRows,
            [fluxAlert(name, {
                Timestamp: '2024-03-14T16:00:00Z',
                RemoteUrl: '',
                ConnectionCount: 13,
                UniqueIPs: 5,
                SampleProcesses: ['p0.exe', 'p1.exe', 'p2.exe', 'p3.exe', 'p4.exe'],
                SampleURLs: ['', 'u00.example', 'u01.example', 'u02.example', 'u04.example',
                    'u05.example', 'u06.example', 'u07.example', 'u08.example', 'u09.example'],
            })]);
    }

    {
        const name = 'flux-excluded-processes';
        const names = ['CHROME.EXE', 'Firefox.exe', 'safari', 'MSEDGE.exe', 'iexplore.EXE',
            'OPERA.exe', 'Brave.exe', 'SVCHOST.EXE', 'msmpeng.exe', 'senseir.EXE', 'MSSENSE.EXE',
            'SenseCncProxy.EXE'];
        const caseRows = fluxRows(name, '2024-03-14T16:00:00Z', 4, 12, 6);
        caseRows.forEach((r, i) => {
            r.InitiatingProcessFileName = names[i];
            r.InitiatingProcessFolderPath = folderPath(names[i]);
        });
        add(name, 'browser and Defender process names are excluded in any case', caseRows, []);
    }

    {
        const name = 'flux-lookalike-processes';
        const names = ['safari.exe', 'chrome', 'msedgewebview2.exe', 'firefox'];
        const caseRows = fluxRows(name, '2024-03-14T16:00:00Z', 5, 10, 5);
        caseRows.forEach((r, i) => {
            r.InitiatingProcessFileName = names[i % names.length];
            r.InitiatingProcessFolderPath = folderPath(r.InitiatingProcessFileName);
        });
        caseRows.push(row(name, t('2024-03-14T16:50:00Z'), {
            RemoteIP: '45.33.0.6', RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'Chrome.exe',
        }));
        caseRows.push(row(name, t('2024-03-14T16:55:00Z'), {
            RemoteIP: '45.33.0.7', RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'Chrome.exe',
        }));
        add(name, 'names only close to the excluded ones still count', caseRows,
            [fluxAlert(name, {
                Timestamp: '2024-03-14T16:00:00Z', RemoteUrl: 'edge.flux.example',
                ConnectionCount: 10, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
                SampleProcesses: names,
            })]);
    }

    {
        const name = 'flux-ip-filter-out';
        const others = ['10.0.0.9', '172.16.0.9', '192.168.0.9', '2001:db8::9', 'bogus', ''];
        const caseRows = [
            ...fluxRows(name, '2024-03-14T16:00:00Z', 4, 10, 4),
            ...others.map((ip, i) => row(name, t('2024-03-14T16:41:00Z') + BigInt(i) * NS_PER_MINUTE, {
                RemoteIP: ip, RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe',
            })),
        ];
        add(name, 'private, IPv6 and invalid addresses do not count as unique IPs', caseRows, []);
    }

    {
        const name = 'flux-ip-filter-in';
        const others = ['10.0.0.9', '172.16.0.9', '192.168.0.9', '2001:db8::9', 'bogus', '', '127.0.0.1'];
        const caseRows = [
            ...fluxRows(name, '2024-03-14T16:00:00Z', 4, 10, 4),
            ...others.map((ip, i) => row(name, t('2024-03-14T16:41:00Z') + BigInt(i) * NS_PER_MINUTE, {
                RemoteIP: ip, RemoteUrl: 'edge.flux.example', InitiatingProcessFileName: 'updater.exe',
            })),
        ];
        add(name, 'loopback counts as public and makes the fifth unique IP', caseRows,
            [fluxAlert(name, {
                Timestamp: '2024-03-14T16:00:00Z', RemoteUrl: 'edge.flux.example',
                ConnectionCount: 11, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
            })]);
    }

    {
        const name = 'flux-action-filter';
        const caseRows = fluxRows(name, '2024-03-14T16:00:00Z', 5, 10, 5);
        caseRows[9].ActionType = 'ConnectionAttempt';
        add(name, 'a ConnectionAttempt row does not count', caseRows, []);
    }

    add('flux-outside-window', 'part 3 has no time window, so a bin 13 days old fires',
        fluxRows('flux-outside-window', '2024-03-02T03:00:00Z', 5, 10, 5),
        [fluxAlert('flux-outside-window', {
            Timestamp: '2024-03-02T03:00:00Z', RemoteUrl: 'edge.flux.example',
            ConnectionCount: 10, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
        })]);

    {
        const name = 'flux-two-alerts';
        const caseRows = [
            ...fluxRows(name, '2024-03-14T20:00:00Z', 5, 10, 5),
            ...fluxRows(name, '2024-03-14T21:00:00Z', 5, 10, 5),
        ];
        add(name, 'one device raises one alert per hour bin', caseRows, [
            fluxAlert(name, {
                Timestamp: '2024-03-14T21:00:00Z', RemoteUrl: 'edge.flux.example',
                ConnectionCount: 10, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
            }),
            fluxAlert(name, {
                Timestamp: '2024-03-14T20:00:00Z', RemoteUrl: 'edge.flux.example',
                ConnectionCount: 10, UniqueIPs: 5, SampleURLs: ['edge.flux.example'],
            }),
        ]);
    }

    return cases;
}

// Returns every case: { name, about, rows, expect }, where `expect` lists all
// the alerts that the case's devices and dynamic-DNS names must produce.
export function boundaryCases() {
    const newest = {
        name: 'newest-row',
        about: 'the newest row is at now and matches no part',
        rows: [row('newest-row', NOW, { ActionType: 'InboundConnectionAccepted', RemoteIP: '10.9.9.9' })],
        expect: [],
    };
    return [...beaconCases(), ...dyndnsCases(), ...fluxCases(), newest];
}

// Writes all case rows to `path`, shuffled with a fixed seed.
export async function writeBoundaryFile(path) {
    const all = boundaryCases().flatMap((c) => c.rows);
    new Random(20240315).shuffle(all);
    await writeLines(path, all.map(rowToJson));
    return all.length;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const out = process.argv[2];
    if (!out) {
        console.error('usage: node gen_boundaries.mjs OUT.jsonl');
        process.exit(2);
    }
    const count = await writeBoundaryFile(out);
    console.error(`wrote ${count} rows to ${out}`);
}
