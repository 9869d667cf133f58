import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { PrometheusReader } from '../../src/observer/prometheus-reader.js';
import { spawnAoi } from './spawn-aoi.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-sim-metrics-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { token: string } }[];
}

describe('aoi sim start --metrics', () => {
  it('serves the dialects asked for, instead of the simulator’s own names', async () => {
    const kubeconfig = join(dir, 'sim.kubeconfig');
    const child = spawnAoi(['sim', 'start', '--kubeconfig', kubeconfig, '--metrics', 'istio,linkerd'], dir, {
      timeoutMs: 60_000,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await vi.waitFor(() => expect(out).toContain('Press Ctrl-C to stop.'), {
        timeout: 30_000,
        interval: 50,
      });
      const config = parse(await readFile(kubeconfig, 'utf8')) as Kubeconfig;
      const cluster = config.clusters[0]!.cluster;
      const prom = new PrometheusReader({
        url: cluster.server,
        token: config.users[0]!.user.token,
        caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'),
      });
      const names = await prom.labelValues('__name__');
      expect(names.ok && names.value).toEqual(
        expect.arrayContaining(['istio_requests_total', 'response_total', 'kube_deployment_spec_replicas']),
      );
      expect(names.ok && names.value.includes('requests_total')).toBe(false);
    } finally {
      child.kill('SIGINT');
      await child;
    }
  }, 90_000);

  it('names the dialects it knows when given another', async () => {
    const run = await spawnAoi(['sim', 'start', '--metrics', 'zipkin'], dir, { timeoutMs: 60_000 });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('unknown metric dialect "zipkin"');
    expect(run.stderr).toContain('default, sim, otel, istio, linkerd');
  }, 90_000);
});
