// Structural checks of the rendered queries that have no analyzer here
// (SPL, ES|QL, EQL, AQL, Sumo, YARA-L, LogScale), written from each vendor's
// syntax reference: comments, string and regex literals closed on their line,
// brackets balanced outside literals, the commands and clauses each language
// allows, and their order. Also compares each target's output for the seed,
// hostile, default and default-lists profiles with the golden files in
// golden/ (UPDATE_GOLDEN=1 rewrites them).
//
// Usage: node structure.mjs PATH-TO-INFRAHUNT
// Prints one line per check and "N passed, N failed"; exit status 1 on failure.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const tally = { passed: 0, failed: 0 };

function report(name, problems) {
    if (problems.length === 0) {
        tally.passed++;
        console.log(`ok   ${name}`);
        return;
    }
    tally.failed++;
    console.log(`FAIL ${name}`);
    for (const line of problems.slice(0, 15)) {
        console.log(`     ${line}`);
    }
}

// Lexical rules per language: comment markers, string quotes and how a
// quote is escaped inside a string, and whether /regex/ literals exist.
const LEXERS = {
    spl: { line: null, pairLine: '```', block: null, quotes: { '"': 'backslash' }, regex: false },
    esql: { line: '//', block: ['/*', '*/'], quotes: { '"': 'backslash' }, regex: false },
    eql: { line: '//', block: ['/*', '*/'], quotes: { '"': 'backslash' }, regex: false },
    aql: { line: null, block: ['/*', '*/'], quotes: { "'": 'double', '"': 'double' }, regex: false },
    sumo: { line: '//', block: ['/*', '*/'], quotes: { '"': 'backslash' }, regex: false },
    yaral: { line: '//', block: ['/*', '*/'], quotes: { '"': 'backslash' }, regex: true },
    logscale: { line: '//', block: ['/*', '*/'], quotes: { '"': 'backslash' }, regex: true },
};

const PAIRS = { '(': ')', '[': ']', '{': '}' };

