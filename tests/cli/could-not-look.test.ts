/**
 * Issue 14: "could not look" is never "healthy". The real binary against no kubeconfig, a kubeconfig with no
 * current context, a token that may read nothing and one that may read only part of the cluster; and the
 * namespace taken from the kubeconfig's context, as kubectl takes it. Unreachable servers (DNS, plain HTTP,
 * TLS) are in tests/observer/could-not-look.test.ts, in-process.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOBODY_CONTEXT, renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import { DiagnoseOutput } from '../../src/core/diagnose-output.js';
import { ObservationReport } from '../../src/core/observation-report.js';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import { prepareCluster } from '../observer/sim-helpers.js';
import { spawnAoi } from './spawn-aoi.js';

const NS = 'test-hotel-reservation';
let dir: string;
let healthy: SimServer;
let partial: SimServer;
let faulty: SimServer;

// Each spawn starts node and reads a simulated cluster over HTTPS: seconds when quiet, more on a busy machine.
const SPAWN_MS = 120_000;

function aoi(args: string[], env: Record<string, string> = {}) {
  return spawnAoi(args, dir, { env, timeoutMs: SPAWN_MS });
}

async function kubeconfigFor(server: SimServer, name: string, namespace?: string): Promise<string> {
  const path = join(dir, name);
  const text = renderKubeconfig(server.url, server.tokens, server.caPem, {
    ...(namespace === undefined ? {} : { namespace }),
  });
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/** `aoi: error: <cause>` and the indented hint under it. */
function errorOf(stderr: string): { cause: string; hint: string } {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('aoi: error: '));
  expect(at, stderr).toBeGreaterThanOrEqual(0);
  return { cause: lines[at]!.slice('aoi: error: '.length), hint: lines[at + 1] ?? '' };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-look-'));
  healthy = await SimServer.start(prepareCluster({ app: 'hotel-reservation', fault: 'noop' }));
  // An observer whose Role leaves out events and configmaps: it reads the rest.
  partial = await SimServer.start({
    ...prepareCluster({ app: 'hotel-reservation', fault: 'noop' }),
    observerDenied: ['events', 'configmaps'],
  });
  faulty = await SimServer.start({
    ...prepareCluster({ app: 'hotel-reservation', fault: 'scale_pods_to_zero', target: 'geo' }),
    observerDenied: ['configmaps'],
  });
});

