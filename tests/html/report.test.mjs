// Opens infrahunt's HTML reports in headless Chromium and checks that they
// load nothing, log no error, show every hostile value as text, and run no
// script. Also renders the report of the real Zeek days in
// $INFRAHUNT_DATA/zeek/rita-missing-host and takes the README's screenshot.
//
// Environment: INFRAHUNT_BIN (default build/infrahunt), INFRAHUNT_DATA
// (default ../shared/data from the repository root), CHROMIUM (default
// /usr/bin/chromium), REPORT_SCREENSHOT (where to write the screenshot;
// default a temporary folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.INFRAHUNT_BIN || path.join(root, 'build/infrahunt');
const data = process.env.INFRAHUNT_DATA || path.resolve(root, '../shared/data');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const hostileInput = path.join(root, 'tests/cases/hostile-values-table/hostile.jsonl');

let browser;
let work;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'infrahunt-html-'));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function infrahunt(...args) {
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// Runs infrahunt in folder cwd, so that the report names its input relative to it.
function infrahuntIn(cwd, ...args) {
  return execFileSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
}

// Loads a report and records every console message of type error or
// warning, every page error, and every request other than the report
// itself. Chromium reports a request that the CSP blocks as a request that
// failed with "csp". Such a request never reaches the network, so it is
// listed apart. Any other request is aborted here before it leaves.
async function openReport(file, viewport = { width: 1280, height: 900 }) {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport });
  const problems = [];
  const seen = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) seen.push(r);
  });
  await page.route((u) => u.href !== url, (route) => route.abort());
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(200);
  const blocked = seen.filter((r) => r.failure()?.errorText === 'csp').map((r) => r.url());
  const requests = seen.filter((r) => r.failure()?.errorText !== 'csp').map((r) => r.url());
  return { page, problems, requests, blocked };
}

