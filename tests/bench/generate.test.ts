/**
 * `aoi bench generate`'s problems: every fault the generator can make changes what the simulator's health
 * model says about the app, and an operator's fix (through the store, as kubectl would) clears it. In-process
 * clusters on a driven clock: no server, no wall-clock waits.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { isChaosObject } from '../../aiopslab-harness/sim/faults/chaos.js';
import { R } from '../../aiopslab-harness/sim/faults/topology.js';
import { callersOf, deletePods, rolloutRestart } from '../../aiopslab-harness/sim/faults/util.js';
import { computeHealth } from '../../aiopslab-harness/sim/health.js';
import { grantRole } from '../../aiopslab-harness/sim/faults/mongo-state.js';
import { databaseName } from '../../aiopslab-harness/sim/faults/topology.js';
import type { Pod } from '../../aiopslab-harness/sim/model.js';
import { hasUserInitScript } from '../../aiopslab-harness/bench/generate/targets.js';
import type { AppHealth } from '../../aiopslab-harness/sim/health.js';
import {
  enumerateSlots,
  generateProblems,
  renderProblemsYaml,
} from '../../aiopslab-harness/bench/generate/generate.js';
import { parseProblemFile } from '../../aiopslab-harness/bench/load-problems.js';
import type { AppName, FaultKind } from '../../aiopslab-harness/bench/problem.js';

/** What the health model says, in the terms a symptom shows: readiness, reachability, errors, latency, load. */
function digest(h: AppHealth): string[] {
  return [
    ...h.components.map(
      (c) =>
        `${c.name} ${c.desired}/${c.ready} ${c.reachable ? 'reachable' : 'unreachable'} ${c.reason ?? 'ok'} err=${c.errorRate} ` +
        `lat=${c.latencyMs.toFixed(1)} load=${c.load.cpu}/${c.load.memory}/${c.load.requests}`,
    ),
    ...h.edges.map(
      (e) => `${e.from}->${e.to} err=${e.errorRate} loss=${e.lossRate} lat=${e.latencyMs.toFixed(1)}`,
    ),
  ];
}

const KINDS_ON_MONGO_USERS = new Set<FaultKind>(['revoke_auth_mongodb', 'user_unregistered_mongodb']);
type Kind = 'Deployment' | 'Service' | 'ConfigMap';
const TYPES = { Deployment: R.deployments, Service: R.services, ConfigMap: R.configmaps } as const;

/** The objects an operator's fix puts back: every Deployment's and Service's spec, every ConfigMap's data. */
function snapshot(cluster: SimCluster, ns: string): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const kind of Object.keys(TYPES) as Kind[])
    for (const obj of cluster.store.peekAll(TYPES[kind], ns)) {
      const name = (obj['metadata'] as { name: string }).name;
      out.set(
        `${kind}/${name}`,
        structuredClone(kind === 'ConfigMap' ? (obj['data'] ?? {}) : obj['spec']) as JsonObject,
      );
    }
  return out;
}

/**
 * The fix: what changed goes back (a patch of each changed spec, ConfigMap data restored, chaos experiments
 * deleted), freed volumes for a redeploy, and a restart of a MongoDB whose users were changed (its init
 * script puts them back).
 */
function fix(
  cluster: SimCluster,
  ns: string,
  before: Map<string, JsonObject>,
  kind: FaultKind,
  target?: string,
) {
  for (const type of Object.keys(TYPES) as Kind[])
    for (const obj of cluster.store.peekAll(TYPES[type], ns)) {
      const name = (obj['metadata'] as { name: string }).name;
      const old = before.get(`${type}/${name}`);
      if (type === 'ConfigMap' && (!old || isChaosObject(obj))) {
        cluster.store.remove(R.configmaps, ns, name);
        continue;
      }
      if (!old) continue;
      const field = type === 'ConfigMap' ? 'data' : 'spec';
      if (JSON.stringify(obj[field]) === JSON.stringify(old)) continue;
      cluster.store.mutate(TYPES[type], ns, name, (o) => {
        o[field] = structuredClone(old);
      });
    }
  for (const pv of cluster.store.peekAll(R.pvs))
    if ((pv['status'] as { phase?: string } | undefined)?.phase === 'Released')
      cluster.store.mutate(R.pvs, undefined, (pv['metadata'] as { name: string }).name, (o) => {
        delete (o['spec'] as JsonObject)['claimRef'];
      });
  if (target && KINDS_ON_MONGO_USERS.has(kind)) {
    const app = getApp(appOf(cluster, ns))!;
    if (hasUserInitScript(app, target)) rolloutRestart(cluster, ns, target);
    // No init script to re-create them: a person re-grants the role (the users live on the data volume)
    // and restarts the clients stuck in back-off.
    else {
      for (const pod of cluster.store.peekAll(R.pods, ns).map((p) => p as unknown as Pod))
        if (pod.metadata.labels?.[app.componentLabel] === target)
          grantRole(cluster.world, pod, 'admin', { role: 'readWrite', db: databaseName(target) });
      for (const client of callersOf(cluster, ns, target)) deletePods(cluster, ns, client);
    }
  }
  cluster.reconcile();
}

