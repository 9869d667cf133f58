/**
 * The on-call chain on loopback, every link real except the cluster: Debian's Prometheus scrapes the
 * simulator's pods and evaluates an error-ratio alert rule; the rule fires for an injected fault; Debian's
 * Alertmanager routes it to `aoi serve` (a child process); aoi diagnoses it and posts a Slack-format message
 * to a local sink, which must name the faulty component. Then SIGTERM: aoi stops cleanly, every diagnosis
 * it took on record. Skipped, with the reason printed, only when the binaries are absent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OBSERVER_CONTEXT,
  SimCluster,
  SimServer,
  getApp,
  renderKubeconfig,
} from '../../aiopslab-harness/sim/index.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { resourceByKind } from '../../aiopslab-harness/sim/api/resources.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { HttpSink } from '../notify/http-sink.js';
import {
  findAlertmanager,
  findPrometheus,
  startAlertmanager,
  startPrometheus,
} from '../serve/real-alerting.js';
import { spawnAoi } from './spawn-aoi.js';

const prometheusBin = findPrometheus();
const alertmanagerBin = findAlertmanager();
if (!prometheusBin || !alertmanagerBin)
  console.log(
    `skipping the alert chain test: ${!prometheusBin ? 'no prometheus binary (PATH, /usr/bin/prometheus)' : ''}` +
      `${!prometheusBin && !alertmanagerBin ? ' and ' : ''}${!alertmanagerBin ? 'no /usr/bin/prometheus-alertmanager' : ''}`,
  );

const NS = 'shop';
/** The workloads whose pods Prometheus scrapes: the faulty one and its callers (few, to spare the CPU). */
const SCRAPED = ['cart', 'checkout', 'frontend'];
/** Errors over all gRPC requests a pod served in the last 5 s; the deployment label from the pod name. */
const RULES = `groups:
  - name: aoi-chain
    interval: 1s
    rules:
      - alert: HighErrorRatio
        expr: >-
          label_replace(
            sum by (namespace, pod) (rate(rpc_server_duration_milliseconds_count{rpc_grpc_status_code!="0"}[5s]))
              / sum by (namespace, pod) (rate(rpc_server_duration_milliseconds_count[5s])) > 0.1,
            "deployment", "$1", "pod", "(.+)-[a-z0-9]+-[a-z0-9]+")
        for: 5s
        labels: { severity: page }
        annotations:
          summary: '{{ $labels.deployment }} answers {{ $value | humanizePercentage }} of its requests with errors'
`;
/**
 * Real daemons on their own 1 s schedules plus a diagnosis per alert: tens of seconds when quiet, several
 * times that on a busy two-core machine. Every wait polls; these limits only bound a hang.
 */
const CHAIN_MS = 300_000;

interface SlackMessage {
  text: string;
  blocks: { text: { text: string } }[];
}