afterAll(async () => {
  await Promise.all([healthy.close(), partial.close(), faulty.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('a look that cannot read the core kinds is an error naming the cause (exit 2)', () => {
  it.each([
    ['diagnose', ['diagnose', '--reasoner', 'rules']],
    ['observe', ['observe']],
    ['observe through kubectl', ['observe', '--transport', 'kubectl']],
  ])(
    '%s with no kubeconfig at all',
    async (_name, args) => {
      const result = await aoi(args);
      expect(result.exitCode, result.stdout + result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      const { cause, hint } = errorOf(result.stderr);
      expect(cause).toMatch(/^no kubeconfig: \$KUBECONFIG is not set and .*\.kube\/config does not exist/);
      expect(hint).toMatch(/--kubeconfig/);
      expect(hint).toMatch(/aoi sim start/);
    },
    SPAWN_MS,
  );

  it(
    'a kubeconfig with no current context',
    async () => {
      const path = await kubeconfigFor(healthy, 'no-context.kubeconfig');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace(/^current-context: .*$/m, ''), { mode: 0o600 });
      for (const command of ['diagnose', 'observe']) {
        const result = await aoi([command, '--kubeconfig', path]);
        expect(result.exitCode, result.stderr).toBe(2);
        const { cause, hint } = errorOf(result.stderr);
        expect(cause).toMatch(/no current context/);
        expect(hint).toMatch(/kubectl config use-context/);
        expect(hint).toMatch(/--context/);
      }
    },
    SPAWN_MS,
  );

  it(
    'a token that authenticates but may read nothing (403 on every kind)',
    async () => {
      const path = await kubeconfigFor(healthy, 'nobody.kubeconfig');
      for (const command of [['diagnose', '--reasoner', 'rules'], ['observe']]) {
        const result = await aoi([...command, '--kubeconfig', path, '--context', NOBODY_CONTEXT, '-n', NS]);
        expect(result.exitCode, result.stderr).toBe(2);
        expect(result.stdout).toBe('');
        const { cause, hint } = errorOf(result.stderr);
        expect(cause).toMatch(/^forbidden: the observer may not read pods, deployments/);
        expect(cause).toContain('aoi-nobody');
        expect(hint).toMatch(/aoi rbac/);
      }
    },
    SPAWN_MS,
  );
  // DNS, plain HTTP and an untrusted certificate: tests/observer/could-not-look.test.ts (in-process).
});

describe('a look that read only part of the cluster is INCOMPLETE, never healthy', () => {
  it(
    'diagnose: verdict incomplete in JSON with its coverage, exit 3, trajectory not "resolved"',
    async () => {
      const path = await kubeconfigFor(partial, 'partial.kubeconfig');
      const result = await aoi([
        'diagnose',
        '--reasoner',
        'rules',
        '--kubeconfig',
        path,
        '-n',
        NS,
        '--output',
        'json',
      ]);
      expect(result.exitCode, result.stderr).toBe(3);
      const out = DiagnoseOutput.parse(JSON.parse(result.stdout));
      expect(out).toMatchObject({ schema: 'aoi.diagnose/v2', verdict: 'incomplete', detected: false });
      expect(out.coverage.complete).toBe(false);
      expect(out.coverage.kinds['events']).toBeNull();
      expect(out.coverage.kinds['configmaps']).toBeNull();
      expect(out.coverage.kinds['pods']).toBeGreaterThan(0);
      expect(out.coverage.logs.read).toBeGreaterThan(0);
      expect(out.coverage.gaps.map((g) => [g.what, g.code])).toEqual([
        ['events', 'forbidden'],
        ['configmaps', 'forbidden'],
      ]);
      const trajectory = await readTrajectory(out.trajectory!);
      expect(trajectory.outcome?.status).toBe('incomplete');
    },
    SPAWN_MS,
  );

  it(
    'diagnose text and markdown say INCOMPLETE and what could not be read',
    async () => {
      const path = await kubeconfigFor(partial, 'partial-text.kubeconfig');
      const base = ['diagnose', '--reasoner', 'rules', '--kubeconfig', path, '-n', NS, '--no-record'];
      const text = await aoi(base);
      expect(text.exitCode, text.stderr).toBe(3);
      expect(text.stdout).not.toMatch(/HEALTHY/);
      expect(text.stdout).toMatch(
        new RegExp(`^INCOMPLETE ${NS}: no fault found in what was read; could not read events, configmaps`),
      );
      expect(text.stdout).toMatch(/^ {2}coverage {3}pods \d+, .*events forbidden.*; logs \d+/m);
      const markdown = await aoi([...base, '--output', 'markdown']);
      expect(markdown.exitCode).toBe(3);
      expect(markdown.stdout).toMatch(/^## aoi diagnose: incomplete in /);
      expect(markdown.stdout).toMatch(/could not read.*events.*configmaps/);
    },
    SPAWN_MS,
  );

  it(
    'an incident found in what was read is still an incident (exit 1), with the gaps stated',
    async () => {
      const path = await kubeconfigFor(faulty, 'faulty.kubeconfig');
      const result = await aoi([
        'diagnose',
        '--reasoner',
        'rules',
        '--kubeconfig',
        path,
        '-n',
        NS,
        '--output',
        'json',
        '--no-record',
      ]);
      expect(result.exitCode, result.stderr).toBe(1);
      const out = DiagnoseOutput.parse(JSON.parse(result.stdout));
      expect(out.verdict).toBe('incident');
      expect(out.faultyComponents).toContain('geo');
      expect(out.coverage.gaps.map((g) => g.what)).toEqual(['configmaps']);
    },
    SPAWN_MS,
  );

  it(
    'observe: INCOMPLETE instead of "Incident: no", exit 3, coverage in JSON',
    async () => {
      const path = await kubeconfigFor(partial, 'partial-observe.kubeconfig');
      const text = await aoi(['observe', '--kubeconfig', path, '-n', NS]);
      expect(text.exitCode, text.stderr).toBe(3);
      expect(text.stdout).not.toMatch(/^Incident: no\.$/m);
      expect(text.stdout).toMatch(/^Incident: none seen, but INCOMPLETE: could not read events, configmaps/m);
      const json = await aoi(['observe', '--kubeconfig', path, '-n', NS, '--output', 'json']);
      expect(json.exitCode).toBe(3);
      const report = ObservationReport.parse(JSON.parse(json.stdout));
      expect(report.coverage.complete).toBe(false);
      expect(report.coverage.kinds['events']).toBeNull();
    },
    SPAWN_MS,
  );
});

describe('every look states its coverage', () => {
  it(
    'a complete healthy diagnosis: HEALTHY with kinds, logs and telemetry sources, exit 0',
    async () => {
      const path = await kubeconfigFor(healthy, 'healthy.kubeconfig');
      const result = await aoi([
        'diagnose',
        '--reasoner',
        'rules',
        '--kubeconfig',
        path,
        '-n',
        NS,
        '--prometheus-url',
        healthy.url,
        '--no-record',
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^HEALTHY {2}${NS}: no fault found`));
      expect(result.stdout).toMatch(
        /^ {2}coverage {3}pods \d+, deploy \d+, .*events \d+.*; logs \d+; prometheus \(--prometheus-url\), jaeger \(found in the cluster\)$/m,
      );
      const json = await aoi([
        'diagnose',
        '--reasoner',
        'rules',
        '--kubeconfig',
        path,
        '-n',
        NS,
        '--prometheus-url',
        healthy.url,
        '--no-record',
        '--output',
        'json',
      ]);
      const out = DiagnoseOutput.parse(JSON.parse(json.stdout));
      expect(out.coverage).toMatchObject({
        complete: true,
        gaps: [],
        // The app's own Jaeger Service is found through the API server's proxy.
        telemetry: { prometheus: { via: 'flag', found: true }, jaeger: { via: 'discovered', found: true } },
      });
    },
    SPAWN_MS,
  );
});

describe('with no -n, the namespace is the kubeconfig context namespace, as kubectl has it', () => {
  it(
    'diagnose and observe look in the context namespace, else in default',
    async () => {
      const withNs = await kubeconfigFor(faulty, 'context-ns.kubeconfig', NS);
      const observed = await aoi(['observe', '--kubeconfig', withNs]);
      expect(observed.stdout).toMatch(new RegExp(`^aoi observe: namespace ${NS} via api`));
      const diagnosed = await aoi([
        'diagnose',
        '--reasoner',
        'rules',
        '--kubeconfig',
        withNs,
        '--output',
        'json',
        '--no-record',
      ]);
      expect(diagnosed.exitCode, diagnosed.stderr).toBe(1);
      const out = DiagnoseOutput.parse(JSON.parse(diagnosed.stdout));
      expect(out.namespace).toBe(NS);
      expect(out.faultyComponents).toContain('geo');
      // -n still wins over the context, and a context without a namespace means default.
      const flagged = await aoi(['observe', '--kubeconfig', withNs, '-n', 'default']);
      expect(flagged.stdout).toMatch(/^aoi observe: namespace default via api/);
      const without = await kubeconfigFor(faulty, 'no-ns.kubeconfig');
      const fallback = await aoi(['observe', '--kubeconfig', without]);
      expect(fallback.stdout).toMatch(/^aoi observe: namespace default via api/);
    },
    SPAWN_MS,
  );
});