function appOf(cluster: SimCluster, ns: string): string {
  return cluster.world.apps.get(ns)!.app.name;
}

/** Container restarts in the namespace: a killed container is back at once, its restart stays counted. */
function restartsOf(cluster: SimCluster, ns: string): number {
  return cluster.store
    .peekAll(R.pods, ns)
    .flatMap(
      (p) => (p['status'] as { containerStatuses?: { restartCount?: number }[] }).containerStatuses ?? [],
    )
    .reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

describe('generated problems', () => {
  it('are deterministic per seed, load as a catalog file, and spread over random namespaces with noise mixes', () => {
    const options = { seed: 11, count: 60, namespaces: 4, noise: 2 };
    const a = generateProblems(options);
    expect(generateProblems(options)).toEqual(a);
    expect(generateProblems({ ...options, seed: 12 })).not.toEqual(a);
    const loaded = parseProblemFile(renderProblemsYaml(a, 'test'), 'gen.yaml');
    expect(loaded).toHaveLength(60);
    expect(new Set(loaded.map((p) => p.namespace)).size).toBe(4);
    for (const p of loaded) expect(new Set(p.noise).size).toBe(2);
    // AIOpsLab's pods-OK loop fails a Completed container: a mitigation problem never gets a finished Job.
    for (const p of loaded.filter((x) => x.task === 'mitigation'))
      expect(p.noise).not.toContain('completed_job');
    expect(new Set(loaded.map((p) => p.task))).toEqual(
      new Set(['detection', 'localization', 'analysis', 'mitigation']),
    );
  });

  it('refuses combinations that make no fault', () => {
    expect(() =>
      generateProblems({ seed: 1, apps: ['social-network'], kinds: ['revoke_auth_mongodb'] }),
    ).toThrow(/no fault can be made/);
    expect(() => generateProblems({ seed: 1, kinds: ['container_kill'], tasks: ['analysis'] })).toThrow(
      /no fault can be made/,
    );
    expect(() => generateProblems({ seed: 1, noise: 9 })).toThrow(/--noise/);
    // A restart re-creates a database's users only where an init script does it: no mitigation task elsewhere.
    const targets = generateProblems({ seed: 1, kinds: ['revoke_auth_mongodb'], tasks: ['mitigation'] }).map(
      (p) => (p['fault'] as { target: string }).target,
    );
    expect(targets.sort()).toEqual(['mongodb-geo', 'mongodb-rate']);
  });

  it('gives wrong_bin_usage another binary than the target runs', () => {
    for (const p of generateProblems({ seed: 3, kinds: ['wrong_bin_usage'], tasks: ['detection'] })) {
      const fault = p['fault'] as { target: string; params: { binary: string } };
      const own = getApp(p['app'] as string)!.components.find((c) => c.name === fault.target)!.command?.[0];
      expect(fault.params.binary).not.toBe(own);
    }
  });

  const faults = new Map<
    string,
    { app: AppName; kind: FaultKind; target?: string; params: Record<string, string> }
  >();
  for (const s of enumerateSlots({}))
    faults.set(`${s.app} ${s.kind} ${s.choice.target ?? '-'} ${JSON.stringify(s.choice.params)}`, {
      app: s.app,
      kind: s.kind,
      ...(s.choice.target ? { target: s.choice.target } : {}),
      params: s.choice.params,
    });

  for (const app of ['hotel-reservation', 'social-network', 'astronomy-shop'] as const)
    it(`every ${app} fault changes the health model (or restarts a container) and its fix clears it`, () => {
      const failures: string[] = [];
      for (const [label, f] of faults) {
        if (f.app !== app || f.kind === 'noop') continue;
        const cluster = new SimCluster({ seed: 5 });
        const ns = 'gen-check';
        cluster.deployApp(getApp(app)!, ns);
        expect(cluster.settle()).toBe(true);
        cluster.advance(30_000, 5000);
        const healthy = digest(computeHealth(cluster.world, ns, cluster.clock.now()));
        const before = snapshot(cluster, ns);
        injectFault(cluster, ns, { kind: f.kind, target: f.target, params: f.params });
        // A killed container is back within seconds: look every 5 s of the first minute.
        const restarts = restartsOf(cluster, ns);
        let changed = false;
        for (let t = 0; t < 60_000 && !changed; t += 5000) {
          cluster.advance(5000, 1000);
          const faulty = digest(computeHealth(cluster.world, ns, cluster.clock.now()));
          changed = JSON.stringify(faulty) !== JSON.stringify(healthy) || restartsOf(cluster, ns) > restarts;
        }
        if (!changed) {
          failures.push(`${label}: the health model does not change`);
          continue;
        }
        fix(cluster, ns, before, f.kind, f.target);
        cluster.advance(240_000, 5000);
        const fixed = digest(computeHealth(cluster.world, ns, cluster.clock.now()));
        const left = fixed.filter((line, i) => line !== healthy[i]);
        if (left.length > 0) failures.push(`${label}: after the fix ${left.slice(0, 3).join('; ')}`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
});