// Splits text into code (literals and comments blanked) and reports lexical problems.
function lex(text, rules) {
    const problems = [];
    let code = '';
    const stack = [];
    let i = 0;
    let line = 1;
    let inBlock = false;
    while (i < text.length) {
        const c = text[i];
        if (c === '\n') {
            line++;
            if (!inBlock) code += c; // a block comment must not split a query into two
            i++;
            continue;
        }
        if (c.charCodeAt(0) < 0x20 && c !== '\t') {
            problems.push(`line ${line}: raw control character 0x${c.charCodeAt(0).toString(16)}`);
        }
        if (inBlock) {
            if (text.startsWith(rules.block[1], i)) {
                inBlock = false;
                i += rules.block[1].length;
            } else {
                i++;
            }
            continue;
        }
        if (rules.block && text.startsWith(rules.block[0], i)) {
            inBlock = true;
            i += rules.block[0].length;
            continue;
        }
        if (rules.line && text.startsWith(rules.line, i)) {
            while (i < text.length && text[i] !== '\n') i++;
            continue;
        }
        if (rules.pairLine && text.startsWith(rules.pairLine, i)) {
            const end = text.indexOf(rules.pairLine, i + rules.pairLine.length);
            const eol = text.indexOf('\n', i);
            if (end < 0 || (eol >= 0 && end > eol)) {
                problems.push(`line ${line}: comment not closed on its line`);
                return { code, problems };
            }
            i = end + rules.pairLine.length;
            continue;
        }
        const quote = rules.quotes[c];
        const regexStart = rules.regex && c === '/' && /[=~]\s*$|!=\s*$/.test(code.slice(-3));
        if (quote || regexStart) {
            const close = c;
            let j = i + 1;
            let closed = false;
            while (j < text.length && text[j] !== '\n') {
                if ((quote === 'backslash' || regexStart) && text[j] === '\\') {
                    j += 2;
                    continue;
                }
                if (text[j] === close) {
                    if (quote === 'double' && text[j + 1] === close) {
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                j++;
            }
            if (!closed) {
                problems.push(`line ${line}: ${regexStart ? 'regex' : 'string'} literal not closed on its line`);
                return { code, problems };
            }
            code += ' '.repeat(j + 1 - i);
            i = j + 1;
            continue;
        }
        if (PAIRS[c]) {
            stack.push({ c, line });
        } else if (Object.values(PAIRS).includes(c)) {
            const open = stack.pop();
            if (!open || PAIRS[open.c] !== c) {
                problems.push(`line ${line}: unbalanced '${c}'`);
            }
        }
        code += c;
        i++;
    }
    if (inBlock) problems.push('block comment not closed');
    for (const open of stack) problems.push(`line ${open.line}: '${open.c}' not closed`);
    return { code, problems };
}

// Splits code into queries at blank lines, dropping comment-only ones.
function queries(code) {
    return code.split(/\n\s*\n/).map((q) => q.trim()).filter((q) => q.length > 0);
}

function pipeCommands(query) {
    return query.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('|'))
        .map((l) => l.slice(1).trim().split(/[\s(]/)[0]);
}

function checkCommands(problems, what, commands, allowed) {
    for (const command of commands) {
        if (!allowed.includes(command)) problems.push(`${what}: command '${command}' is not in the language reference`);
    }
}

const LANGUAGE_RULES = {
    spl(code, text, count) {
        const problems = [];
        const list = queries(code);
        // The seed search is one search with append subsearches; the default profile's are separate.
        for (const q of count === 1 ? list.slice(0, 1) : list) {
            if (!q.startsWith('index=')) problems.push(`a search starts with '${q.slice(0, 20)}', not index=`);
        }
        if (list.length !== count) problems.push(`expected ${count} searches, found ${list.length}`);
        checkCommands(problems, 'spl', pipeCommands(code).filter((c) => c !== ''),
            ['where', 'eval', 'fillnull', 'stats', 'rename', 'append', 'table', 'sort', 'bin',
                'streamstats', 'eventstats', 'rex']);
        return problems;
    },
    esql(code, text, count) {
        const problems = [];
        const list = queries(code);
        if (list.length !== count) problems.push(`expected ${count} queries, found ${list.length}`);
        for (const q of list) {
            if (!q.startsWith('FROM ')) problems.push(`a query starts with '${q.slice(0, 20)}', not FROM`);
            const commands = pipeCommands(q);
            checkCommands(problems, 'esql', commands, ['WHERE', 'EVAL', 'STATS', 'KEEP', 'RENAME', 'SORT', 'LIMIT', 'DROP', 'MV_EXPAND']);
            if (commands.indexOf('KEEP') >= 0 && commands.indexOf('STATS') > commands.indexOf('KEEP')) {
                problems.push('KEEP before STATS');
            }
        }
        return problems;
    },
    eql(code, text, count) {
        const problems = [];
        const list = queries(code);
        if (list.length !== count) problems.push(`expected ${count} queries, found ${list.length}`);
        for (const q of list) {
            if (!/^(sequence by [\w.]+(, [\w.]+)* with maxspan=\d+(ms|s|m|h|d)\s*\[|network where )/.test(q)) {
                problems.push(`a query starts with '${q.slice(0, 30)}', not a sequence or an event query`);
            }
            for (const m of q.matchAll(/with runs=(\d+)/g)) {
                if (+m[1] < 1 || +m[1] > 100) problems.push(`runs=${m[1]} is outside 1 to 100`);
            }
        }
        return problems;
    },
    aql(code, text, count) {
        const problems = [];
        const list = queries(code);
        if (list.length !== count) problems.push(`expected ${count} queries, found ${list.length}`);
        const clauses = ['SELECT', 'FROM', 'WHERE', 'GROUP BY', 'HAVING', 'ORDER BY', 'LAST'];
        for (const q of list) {
            let last = -1;
            for (const l of q.split('\n')) {
                const index = clauses.findIndex((c) => l.startsWith(c));
                if (index < 0) continue;
                if (index <= last) problems.push(`clause ${clauses[index]} out of order`);
                last = index;
            }
            if (!q.startsWith('SELECT')) problems.push('a query does not start with SELECT');
        }
        // AQL accepts comments only inside a query's body: here, right after SELECT.
        const comments = (text.match(/\/\*/g) ?? []).length;
        const placed = (text.match(/^SELECT\n\/\*/gm) ?? []).length;
        if (comments !== placed) problems.push('a comment outside a query body (not right after SELECT)');
        return problems;
    },
    sumo(code, text, count) {
        const problems = [];
        const list = queries(code);
        if (list.length !== count) problems.push(`expected ${count} queries, found ${list.length}`);
        for (const q of list) {
            if (!q.startsWith('_index=')) problems.push('a query does not start with _index=');
            for (const l of q.split('\n').filter((x) => x.trim().startsWith('|'))) {
                const body = l.trim().slice(1).trim();
                const command = body.split(/[\s(]/)[0];
                const known = ['where', 'if', 'count', 'parse', 'timeslice', 'count_distinct', 'fields', 'sort', 'floor', 'now'];
                if (!known.includes(command) && !/(^|\s)as \w+$/.test(body)) {
                    problems.push(`sumo: '${body.slice(0, 30)}' is neither an operator nor an expression with as`);
                }
            }
        }
        return problems;
    },
    yaral(code, text, count) {
        const problems = [];
        const rules = [...code.matchAll(/rule (\w+) \{([\s\S]*?)\n\}/g)];
        if (rules.length !== count) problems.push(`expected ${count} rules, found ${rules.length}`);
        const order = ['meta', 'events', 'match', 'outcome', 'condition', 'options'];
        for (const [, name, body] of rules) {
            const sections = [...body.matchAll(/^\s{4}(\w+):\s*$/gm)].map((m) => m[1]);
            const positions = sections.map((s) => order.indexOf(s));
            if (positions.some((p) => p < 0)) problems.push(`${name}: unknown section in ${sections.join(', ')}`);
            if (positions.some((p, k) => k > 0 && p <= positions[k - 1])) problems.push(`${name}: sections out of order`);
            for (const required of ['meta', 'events', 'condition']) {
                if (!sections.includes(required)) problems.push(`${name}: no ${required} section`);
            }
            const window = /over (\d+)(m|h|d)\b/.exec(body);
            if (window) {
                const minutes = +window[1] * { m: 1, h: 60, d: 1440 }[window[2]];
                if (minutes < 1 || minutes > 2880) problems.push(`${name}: match window ${window[0]} is outside 1m to 48h`);
            }
        }
        return problems;
    },
    logscale(code, text, count) {
        const problems = [];
        const list = queries(code);
        if (list.length !== count) problems.push(`expected ${count} queries, found ${list.length}`);
        for (const q of list) {
            if (!q.startsWith('#event_simpleName=')) problems.push('a query does not start with #event_simpleName=');
            for (const l of q.split('\n').filter((x) => x.trim().startsWith('|'))) {
                const body = l.trim().slice(1).trim();
                const ok = /^!?(test|in|cidr|join|regex|default|groupBy|rename|sort)\(/.test(body)
                    || /^\w+ :=/.test(body) || /^\w+ !?=\s/.test(body);
                if (!ok) problems.push(`logscale: '${body.slice(0, 30)}' is not a known function, assignment or filter`);
            }
            if (/groupBy\(/.test(q) && !/limit=max/.test(q)) problems.push('groupBy without limit=max keeps 20,000 groups');
        }
        return problems;
    },
};

function exportQuery(binary, target, profile) {
    const result = spawnSync(binary, ['export', '--target', target, '--profile', profile], { encoding: 'utf8' });
    return result.status === 0 ? { text: result.stdout } : { error: `exit status ${result.status}: ${result.stderr.trim()}` };
}

const binary = process.argv[2];
if (binary === undefined) {
    console.error('usage: node structure.mjs PATH-TO-INFRAHUNT');
    process.exit(2);
}
// Each profile with the number of queries (SPL searches, YARA-L rules) per target.
const SEED_COUNTS = { spl: 1, esql: 3, eql: 3, aql: 3, sumo: 3, yaral: 3, logscale: 3 };
const profiles = [
    ['seed', 'seed', SEED_COUNTS],
    ['hostile', join(HERE, 'profiles', 'hostile.yaml'), SEED_COUNTS],
    // Without intel indicators, the targets that need one to write a query leave it out.
    ['default', 'default', { spl: 6, esql: 6, eql: 5, aql: 4, sumo: 4, yaral: 5, logscale: 3 }],
    ['default-lists', join(HERE, 'profiles', 'default-lists.yaml'),
        { spl: 6, esql: 6, eql: 5, aql: 5, sumo: 5, yaral: 6, logscale: 4 }],
];
const targets = ['kql', 'spl', 'esql', 'eql', 'aql', 'sumo', 'yaral', 'logscale', 'sigma', 'sql'];
for (const [label, profile, counts] of profiles) {
    for (const target of targets) {
        const { text, error } = exportQuery(binary, target, profile);
        if (error) {
            report(`${target} for ${label}`, [error]);
            continue;
        }
        if (LEXERS[target]) {
            const { code, problems } = lex(text, LEXERS[target]);
            if (problems.length === 0) problems.push(...LANGUAGE_RULES[target](code, text, counts[target]));
            report(`${target} for ${label}: structure`, problems);
        }
        const golden = join(HERE, 'golden', `${label}.${target}`);
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
        const expected = existsSync(golden) ? readFileSync(golden, 'utf8') : null;
        report(`${target} for ${label}: golden file`, expected === text ? []
            : [expected === null ? `${golden} is missing (UPDATE_GOLDEN=1 writes it)` : `output differs from ${golden}; diff it, and rerun with UPDATE_GOLDEN=1 if the change is intended`]);
    }
}

// The hostile profile's values must never appear unescaped: a raw newline
// from a value would start a new line of code.
const hostileKql = exportQuery(binary, 'kql', join(HERE, 'profiles', 'hostile.yaml')).text ?? '';
report('hostile values stay inside their literals', hostileKql.includes('with a newline\n') || hostileKql.includes('line.exe"\n')
    ? ['a newline from a profile value reached the output'] : []);

console.log(`structure: ${tally.passed} passed, ${tally.failed} failed`);
process.exitCode = tally.failed > 0 ? 1 : 0;
