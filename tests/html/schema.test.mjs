// Validates alert JSON lines against docs/alert.schema.json. The lines come
// from the expected output of every end-to-end case that scans to JSON lines,
// and from scans with the seed and default profiles of simulated telemetry in
// several formats and of the real logs under $INFRAHUNT_DATA (skipped when
// missing).
//
// Environment: INFRAHUNT_BIN (default build/infrahunt), INFRAHUNT_DATA
// (default ../shared/data from the repository root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.INFRAHUNT_BIN || path.join(root, 'build/infrahunt');
const data = process.env.INFRAHUNT_DATA || path.resolve(root, '../shared/data');
const schema = JSON.parse(readFileSync(path.join(root, 'docs/alert.schema.json'), 'utf8'));

// Strict, except that a conditional subschema may require keys it does not define itself,
// and that named properties also match the pattern for extra fields.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true,
  allowMatchingProperties: true });
addFormats(ajv);
const validate = ajv.compile(schema);

let work;
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'infrahunt-schema-'));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function infrahunt(...args) {
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// Checks every line of text against the schema; returns the alerts.
function checkLines(text, where) {
  const alerts = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  alerts.forEach((alert, i) => {
    const ok = validate(alert);
    assert.ok(ok, `${where}, alert ${i + 1} (${alert.AlertType}): ${ajv.errorsText(validate.errors)}`);
  });
  return alerts;
}

test('schema rejects broken alerts', () => {
  const good = {
    Timestamp: '2024-05-13T09:19:31.039717Z', DeviceName: 'ws-1', RemoteIP: '159.65.151.154',
    RemoteUrl: '', AlertType: 'SuspiciousDynamicDNS', ConnectionCount: 3, BytesSent: 0,
    BytesReceived: 0, SampleProcesses: [], UniqueDevices: 1, SampleIPs: [],
  };
  assert.ok(!validate({ ...good }), 'DeviceName must be "Multiple" for the seed rule\'s dynamic DNS');
  assert.ok(validate({ ...good, DeviceName: 'Multiple' }), ajv.errorsText(validate.errors));
  const missing = { ...good, DeviceName: 'Multiple' };
  delete missing.AlertType;
  assert.ok(!validate(missing), 'an alert without AlertType passed');
  assert.ok(!validate({ ...good, DeviceName: 'Multiple', Timestamp: '2024-05-13 09:19:31' }),
    'a time without T and Z passed');
  assert.ok(!validate({ ...good, DeviceName: 'Multiple', Score: 50 }),
    'a Score without the rest of the assessment passed');
  assert.ok(!validate({ ...good, DeviceName: 'Multiple', lowercase: 1 }), 'an unknown key passed');
});

test('case outputs match the schema', () => {
  const cases = path.join(root, 'tests/cases');
  let checked = 0;
  for (const name of readdirSync(cases).sort()) {
    const argsFile = path.join(cases, name, 'args');
    const expected = path.join(cases, name, 'expected_stdout');
    if (!existsSync(argsFile) || !existsSync(expected)) continue;
    const args = readFileSync(argsFile, 'utf8');
    if (!/^\s*scan\b/.test(args) || !/(-f|--output)\s+jsonl?\b/.test(args)) continue;
    checkLines(readFileSync(expected, 'utf8'), `case ${name}`);
    checked++;
  }
  assert.ok(checked > 0, 'no case scans to JSON lines');
});

test('simulated scans match the schema', () => {
  const formats = ['defender-json', 'sysmon-json', 'zeek-tsv', 'zeek-json', 'suricata-eve'];
  const seen = new Set();
  for (const format of formats) {
    const out = path.join(work, format);
    infrahunt('simulate', '--test', 'all', '--format', format, '--background', '2000', '-o', out);
    for (const profile of ['seed', 'default']) {
      const alerts = checkLines(infrahunt('scan', '-p', profile, '-f', 'jsonl', out), `${profile} scan of ${format}`);
      alerts.forEach((a) => seen.add(a.AlertType));
    }
  }
  for (const type of ['PotentialBeaconing', 'SuspiciousDynamicDNS', 'PotentialFastFluxActivity', 'Beaconing'])
    assert.ok(seen.has(type), `no ${type} alert among ${[...seen]}`);
});

test('real log scans match the schema', (t) => {
  const inputs = ['zeek/rita-missing-host', 'zeek/slips', 'zeek/stratosphere', 'suricata',
    'sysmon-mordor/sysmon-net']
    .map((p) => path.join(data, p)).filter((p) => existsSync(p));
  if (inputs.length === 0) {
    t.skip(`real data not found at ${data} (set INFRAHUNT_DATA)`);
    return;
  }
  for (const input of inputs)
    for (const profile of ['seed', 'default'])
      checkLines(infrahunt('scan', '-p', profile, '-f', 'jsonl', input), `${profile} scan of ${input}`);
});