describe.skipIf(!prometheusBin || !alertmanagerBin)('Prometheus → Alertmanager → aoi serve → chat', () => {
  let home: string;
  let server: SimServer;
  let cluster: SimCluster;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'aoi-alert-chain-'));
    cluster = new SimCluster({ seed: 7 });
    cluster.deployApp(getApp('astronomy-shop')!, NS);
    expect(cluster.settle()).toBe(true);
    // Ten simulated minutes of healthy history for the observer's baselines, then 20 simulated seconds a
    // second (as aoi diagnose --sim runs): by the time the alert has fired and been routed, the fault has
    // run for minutes of cluster time, as a real page arrives after a rule's `for`.
    cluster.advance(10 * 60_000);
    server = await SimServer.start({ cluster, realtime: true, speed: 20 });
  }, CHAIN_MS);

  afterAll(async () => {
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it(
    'an alert fired for an injected fault reaches chat as a diagnosis naming the faulty component',
    async () => {
      const stops: (() => Promise<unknown>)[] = [];
      const sink = await HttpSink.start();
      stops.push(() => sink.close());
      try {
        const kubeconfig = join(home, 'kubeconfig');
        await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), {
          mode: 0o600,
        });
        const serve = spawnAoi(
          [
            'serve',
            '--kubeconfig',
            kubeconfig,
            '--context',
            OBSERVER_CONTEXT,
            '--prometheus-url',
            server.url,
            '--jaeger-url',
            server.url,
            '--reasoner',
            'rules',
            '--port',
            '0',
            '--notify',
            `${sink.url}/services/T0/B0/chainsecret`,
          ],
          home,
          { timeoutMs: CHAIN_MS },
        );
        stops.push(async () => {
          serve.kill('SIGKILL');
          await serve;
        });
        let stderr = '';
        serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const deadline = Date.now() + 120_000;
        while (!/serving on (http:\/\/\S+):/.test(stderr)) {
          if (Date.now() > deadline || serve.exitCode !== null)
            throw new Error(`aoi serve did not start: ${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const aoiUrl = /serving on (http:\/\/\S+):/.exec(stderr)![1]!;

        const alertmanager = await startAlertmanager(alertmanagerBin!, `${aoiUrl}/alertmanager`);
        stops.push(() => alertmanager.stop());
        const address = new URL(server.url).host;
        const pods = cluster.store
          .peekAll(resourceByKind('Pod'), NS)
          .map((p) => (p['metadata'] as { name: string }).name)
          .filter((pod) => SCRAPED.some((w) => new RegExp(`^${w}-[a-z0-9]+-[a-z0-9]+$`).test(pod)));
        expect(pods).toHaveLength(SCRAPED.length);
        const prometheus = await startPrometheus(
          prometheusBin!,
          { caPem: server.caPem, token: server.tokens.observer },
          pods.map((pod) => ({ address, path: `/metrics/pods/${NS}/${pod}` })),
          RULES,
          alertmanager.url,
        );
        stops.push(() => prometheus.stop());
        // Healthy first: every target up, a few scrapes, and nothing firing.
        await prometheus.waitFor('every target up, 5 scrapes', async () => {
          return (
            (await prometheus.value('count(up == 1)')) === pods.length &&
            (await prometheus.value('min(count_over_time(up[1m]))')) >= 5
          );
        });
        expect(await prometheus.value('count(ALERTS{alertstate="firing"})')).toBeNaN();

        injectFault(cluster, NS, { kind: 'feature_flag', target: '', params: { flag: 'cartFailure' } });
        await prometheus.waitFor('the alert to fire', async () => {
          return (
            (await prometheus.value('count(ALERTS{alertname="HighErrorRatio",alertstate="firing"})')) >= 1
          );
        });
        await sink.waitFor((received) => received.length > 0, CHAIN_MS / 2);

        const message = JSON.parse(sink.received[0]!.body) as SlackMessage;
        const text = message.blocks.map((b) => b.text.text).join('\n');
        expect(message.text).toMatch(/^INCIDENT in shop: /);
        expect(text).toMatch(/\*Faulty:\* cart\b/);
        expect(text).toMatch(
          /Alert: HighErrorRatio \(page\) firing on Deployment\/(cart|checkout|frontend) in shop/,
        );
        expect(sink.received[0]!.path).toBe('/services/T0/B0/chainsecret');

        // The sink has the message before aoi has read the sink's answer and counted it: poll for the count.
        let metrics = '';
        for (const until = Date.now() + 30_000; Date.now() < until;) {
          metrics = await (await fetch(`${aoiUrl}/metrics`)).text();
          if (/^aoi_notifications_total\{outcome="ok"\} [1-9]/m.test(metrics)) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(metrics).toMatch(/^aoi_diagnoses_total\{verdict="incident"\} [1-9]/m);
        expect(metrics).toMatch(/^aoi_notifications_total\{outcome="ok"\} [1-9]/m);

        // process.kill, not execa's kill(): that one follows with SIGKILL after 5 s, and a diagnosis may take longer.
        process.kill(serve.pid!, 'SIGTERM');
        const result = await serve;
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stderr).toContain('aoi: stopped');
        expect(result.stderr).not.toContain('chainsecret');
        const answers = result.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { faultyComponents: string[]; trajectory: string });
        expect(answers.length).toBeGreaterThanOrEqual(1);
        for (const answer of answers) {
          expect(answer.faultyComponents[0]).toBe('cart');
          expect((await readTrajectory(answer.trajectory)).outcome?.status).toBe('unresolved');
        }
        console.log(
          `alert chain: ${answers.length} diagnosis(es) for ${sink.received.length} message(s); ${
            /aoi: HighErrorRatio \S+: incident \(cart\) in (\d+) ms/.exec(result.stderr)?.[1] ?? '?'
          } ms from alert to answer`,
        );
      } finally {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      }
    },
    CHAIN_MS,
  );
});
