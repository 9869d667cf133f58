import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let dir: string;

function aoi(args: string[]) {
  return spawnAoi(args, dir, { timeoutMs: 30_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-sim-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi sim start', () => {
  it('serves the cluster, writes a private kubeconfig kubectl can use, and stops cleanly on SIGINT', async () => {
    const kubeconfig = join(dir, 'sim.kubeconfig');
    const child = aoi(['sim', 'start', '--kubeconfig', kubeconfig]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await vi.waitFor(() => expect(out).toContain('Press Ctrl-C to stop.'), { timeout: 20_000, interval: 50 });
    expect(out).toMatch(/API server\s+https:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain(`kubeconfig  ${kubeconfig}`);
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);

    const pods = await execa(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'test-hotel-reservation', '-o', 'name'],
      {
        reject: false,
        env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
        extendEnv: false,
      },
    );
    expect(pods.exitCode, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/^pod\/geo-[a-z0-9]+-[a-z0-9]{5}$/m);
    expect(pods.stdout).toMatch(/^pod\/mongodb-geo-/m);

    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('aoi sim: stopped (SIGINT)');
  });

  it('injects a problem: its fault is visible to kubectl and to the Prometheus API on the same server', async () => {
    const kubeconfig = join(dir, 'problem.kubeconfig');
    const child = aoi([
      'sim',
      'start',
      '--problem',
      'k8s_target_port-misconfig-detection-1',
      '--kubeconfig',
      kubeconfig,
    ]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await vi.waitFor(() => expect(out).toContain('Press Ctrl-C to stop.'), { timeout: 30_000, interval: 50 });
    expect(out).toContain(
      'aoi sim: social-network running in namespace test-social-network, problem k8s_target_port-misconfig-detection-1 injected',
    );
    expect(out).toMatch(/prometheus\s+https:\/\/127\.0\.0\.1:\d+\/api\/v1\/query$/m);
    const kubectl = (args: string[]) =>
      execa('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        reject: false,
        env: { HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
        extendEnv: false,
      });
    const port = await kubectl([
      'get',
      'service',
      'user-service',
      '-n',
      'test-social-network',
      '-o',
      'jsonpath={.spec.ports[0].targetPort}',
    ]);
    expect(port.exitCode, port.stderr).toBe(0);
    expect(port.stdout).toBe('9999');
    const query = encodeURIComponent(
      'kube_pod_status_phase{namespace="test-social-network",phase="Running"} == 1',
    );
    const prometheus = await kubectl(['get', '--raw', `/api/v1/query?query=${query}`]);
    expect(prometheus.exitCode, prometheus.stderr).toBe(0);
    const body = JSON.parse(prometheus.stdout) as { status: string; data: { result: unknown[] } };
    expect(body.status).toBe('success');
    expect(body.data.result.length).toBeGreaterThan(20);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });

  it('writes the kubeconfig under the state directory by default', async () => {
    const child = aoi(['sim', 'start']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await vi.waitFor(() => expect(out).toContain('Press Ctrl-C to stop.'), { timeout: 20_000, interval: 50 });
    expect(out).toContain(`kubeconfig  ${join(dir, 'state', 'sim', 'kubeconfig')}`);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });

  describe('bad input', () => {
    let blocker: Server;
    let busyPort: number;

    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
      busyPort = (blocker.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await new Promise<void>((done) => blocker.close(() => done()));
    });

    it.each([
      [
        'an unknown app',
        ['--app', 'nope'],
        /aoi: error: unknown app "nope"\n\s+Known apps: hotel-reservation/,
      ],
      ['a port that is not a number', ['--port', 'http'], /option '--port <n>' argument 'http' is invalid/],
      ['a port out of range', ['--port', '70000'], /must be a whole number from 0 to 65535/],
      ['a speed of zero', ['--speed', '0'], /must be a positive number/],
      ['an unknown flag', ['--bogus'], /unknown option '--bogus'/],
      [
        'an unknown problem, with near ids',
        ['--problem', 'k8s_target_port-misconfig-detection-9'],
        /unknown problem "k8s_target_port-misconfig-detection-9"\n\s+Did you mean: k8s_target_port-misconfig-detection-1/,
      ],
      [
        '--app with --problem',
        ['--app', 'social-network', '--problem', 'noop_detection_social_network-1'],
        /option '--app <name>' cannot be used with option '--problem <id>'/,
      ],
    ])('rejects %s with exit code 2', async (_name, args, message) => {
      const result = await aoi(['sim', 'start', ...args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });

    it('names a port that is already in use', async () => {
      const result = await aoi(['sim', 'start', '--port', String(busyPort)]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('Pick another with --port');
    });
  });
});
