// Checks rendered Sigma against the Sigma specification: each YAML document
// must validate against schema.json (written from the rules and correlation
// specifications), names must be unique, and every rule a correlation refers
// to must be defined in the same file. A broken rule must fail, so the check
// is shown to be able to fail.
//
// Usage: node sigma/check.mjs PATH-TO-INFRAHUNT PROFILE...
// Prints one line per check and "N passed, N failed"; exit status 1 on failure.

import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const HERE = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(HERE, 'schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const tally = { passed: 0, failed: 0 };

function report(name, problems) {
    if (problems.length === 0) {
        tally.passed++;
        console.log(`ok   ${name}`);
        return;
    }
    tally.failed++;
    console.log(`FAIL ${name}`);
    for (const line of problems.slice(0, 20)) {
        console.log(`     ${line}`);
    }
}

// Returns the problems of a Sigma file with one or more YAML documents.
export function sigmaProblems(text) {
    const problems = [];
    const documents = parseAllDocuments(text);
    const rules = [];
    documents.forEach((document, index) => {
        for (const error of document.errors) {
            problems.push(`document ${index + 1}: YAML: ${error.message}`);
        }
        const rule = document.toJS();
        if (rule === null || rule === undefined) {
            return;
        }
        rules.push(rule);
        if (!validate(rule)) {
            for (const error of validate.errors) {
                problems.push(`document ${index + 1} (${rule.title}): ${error.instancePath || '/'} ${error.message}`);
            }
        }
    });
    if (rules.length === 0) {
        problems.push('no rules in the output');
    }
    const names = new Set();
    for (const rule of rules) {
        for (const key of [rule.name, rule.id]) {
            if (key !== undefined && names.has(key)) {
                problems.push(`name or id ${key} is used twice`);
            }
            names.add(key);
        }
    }
    for (const rule of rules.filter((r) => r.correlation)) {
        for (const ref of rule.correlation.rules ?? []) {
            if (!names.has(ref)) {
                problems.push(`correlation ${rule.name}: rule ${ref} is not defined in this file`);
            }
        }
    }
    return problems;
}

const [binary, ...profiles] = process.argv.slice(2);
if (binary === undefined) {
    console.error('usage: node sigma/check.mjs PATH-TO-INFRAHUNT PROFILE...');
    process.exit(2);
}
// The default profile and its copy with intel lists are always checked, so
// callers that pass only the seed profiles still cover the default renderer.
const defaults = ['default', join(HERE, '..', 'profiles', 'default-lists.yaml')];
for (const profile of [...profiles, ...defaults.filter((p) => !profiles.includes(p))]) {
    const result = spawnSync(binary, ['export', '--target', 'sigma', '--profile', profile], { encoding: 'utf8' });
    if (result.status !== 0) {
        report(`sigma for profile ${profile}`, [`exit status ${result.status}: ${result.stderr.trim()}`]);
        continue;
    }
    report(`sigma for profile ${profile}: valid against the specification`, sigmaProblems(result.stdout));
}

const broken = [
    'title: no log source\ndetection:\n    selection:\n        Image|endswith: x\n    condition: selection\n',
    'title: bad modifier\nlogsource:\n    category: process_creation\ndetection:\n    sel:\n        Image|sortof: x\n    condition: sel\n',
    '---\ntitle: base\nname: base\nlogsource:\n    category: x\ndetection:\n    s:\n        a: 1\n    condition: s\n'
        + '---\ntitle: count without field\ncorrelation:\n    type: value_count\n    rules: [base]\n'
        + '    group-by: [a]\n    timespan: 1h\n    condition:\n        gte: 2\n',
    '---\ntitle: dangling\ncorrelation:\n    type: event_count\n    rules: [missing]\n    group-by: [a]\n'
        + '    timespan: 90min\n    condition:\n        gte: 2\n',
];
broken.forEach((text, index) => {
    report(`broken Sigma example ${index + 1} is rejected`,
        sigmaProblems(text).length > 0 ? [] : ['the check accepted it']);
});

console.log(`sigma: ${tally.passed} passed, ${tally.failed} failed`);
process.exitCode = tally.failed > 0 ? 1 : 0;