// Facts about the page that hold for every report.
async function checkPage(page) {
  const facts = await page.evaluate(() => ({
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
    scripts: document.scripts.length,
    handlers: [...document.querySelectorAll('*')]
      .flatMap((e) => [...e.attributes].filter((a) => a.name.toLowerCase().startsWith('on')))
      .map((a) => a.name),
    embedded: document.querySelectorAll('img, iframe, object, embed, link, base, form').length,
    styleAttributes: document.querySelectorAll('[style]').length,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  assert.match(facts.csp, /default-src 'none'/);
  assert.match(facts.csp, /style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  assert.doesNotMatch(facts.csp, /unsafe/);
  assert.equal(facts.scripts, 0, 'the report has <script> elements');
  assert.deepEqual(facts.handlers, [], 'the report has event handler attributes');
  assert.equal(facts.embedded, 0, 'the report has elements that load or submit');
  assert.equal(facts.styleAttributes, 0, 'the report has style attributes, which its CSP blocks');
  // The style sheet applies only when its hash matches the CSP's.
  assert.equal(facts.background, 'rgb(245, 246, 248)', 'the style sheet was blocked');
}

test('report of simulated telemetry', async () => {
  const input = path.join(work, 'zeek');
  const report = path.join(work, 'simulated.html');
  infrahunt('simulate', '--test', 'all', '--format', 'zeek-tsv', '--background', '2000', '-o', input);
  infrahunt('scan', '-f', 'html', '-o', report, input);
  const alerts = infrahunt('scan', '-f', 'jsonl', input).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(alerts.length > 0, 'the simulated attack raised no alert');

  const { page, problems, requests } = await openReport(report);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  await checkPage(page);

  const rows = await page.locator('#summary tbody tr').count();
  assert.equal(rows, alerts.length, 'summary rows differ from the JSON lines alerts');
  assert.equal(await page.locator('section.alert').count(), alerts.length);

  const beacon = alerts.findIndex((a) => a.AlertType === 'Beaconing');
  assert.ok(beacon >= 0, 'no Beaconing alert in the simulated attack');
  const section = page.locator(`#alert-${beacon + 1}`);
  const captions = await section.locator('figcaption').allTextContents();
  assert.ok(captions.some((c) => c.startsWith('Connections')), `captions: ${captions}`);
  assert.ok(captions.some((c) => c.startsWith('Intervals between beats')), `captions: ${captions}`);
  assert.ok(captions.some((c) => c.startsWith('Interval by time')), `captions: ${captions}`);
  assert.ok(await section.locator('path.ticks').count() === 1, 'no connection timeline');
  assert.ok(await section.locator('rect.bar').count() > 0, 'no histogram bars');
  assert.ok(await section.locator('path.mark').count() >= 1, 'the period is not marked');
  const period = alerts[beacon].PeriodSeconds;
  assert.ok(captions.some((c) => c.includes('period')), `no period in ${captions}`);
  assert.ok(period > 0);

  // Alerts are numbered in JSON lines order; AlertType joins the signals of a combined alert.
  const ofType = (type) => alerts.flatMap((a, i) => (a.AlertType.split('+').includes(type) ? [i + 1] : []));
  const eventKinds = (s) => s.locator('table.events tbody tr td:nth-child(2)').allTextContents();

  const flux = ofType('FastFlux');
  assert.ok(flux.length > 0, 'no FastFlux alert in the simulated attack');
  for (const n of flux) {
    const s = page.locator(`#alert-${n}`);
    const fluxCaptions = await s.locator('figcaption').allTextContents();
    assert.ok(fluxCaptions.some((c) => c.startsWith('Addresses per hour')), `alert ${n}: ${fluxCaptions}`);
    assert.ok(fluxCaptions.some((c) => /^(ASNs|Networks) per hour/.test(c)), `alert ${n}: ${fluxCaptions}`);
    assert.ok(fluxCaptions.some((c) => c.startsWith('Addresses per answer')), `alert ${n}: ${fluxCaptions}`);
    assert.ok(await s.locator('rect.bar').count() >= 2, `alert ${n}: no bars per hour`);
    assert.ok(await s.locator('path[class^="dots"]').count() >= 1, `alert ${n}: no answers over time`);
    assert.ok((await eventKinds(s)).includes('answer'), `alert ${n}: no answer in the events table`);
  }

  const ddns = ofType('DynamicDNS');
  assert.ok(ddns.length > 0, 'no DynamicDNS alert in the simulated attack');
  let followed = 0;
  for (const n of ddns) {
    const s = page.locator(`#alert-${n}`);
    const ddnsCaptions = await s.locator('figcaption').allTextContents();
    assert.ok(ddnsCaptions.some((c) => c.startsWith('Events')), `alert ${n}: ${ddnsCaptions}`);
    assert.ok(await s.locator('circle.event').count() >= 1, `alert ${n}: no event timeline`);
    const kinds = await eventKinds(s);
    assert.ok(kinds.includes('resolution'), `alert ${n}: events ${kinds}`);
    if (kinds.includes('connection')) followed++;
  }
  assert.ok(followed > 0, 'no DynamicDNS alert shows the connections that followed');
  await page.close();
});

test('hostile values shown as text, never run', async () => {
  for (const profile of ['default', 'seed']) {
    const report = path.join(work, `hostile-${profile}.html`);
    infrahunt('scan', '-p', profile, '-f', 'html', '-o', report, hostileInput);
    const { page, problems, requests } = await openReport(report);
    assert.deepEqual(problems, [], profile);
    assert.deepEqual(requests, [], profile);
    await checkPage(page);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, `${profile}: a script ran`);

    const text = await page.evaluate(() => document.body.textContent);
    if (profile === 'default') {
      assert.ok(text.includes('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">.exe'),
        'the process name is not shown as text');
      assert.ok(text.includes('https://evil.example/?q="><script>window.__pwned=3</script>'),
        'the URL is not shown as text');
      assert.ok(text.includes('ws-<svg onload=window.__pwned=4>\\x1b[31mred\\x1b[0m\\u202eexe.txt'),
        'the device name is not shown with its escapes');
    }
    assert.ok(text.includes('x"><script>window.__pwned=5</script>.duckdns.org'),
      'the dynamic-DNS name is not shown as text');
    await page.close();
  }
});

test('every chart kind renders', async () => {
  // The unit test of the writer builds alerts with every chart kind, events,
  // empty and degenerate series, and hostile strings, and writes the report.
  const unit = path.join(path.dirname(bin), 'tests/test_output_html');
  assert.ok(existsSync(unit), `${unit} not found; build the unit tests first (make unit)`);
  const report = path.join(work, 'evidence.html');
  execFileSync(unit, [], { env: { ...process.env, INFRAHUNT_REPORT_SAMPLE: report }, stdio: 'ignore' });

  const { page, problems, requests } = await openReport(report);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  await checkPage(page);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'a script ran');
  const charts = await page.evaluate(() => [...document.querySelectorAll('figure.chart')].map((f) => {
    const box = f.querySelector('svg').getBoundingClientRect();
    return { caption: f.querySelector('figcaption').textContent, width: box.width, height: box.height };
  }));
  const captions = charts.map((c) => c.caption.split(' ')[0]);
  for (const want of ['Connections', 'Intervals', 'Bytes', 'Addresses', 'ASNs', 'Events'])
    assert.ok(captions.includes(want), `no ${want} chart among ${captions}`);
  for (const c of charts) {
    assert.ok(c.width > 100, `${c.caption}: ${c.width} px wide`);
    assert.ok(c.height > 40, `${c.caption}: ${c.height} px high`);
  }
  await page.close();
});

test('CSP blocks a script that escaping would miss', async () => {
  // A report with a script put in by hand stands for an escaping bug.
  const report = path.join(work, 'injected.html');
  const html = infrahunt('scan', '-f', 'html', hostileInput)
    .replace('<body>', '<body><script>window.__pwned = 9</script><img src="https://example.com/x.png">');
  writeFileSync(report, html);
  const { page, problems, requests, blocked } = await openReport(report);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the injected script ran');
  assert.ok(problems.some((p) => /inline script violates .*Content Security Policy/.test(p)),
    `messages: ${problems}`);
  assert.deepEqual(blocked, ['https://example.com/x.png'], 'the CSP did not block the image');
  assert.deepEqual(requests, [], 'the injected image was requested');
  await page.close();
});

test('report of real Zeek days, with screenshot', async (t) => {
  const days = path.join(data, 'zeek/rita-missing-host');
  if (!existsSync(days)) {
    t.skip(`real data not found at ${days} (set INFRAHUNT_DATA)`);
    return;
  }
  const report = path.join(work, 'rita.html');
  infrahuntIn(data, 'scan', '-f', 'html', '-o', report, 'zeek/rita-missing-host');
  const first = JSON.parse(infrahunt('scan', '-f', 'jsonl', days).split('\n')[0]);
  // The data set's README names the beacon: 73.54.23.243 calls 64.225.56.201 every 200 to 350 s.
  assert.equal(first.DeviceName, '73.54.23.243');
  assert.equal(first.RemoteIP, '64.225.56.201');
  assert.ok(first.PeriodSeconds >= 200, `period ${first.PeriodSeconds}`);
  assert.ok(first.PeriodSeconds <= 350, `period ${first.PeriodSeconds}`);

  const { page, problems, requests } = await openReport(report, { width: 1200, height: 900 });
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  await checkPage(page);
  const heading = await page.locator('#alert-1 h2').textContent();
  assert.ok(heading.includes('73.54.23.243'), heading);

  // The page from its top to the end of the first alert: summary, facts and charts.
  const box = await page.locator('#alert-1').boundingBox();
  const shot = process.env.REPORT_SCREENSHOT || path.join(work, 'report.png');
  const clip = { x: 0, y: 0, width: 1200, height: Math.ceil(box.y + box.height + 16) };
  await page.screenshot({ path: shot, clip, fullPage: true });
  const size = statSync(shot).size;
  assert.ok(size < 300 * 1024, `the screenshot takes ${size} bytes`);
  assert.deepEqual([...readFileSync(shot).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  await page.close();
});
