import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import { Evidence } from '../../src/core/evidence.js';
import { prepareCluster } from '../observer/sim-helpers.js';

const NS = 'test-hotel-reservation';
let dir: string;
let faulty: SimServer;
let healthy: SimServer;

function aoi(args: string[]) {
  return spawnAoi(args, dir);
}

async function kubeconfigFor(server: SimServer, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-observe-'));
  const prepared = prepareCluster({
    app: 'hotel-reservation',
    fault: 'revoke_auth_mongodb',
    target: 'mongodb-geo',
  });
  // Prometheus and Jaeger as Services in the cluster, for discovery through the API server's proxy.
  prepared.cluster.deployTelemetryServices();
  faulty = await SimServer.start(prepared);
  healthy = await SimServer.start(prepareCluster({ app: 'hotel-reservation', fault: 'noop' }));
});

afterAll(async () => {
  await Promise.all([faulty.close(), healthy.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('aoi observe', () => {
  it('prints ranked JSON evidence and exits 1 when a fault is present', async () => {
    const kubeconfig = await kubeconfigFor(faulty, 'faulty.kubeconfig');
    const result = await aoi([
      'observe',
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      '--output',
      'json',
      '--prometheus-url',
      faulty.url,
    ]);
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as {
      evidence: unknown[];
      incident: boolean;
      transport: string;
      gaps: unknown[];
    };
    expect(report.gaps).toEqual([]);
    expect(report.incident).toBe(true);
    const evidence = report.evidence.map((e) => Evidence.parse(e));
    expect(evidence[0]?.id).toBe('ev-1');
    expect(evidence.slice(0, 5).some((e) => e.subject.name.startsWith('mongodb-geo'))).toBe(true);
    expect(evidence.some((e) => e.source === 'metrics')).toBe(true);
    expect(faulty.writesBy('observer')).toEqual([]);
  });

  it('exits 0 on a healthy namespace, in text, through kubectl too', async () => {
    const kubeconfig = await kubeconfigFor(healthy, 'healthy.kubeconfig');
    for (const transport of ['api', 'kubectl']) {
      const result = await aoi(['observe', '--kubeconfig', kubeconfig, '-n', NS, '--transport', transport]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain(`aoi observe: namespace ${NS} via ${transport}`);
      expect(result.stdout).toContain('Incident: no.');
    }
  });

  it('discovers Prometheus and Jaeger in the cluster when no URL is given, and reads them read-only', async () => {
    const kubeconfig = await kubeconfigFor(faulty, 'discover.kubeconfig');
    const before = faulty.requestLog.length;
    const result = await aoi(['observe', '--kubeconfig', kubeconfig, '-n', NS, '--output', 'json']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^aoi: telemetry: .*prometheus-server/m);
    const report = JSON.parse(result.stdout) as { evidence: { source: string }[]; gaps: unknown[] };
    expect(report.gaps).toEqual([]);
    expect(report.evidence.some((e) => e.source === 'metrics')).toBe(true);
    const proxied = faulty.requestLog.slice(before).filter((e) => e.subresource === 'proxy');
    expect(proxied.length).toBeGreaterThan(0);
    for (const entry of proxied) expect(entry).toMatchObject({ role: 'observer', verb: 'get' });
  });

  it('exits 2 with a clear message when the cluster is unreachable', async () => {
    const path = join(dir, 'gone.kubeconfig');
    await writeFile(path, renderKubeconfig('https://127.0.0.1:1', faulty.tokens, faulty.caPem));
    const result = await aoi(['observe', '--kubeconfig', path, '-n', NS]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/aoi: error: cannot reach the cluster/);
    expect(result.stdout).toBe('');
  });

  it('observes a simulated problem with metrics and traces (--sim), in its namespace', async () => {
    const result = await aoi([
      'observe',
      '--sim',
      'k8s_target_port-misconfig-detection-1',
      '--output',
      'json',
    ]);
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { namespace: string; evidence: unknown[]; gaps: unknown[] };
    expect(report.gaps).toEqual([]);
    const evidence = report.evidence.map((e) => Evidence.parse(e));
    expect(evidence[0]).toMatchObject({
      signal: 'TargetPortMismatch',
      subject: { namespace: report.namespace },
    });
    expect(evidence.some((e) => e.source === 'metrics')).toBe(true);
    expect(evidence.some((e) => e.source === 'traces' && e.signal.startsWith('Trace'))).toBe(true);
  });

  it.each([
    ['an unknown problem', ['--sim', 'no_such_problem-1'], /unknown problem "no_such_problem-1"/],
    [
      '--sim with --kubeconfig',
      ['--sim', 'noop-1', '--kubeconfig', '/x'],
      /--sim observes the embedded simulator/,
    ],
  ])('rejects %s with exit code 2', async (_name, args, message) => {
    const result = await aoi(['observe', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['a bad --output', ['--output', 'yaml'], /argument 'yaml' is invalid/],
    ['a bad --transport', ['--transport', 'ssh'], /argument 'ssh' is invalid/],
    ['a tiny token budget', ['--max-evidence-tokens', '5'], /at least 100/],
    ['-n with -A', ['-n', NS, '-A'], /either --namespace or --all-namespaces/],
    ['a missing kubeconfig', ['--kubeconfig', '/nonexistent/kc'], /cannot load the kubeconfig/],
  ])('rejects %s with exit code 2', async (_name, args, message) => {
    const result = await aoi(['observe', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
