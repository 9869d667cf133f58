/**
 * The reasoner's read-only tools, served by the observer against the simulated cluster over HTTPS: each
 * answer is bounded, redacted evidence; Secrets are never described; and an Ollama model (a local server that
 * speaks Ollama's API) can call them mid-diagnosis and cite what they returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import type { Evidence } from '../../src/core/evidence.js';
import { executorOf, observerOf } from '../../src/incident/endpoint.js';
import { observerTools } from '../../src/incident/observer-tools.js';
import { runIncident } from '../../src/incident/run-incident.js';
import { OllamaReasoner } from '../../src/reasoner/ollama-backend.js';
import type { EvidenceTools } from '../../src/reasoner/reasoner.js';
import { content, startFaithfulOllama, toolCalls } from '../reasoner/faithful-ollama.js';
import type { FaithfulOllama } from '../reasoner/faithful-ollama.js';

const CANARY = 'hunter2-Canary-7f3a9c2e41b8d6';
let server: SimServer;
let fake: FaithfulOllama;
let tools: EvidenceTools;
let endpoint: Parameters<typeof observerOf>[0];
const NS = 'test-hotel-reservation';

beforeAll(async () => {
  const problem = (await loadProblems()).find((p) => p.id === 'revoke_auth_mongodb-analysis-1')!;
  server = await SimServer.start({ cluster: prepareCluster(problem, 3) });
  endpoint = {
    url: server.url,
    caPem: server.caPem,
    observerToken: server.tokens.observer,
    executorToken: server.tokens.executor,
  };
  await executorOf(endpoint).core.createNamespacedConfigMap({
    namespace: NS,
    body: {
      metadata: { name: 'app-settings' },
      data: { 'settings.env': `DB_HOST=mongodb-geo\nDB_PASSWORD=${CANARY}\n` },
    },
  });
  const { reader, metrics } = observerOf(endpoint);
  tools = observerTools(reader, metrics);
  fake = await startFaithfulOllama();
});

afterAll(async () => {
  await Promise.all([server.close(), fake.close()]);
});

const text = (evidence: Evidence[]) => evidence.map((e) => `${e.summary}\n${e.excerpt ?? ''}`).join('\n');

describe('observer tools', () => {
  it('reads a crash-looping pod’s previous logs as templates plus the last lines', async () => {
    const pods = await observerOf(endpoint).reader.list('pods', NS);
    const geo = pods.ok
      ? pods.value.find((p) => p.metadata?.name?.startsWith('geo-'))?.metadata?.name
      : undefined;
    expect(geo).toBeDefined();
    const [logs] = await tools.fetchMore({
      tool: 'get_pod_logs',
      args: { namespace: NS, pod: geo!, previous: true },
    });
    expect(logs).toMatchObject({ source: 'logs', signal: 'PodLogs', subject: { kind: 'Pod', name: geo } });
    expect(logs!.excerpt).toMatch(/not authorized|Authentication failed|auth/i);
    expect(logs!.excerpt!.length).toBeLessThanOrEqual(2000);
  });

  it('lists events about one object and describes objects, with secrets in data redacted', async () => {
    const [events] = await tools.fetchMore({ tool: 'get_events', args: { namespace: NS } });
    expect(events).toMatchObject({ source: 'events', signal: 'Events' });
    expect(events!.excerpt).toMatch(/Warning BackOff Pod\/geo-/);
    const [cm] = await tools.fetchMore({
      tool: 'describe',
      args: { kind: 'ConfigMap', namespace: NS, name: 'app-settings' },
    });
    expect(cm).toMatchObject({ signal: 'Described' });
    expect(cm!.excerpt).toContain('DB_HOST=mongodb-geo');
    expect(text([cm!])).not.toContain(CANARY);
    const [deploy] = await tools.fetchMore({
      tool: 'describe',
      args: { kind: 'Deployment', namespace: NS, name: 'geo' },
    });
    expect(deploy!.excerpt).toContain('"replicas":1');
  });

  it('refuses to describe Secrets or unknown kinds, and reports a missing object as a probe failure', async () => {
    const [secret] = await tools.fetchMore({
      tool: 'describe',
      args: { kind: 'Secret', namespace: NS, name: 'x' },
    });
    expect(secret).toMatchObject({ signal: 'ProbeUnavailable' });
    expect(secret!.summary).toContain('cannot describe kind Secret');
    const [missing] = await tools.fetchMore({
      tool: 'describe',
      args: { kind: 'Pod', namespace: NS, name: 'nope' },
    });
    expect(missing).toMatchObject({ signal: 'ProbeUnavailable' });
  });

  it('answers a PromQL query with its series, and a bad query with the error', async () => {
    const [ok] = await tools.fetchMore({
      tool: 'query_metrics',
      args: { promql: 'sum by (service) (rate(requests_total[5m]))' },
    });
    expect(ok!.signal).toBe('MetricsQuery');
    const [bad] = await tools.fetchMore({ tool: 'query_metrics', args: { promql: 'sum(' } });
    expect(bad!.signal).toBe('ProbeUnavailable');
  });
});

describe('the Ollama backend calling the observer’s tools through the incident runner', () => {
  it('serves a tool call mid-diagnosis and accepts a diagnosis citing the new evidence', async () => {
    const { reader, metrics } = observerOf(endpoint);
    fake.reply(
      toolCalls({
        name: 'describe',
        arguments: { kind: 'ConfigMap', namespace: NS, name: 'app-settings' },
      }),
      content('The settings point geo at mongodb-geo, which refuses its credentials.'),
      content({
        detected: true,
        faultyComponents: ['mongodb-geo'],
        rootCause: {
          systemLevel: 'Application',
          faultType: 'Authentication Issue',
          summary: 'mongodb-geo refuses geo',
        },
        hypotheses: [{ statement: 'mongodb-geo revoked geo’s role', confidence: 0.8, evidence: ['ev-1'] }],
        proposals: [],
      }),
    );
    const report = await runIncident({
      reader,
      metrics,
      namespace: NS,
      reasoner: new OllamaReasoner({
        host: fake.host,
        model: 'test-model',
        timeoutMs: 10_000,
        tools: observerTools(reader, metrics),
      }),
    });
    expect(report.reasoning.diagnosis.faultyComponents).toEqual(['mongodb-geo']);
    const second = fake.chats()[1]!;
    const toolMessage = second.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('DB_HOST=mongodb-geo');
    expect(JSON.stringify(fake.chats())).not.toContain(CANARY);
  });
});
