// Checks rendered KQL with Microsoft's own analyzer
// (@kusto/language-service-next, Kusto.Language.KustoCode.ParseAndAnalyze)
// against the documented DeviceNetworkEvents and DeviceEvents schemas: every
// profile must render to a query with zero diagnostics. The reference rule's
// own query, which reads SentBytes, must get a diagnostic, so a broken
// analyzer setup cannot pass unnoticed.
//
// Usage: node kql/check.mjs PATH-TO-INFRAHUNT PROFILE...
// Prints one line per check and "N passed, N failed"; exit status 1 on failure.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE_EVENTS, DEVICE_NETWORK_EVENTS, schemaText } from './schema.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');
const K = globalThis.Kusto.Language;

const tally = { passed: 0, failed: 0 };

function report(name, problems) {
    if (problems.length === 0) {
        tally.passed++;
        console.log(`ok   ${name}`);
        return;
    }
    tally.failed++;
    console.log(`FAIL ${name}`);
    for (const line of problems) {
        console.log(`     ${line}`);
    }
}

// Returns a GlobalState whose default database holds the given tables.
function globalsWith(tables) {
    const symbols = Object.entries(tables).map(
        ([name, columns]) => new K.Symbols.TableSymbol.$ctor7(name, schemaText(columns), null));
    return K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.ctor('hunting', symbols));
}

// Returns the analyzer's diagnostics as "line:column code message" strings.
function diagnose(query, globals) {
    const diagnostics = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
    const lines = [];
    for (let i = 0; i < diagnostics.Count; i++) {
        const d = diagnostics.getItem(i);
        const before = query.slice(0, d.Start);
        const line = before.split('\n').length;
        const column = d.Start - before.lastIndexOf('\n');
        lines.push(`${line}:${column} ${d.Code} ${d.Severity}: ${d.Message}`);
    }
    return lines;
}

function exportKql(binary, args) {
    const result = spawnSync(binary, ['export', '--target', 'kql', ...args], { encoding: 'utf8' });
    if (result.status !== 0) {
        return { query: null, problem: `infrahunt export ${args.join(' ')}: exit status ${result.status}: ${result.stderr.trim()}` };
    }
    return { query: result.stdout, problem: null };
}

function checkExport(name, binary, args, globals) {
    const { query, problem } = exportKql(binary, args);
    if (problem !== null) {
        report(name, [problem]);
        return;
    }
    report(name, diagnose(query, globals));
}

const [binary, ...profiles] = process.argv.slice(2);
if (binary === undefined) {
    console.error('usage: node kql/check.mjs PATH-TO-INFRAHUNT PROFILE...');
    process.exit(2);
}
const documented = globalsWith({ DeviceNetworkEvents: DEVICE_NETWORK_EVENTS, DeviceEvents: DEVICE_EVENTS });

const reference = readFileSync(join(HERE, 'reference.kql'), 'utf8');
const referenceDiagnostics = diagnose(reference, documented);
report('reference query with SentBytes is rejected',
    referenceDiagnostics.some((d) => d.includes('SentBytes')) ? []
        : ['the analyzer reported no unknown SentBytes column', ...referenceDiagnostics]);

// The default profile and its copy with intel lists are always checked, so
// callers that pass only the seed profiles still cover the default renderer.
const defaults = ['default', join(HERE, '..', 'profiles', 'default-lists.yaml')];
for (const profile of [...profiles, ...defaults.filter((p) => !profiles.includes(p))]) {
    checkExport(`kql for profile ${profile}: zero diagnostics`, binary, ['--profile', profile], documented);
}

// A custom table with byte columns: the byte filter comes back and still analyzes.
const custom = globalsWith({
    NetworkWithBytes: [...DEVICE_NETWORK_EVENTS, ['SentBytes', 'long'], ['ReceivedBytes', 'long']],
});
checkExport('kql with --table and --bytes-column on a custom table', binary,
    ['--table', 'NetworkWithBytes', '--bytes-column', 'SentBytes,ReceivedBytes'], custom);

// The same option against the documented table must fail, as the reference query does.
const { query: withBytes } = exportKql(binary, ['--bytes-column', 'SentBytes,ReceivedBytes']);
report('kql with --bytes-column on DeviceNetworkEvents is rejected',
    withBytes !== null && diagnose(withBytes, documented).some((d) => d.includes('SentBytes')) ? []
        : ['expected a diagnostic for SentBytes']);

console.log(`kql: ${tally.passed} passed, ${tally.failed} failed`);
process.exitCode = tally.failed > 0 ? 1 : 0;
