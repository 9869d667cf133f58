/**
 * `aoi sim start` serves Prometheus and Jaeger as a cluster would (Services in `observe`, read through the
 * API server's service proxy), and `aoi observe` / `aoi diagnose --kubeconfig` find them there with no URL
 * given, as on a real cluster.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnAoi } from './spawn-aoi.js';

let dir: string;
let kubeconfig: string;
let sim: ReturnType<typeof spawnAoi>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-sim-discovery-'));
  kubeconfig = join(dir, 'sim.kubeconfig');
  sim = spawnAoi(
    ['sim', 'start', '--problem', 'k8s_target_port-misconfig-detection-1', '--kubeconfig', kubeconfig],
    dir,
    {
      timeoutMs: 300_000,
    },
  );
  let out = '';
  sim.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // A child process on a busy machine: a generous wait for its banner.
  await vi.waitFor(() => expect(out).toContain('Press Ctrl-C to stop.'), { timeout: 60_000, interval: 100 });
  expect(out).toContain('in cluster  services observe/prometheus-server:80 and observe/jaeger-query:16686');
}, 90_000);

afterAll(async () => {
  sim.kill('SIGINT');
  await sim;
  await rm(dir, { recursive: true, force: true });
});

// The app's own all-in-one Jaeger (in the context's namespace) wins over observe/jaeger-query.
const FOUND =
  'telemetry: Prometheus at service observe/prometheus-server:80 (API server proxy); ' +
  'Jaeger at service test-social-network/jaeger:16686 (API server proxy)';

describe('aoi sim start serves telemetry where discovery looks', () => {
  it('aoi observe --kubeconfig finds Prometheus and Jaeger and reads both', async () => {
    const result = await spawnAoi(['observe', '--kubeconfig', kubeconfig, '--output', 'json'], dir, {
      timeoutMs: 120_000,
    });
    expect(result.stderr).toContain(FOUND);
    expect(result.stderr).not.toContain('not found');
    const report = JSON.parse(result.stdout) as { evidence: { source: string }[]; gaps: unknown[] };
    expect(report.gaps).toEqual([]);
    expect(report.evidence.some((e) => e.source === 'metrics' || e.source === 'traces')).toBe(true);
  }, 150_000);

  it('aoi diagnose --kubeconfig finds them too', async () => {
    const result = await spawnAoi(
      ['diagnose', '--kubeconfig', kubeconfig, '--reasoner', 'rules', '--no-record', '--output', 'json'],
      dir,
      { timeoutMs: 120_000 },
    );
    expect(result.stderr).toContain(FOUND);
    const report = JSON.parse(result.stdout) as { verdict: string };
    expect(report.verdict).toBe('incident');
  }, 150_000);
});
