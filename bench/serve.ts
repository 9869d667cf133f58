/**
 * Load on `aoi serve` (issue 19): ALERTS alerts within SECONDS, each unique alert sent COPIES times (as
 * Alertmanager re-sends groups), posted in batches as webhook payloads to a real `aoi serve --sim` child
 * process. Waits until every unique alert is answered, then prints alerts received, diagnosed,
 * de-duplicated and refused (503), p50/p95 time from receipt to answer (aoi's own figure per answer, JSONL on
 * its stdout), and the server's peak RSS (VmHWM, Linux). Prints figures; asserts nothing.
 *
 *   npm run bench:serve [-- --alerts 200 --copies 4 --seconds 10 --concurrency 2 --problem ID --aoi PATH]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_BUILD_CACHE, buildAoiForTests } from '../tests/built-aoi.js';

const { values: flags } = parseArgs({
  options: {
    alerts: { type: 'string', default: '200' },
    copies: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '2' },
    problem: { type: 'string', default: 'astronomy_shop_cart_service_failure-localization-1' },
    aoi: { type: 'string' },
  },
});
const ALERTS = Number(flags.alerts);
const COPIES = Number(flags.copies);
const SECONDS = Number(flags.seconds);
const UNIQUE = Math.ceil(ALERTS / COPIES);
const BATCHES = 20;
// A transpiled build of its own (tests/built-aoi.ts): the sources through tsx would add their compile to RSS.
const AOI = flags.aoi ?? buildAoiForTests(join(TEST_BUILD_CACHE, 'aoi-test-build-bench-serve'));

const WORKLOADS = ['cart', 'checkout', 'frontend', 'currency', 'payment', 'shipping', 'ad', 'email'];

function alert(i: number) {
  return {
    status: 'firing',
    labels: {
      alertname: `BenchAlert${i}`,
      namespace: 'astronomy-shop',
      deployment: WORKLOADS[i % WORKLOADS.length]!,
      severity: 'page',
    },
    annotations: { summary: `bench alert ${i}` },
    fingerprint: `bench-${i.toString(16).padStart(8, '0')}`,
  };
}

function payload(alerts: ReturnType<typeof alert>[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname=~"Bench.*"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'aoi',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://bench',
    alerts,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

async function peakRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
}

const home = await mkdtemp(join(tmpdir(), 'aoi-bench-serve-'));
const child = spawn(
  process.execPath,
  [
    AOI,
    'serve',
    '--sim',
    flags.problem,
    '--reasoner',
    'rules',
    '--port',
    '0',
    '--concurrency',
    flags.concurrency,
    '--max-queue',
    String(UNIQUE + 10),
  ],
  {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AOI_STATE_DIR: join(home, 'state'),
      OLLAMA_HOST: 'http://127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let stderr = '';
let stdout = '';
child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
try {
  while (!/serving on (http:\/\/\S+):/.test(stderr)) {
    if (child.exitCode !== null) throw new Error(`aoi serve exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /serving on (http:\/\/\S+):/.exec(stderr)![1]!;
  const rssBefore = await peakRssKiB(child.pid!);
  // Every unique alert COPIES times, shuffled deterministically so copies interleave across batches.
  const sends = Array.from({ length: ALERTS }, (_, k) => k % UNIQUE).sort(
    (a, b) => ((a * 7919) % 101) - ((b * 7919) % 101) || a - b,
  );
  const perBatch = Math.ceil(ALERTS / BATCHES);
  const started = Date.now();
  let refused = 0;
  for (let b = 0; b < BATCHES; b++) {
    const body = payload(sends.slice(b * perBatch, (b + 1) * perBatch).map(alert));
    const reply = await fetch(`${url}/alertmanager`, { method: 'POST', body: JSON.stringify(body) });
    if (reply.status === 503) refused += body.alerts.length;
    const next = started + ((b + 1) * SECONDS * 1000) / BATCHES;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  const sentIn = (Date.now() - started) / 1000;
  while (
    (await metric(url, 'aoi_diagnoses_total')) + (await metric(url, 'aoi_diagnosis_errors_total')) <
    UNIQUE
  )
    await new Promise((r) => setTimeout(r, 500));
  const answers = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { fingerprint: string; timeToAnswerMs: number });
  const times = answers.map((a) => a.timeToAnswerMs).sort((a, b) => a - b);
  const fingerprints = new Set(answers.map((a) => a.fingerprint));
  const rows: [string, string][] = [
    [
      'alerts sent',
      `${ALERTS} in ${sentIn.toFixed(1)} s (${UNIQUE} unique × ${COPIES}, ${BATCHES} webhook posts)`,
    ],
    ['alerts received', String(await metric(url, 'aoi_alerts_received_total'))],
    ['refused (503)', String(refused)],
    ['de-duplicated', String(await metric(url, 'aoi_alerts_deduplicated_total'))],
    [
      'diagnosed',
      `${answers.length} (${fingerprints.size} distinct alerts; errors ${await metric(url, 'aoi_diagnosis_errors_total')})`,
    ],
    ['time to answer p50', `${(percentile(times, 50) / 1000).toFixed(1)} s`],
    ['time to answer p95', `${(percentile(times, 95) / 1000).toFixed(1)} s`],
    ['time to answer max', `${((times.at(-1) ?? NaN) / 1000).toFixed(1)} s`],
    [
      'peak RSS',
      `${((await peakRssKiB(child.pid!)) / 1024).toFixed(0)} MiB (${(rssBefore / 1024).toFixed(0)} MiB when ready)`,
    ],
    ['concurrency', flags.concurrency],
  ];
  console.log(
    `aoi serve under load (${flags.problem}, reasoner rules, ${flags.aoi ?? 'a transpiled build of the sources'})`,
  );
  for (const [k, v] of rows) console.log(`  ${k.padEnd(20)} ${v}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await rm(home, { recursive: true, force: true });
}
