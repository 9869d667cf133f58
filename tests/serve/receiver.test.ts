/**
 * The receiver over real HTTP with a diagnosis function the test controls (each diagnosis waits for the
 * test to release it), so ordering is driven by hand, not by the clock: de-duplication, the bounded queue
 * answering 503, /metrics, graceful shutdown finishing what was taken, and notifications that are slow
 * or failing without holding up diagnoses.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedAlert } from '../../src/alert/alertmanager.js';
import type { DiagnoseOutput } from '../../src/core/diagnose-output.js';
import { Notifier } from '../../src/notify/notifier.js';
import type { Answer } from '../../src/serve/receiver.js';
import { AlertReceiver } from '../../src/serve/receiver.js';
import { HttpSink } from '../notify/http-sink.js';

const payload = (fingerprints: string[], groupKey = 'g1', status = 'firing') => ({
  version: '4',
  groupKey,
  truncatedAlerts: 0,
  status,
  receiver: 'aoi',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am',
  alerts: fingerprints.map((fingerprint) => ({
    status,
    labels: { alertname: 'A', namespace: 'ns', deployment: fingerprint },
    annotations: {},
    fingerprint,
  })),
});

function output(received: ReceivedAlert): DiagnoseOutput {
  return {
    schema: 'aoi.diagnose/v2',
    id: `run-${received.fingerprint}`,
    namespace: 'ns',
    reasoner: 'rules',
    verdict: 'incident',
    detected: true,
    rootCause: null,
    faultyComponents: [received.alert.labels['deployment'] ?? '?'],
    hypotheses: [],
    evidence: [],
    proposals: [],
    actions: [],
    verification: null,
    coverage: {
      complete: true,
      kinds: {},
      logs: { read: 0, forbidden: 0, failed: 0 },
      telemetry: {
        prometheus: { via: null, found: false, gaps: 0 },
        jaeger: { via: null, found: false, gaps: 0 },
      },
      gaps: [],
    },
    rejectedClaims: [],
    stats: { evidence: 0, dropped: 0, durationMs: 1, tokensIn: 0, tokensOut: 0 },
    trajectory: null,
  } as unknown as DiagnoseOutput;
}

/** Diagnoses that finish only when the test releases them. */
class Gate {
  readonly started: string[] = [];
  readonly #waiting: (() => void)[] = [];
  diagnose = async (received: ReceivedAlert): Promise<DiagnoseOutput> => {
    this.started.push(received.fingerprint);
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return output(received);
  };
  releaseAll(): void {
    for (const release of this.#waiting.splice(0)) release();
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(gate: Gate, extra: Partial<ConstructorParameters<typeof AlertReceiver>[0]> = {}) {
  const answers: Answer[] = [];
  const log: string[] = [];
  const receiver = new AlertReceiver({
    host: '127.0.0.1',
    port: 0,
    concurrency: 2,
    maxQueue: 3,
    dedupWindowMs: 60_000,
    diagnose: gate.diagnose,
    onAnswer: (a) => answers.push(a),
    log: (line) => log.push(line),
    ...extra,
  });
  const url = await receiver.listen();
  cleanups.push(async () => {
    gate.releaseAll();
    await receiver.shutdown();
  });
  const post = (body: unknown) =>
    fetch(`${url}/alertmanager`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));
  return { receiver, url, answers, log, post };
}

const until = async (check: () => boolean) => {
  // Polls in-process state that HTTP handlers and promises update; no wall-clock assumption beyond the test limit.
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('aoi serve: the receiver', () => {
  it('diagnoses each alert once per group key and fingerprint within the window', async () => {
    const gate = new Gate();
    const { post, answers, receiver } = await start(gate);
    expect((await post(payload(['a', 'b']))).status).toBe(200);
    expect((await post(payload(['a', 'b']))).status).toBe(200);
    // The same fingerprint in another group is another alert; a resolved one is not diagnosed.
    expect((await post(payload(['a'], 'g2'))).status).toBe(200);
    expect((await post(payload(['c'], 'g1', 'resolved'))).status).toBe(200);
    gate.releaseAll();
    await until(() => answers.length === 2);
    gate.releaseAll();
    await until(() => answers.length === 3);
    expect(gate.started.sort()).toEqual(['a', 'a', 'b']);
    expect(receiver.metrics.alertsReceived).toBe(6);
    expect(receiver.metrics.alertsDeduplicated).toBe(2);
    expect(receiver.metrics.alertsResolved).toBe(1);
  });

  it('answers 503 when the queue cannot take a request whole, and takes it on the retry', async () => {
    const gate = new Gate();
    const { post, answers, url } = await start(gate);
    // 2 running + 3 waiting fill it.
    expect((await post(payload(['a', 'b', 'c', 'd', 'e']))).status).toBe(200);
    const full = await post(payload(['f']));
    expect(full.status).toBe(503);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^aoi_queue_depth 3$/m);
    expect(metrics).toMatch(/^aoi_diagnoses_in_flight 2$/m);
    expect(metrics).toMatch(/^aoi_alerts_rejected_total 1$/m);
    while (answers.length < 5) {
      gate.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Nothing of the refused request was marked seen: Alertmanager's retry is taken.
    expect((await post(payload(['f']))).status).toBe(200);
    gate.releaseAll();
    await until(() => gate.started.includes('f'));
    gate.releaseAll();
    await until(() => answers.length === 6);
    const after = await (await fetch(`${url}/metrics`)).text();
    expect(after).toMatch(/^aoi_diagnoses_total\{verdict="incident"\} 6$/m);
    expect(after).toMatch(/^aoi_time_to_answer_seconds_count 6$/m);
    expect(after).toMatch(/^aoi_time_to_answer_seconds_bucket\{le="\+Inf"\} 6$/m);
  });

  it('takes 200 alerts in 20 posts (50 unique, each 4 times): 50 diagnoses, 150 duplicates, bounded memory', async () => {
    const { receiver, post, answers } = await start(new Gate(), {
      maxQueue: 60,
      // Diagnoses answer at once: this is the receiver's load, not the cluster's.
      diagnose: (received) => Promise.resolve(output(received)),
    });
    const sends = Array.from({ length: 200 }, (_, k) => `u${k % 50}`);
    for (let b = 0; b < 20; b++)
      expect((await post(payload(sends.slice(b * 10, b * 10 + 10)))).status).toBe(200);
    await until(() => answers.length === 50);
    expect(new Set(answers.map((a) => a.received.fingerprint)).size).toBe(50);
    expect(receiver.metrics.alertsReceived).toBe(200);
    expect(receiver.metrics.alertsDeduplicated).toBe(150);
    // What the receiver keeps per alert is its de-duplication key: 50 keys, nothing else retained.
    expect(receiver.dedupKeys).toBe(50);
  });

  it('rejects what is not a version-4 payload with 400 and a reason; /healthz says ok', async () => {
    const { post, url } = await start(new Gate());
    const bad = await post({ ...payload(['a']), version: '3' });
    expect(bad).toMatchObject({ status: 400 });
    expect(bad.text).toMatch(/version/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/alertmanager`)).status).toBe(405);
  });

  it('on shutdown refuses new alerts and finishes every diagnosis it took', async () => {
    const gate = new Gate();
    const { post, answers, receiver } = await start(gate);
    await post(payload(['a', 'b', 'c']));
    await until(() => gate.started.length === 2);
    const stopped = receiver.shutdown();
    let done = false;
    void stopped.then(() => (done = true));
    // Still waiting for the running two and the queued one.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    while (!done) {
      gate.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(answers.map((a) => a.received.fingerprint).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a webhook that hangs and one that fails delay no diagnosis; the failure is recorded after its retries', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await HttpSink.start(() => 200, held);
    const failing = await HttpSink.start(() => 500);
    const dir = await mkdtemp(join(tmpdir(), 'aoi-serve-notify-'));
    cleanups.push(async () => {
      await slow.close();
      await failing.close();
      await rm(dir, { recursive: true, force: true });
    });
    const notifier = await Notifier.open([`${slow.url}/hook/s3cr3t`, `${failing.url}/hook/s3cr3t`], dir, {
      attempts: 3,
      baseDelayMs: 10,
    });
    const gate = new Gate();
    const { post, answers, receiver, log } = await start(gate, { notifier });
    await post(payload(['a', 'b', 'c', 'd']));
    // Every diagnosis finishes while the first notifications are still in flight.
    while (answers.length < 4) {
      gate.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The slow webhook holds its answers: two notifications wait on it (the notify queue runs two).
    expect(slow.received.length).toBeLessThanOrEqual(2);
    release();
    await receiver.shutdown();
    await notifier.close();
    expect(slow.received).toHaveLength(4);
    expect(failing.received).toHaveLength(12);
    const records = (await readFile(join(dir, 'notifications.jsonl'), 'utf8')).trim().split('\n');
    expect(records.map((r) => (JSON.parse(r) as { ok: boolean }).ok).sort()).toEqual([
      ...Array<boolean>(4).fill(false),
      ...Array<boolean>(4).fill(true),
    ]);
    expect(receiver.metrics.notifications.get('failed')).toBe(4);
    for (const text of [...log, ...records]) expect(text).not.toContain('s3cr3t');
  }, 30_000);
});
