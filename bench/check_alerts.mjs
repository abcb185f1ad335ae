// Compares two files of alerts in infrahunt's JSON lines format (infrahunt's
// and DuckDB's) and prints the differences. Exit status 0 when they agree.
//
// Usage: node bench/check_alerts.mjs EXPECTED.jsonl ACTUAL.jsonl

import { readFileSync } from 'node:fs';
import {
    diffAlerts, diffIsEmpty, findOrderProblem, formatDiff, outputFields, parseAlertLines,
} from '../tests/parity/compare.mjs';

const [expectedPath, actualPath] = process.argv.slice(2);
if (!expectedPath || !actualPath) {
    console.error('usage: node bench/check_alerts.mjs EXPECTED.jsonl ACTUAL.jsonl');
    process.exit(2);
}

const expected = parseAlertLines(readFileSync(expectedPath, 'utf8'));
const actual = parseAlertLines(readFileSync(actualPath, 'utf8'));
const problems = [...expected.problems.map((p) => `${expectedPath}: ${p}`),
    ...actual.problems.map((p) => `${actualPath}: ${p}`)];
const diff = diffAlerts(expected.alerts, actual.alerts, outputFields);
problems.push(...formatDiff(diff));
const order = findOrderProblem(actual.alerts);
if (order !== null) {
    problems.push(`${actualPath}: ${order}`);
}
if (problems.length > 0 || !diffIsEmpty(diff)) {
    console.log(problems.join('\n'));
    process.exit(1);
}
console.log(`alerts agree: ${actual.alerts.length} in both files`);
