/**
 * Mitigation scoring on a cluster. `faithful` runs exactly AIOpsLab's check for the problem's family (so it
 * predicts real scores, lenient spots included); `strict` also requires the fault itself undone.
 */
import { AoiError } from '../../src/core/errors.js';
import type { JsonObject } from '../sim/api/json.js';
import { cloneJson } from '../sim/api/json.js';
import { resourceByKind } from '../sim/api/resources.js';
import type { SimCluster } from '../sim/cluster.js';
import { computeHealth } from '../sim/health.js';
import type { Deployment, NodeObject, Pod, Service, StatefulSet } from '../sim/model.js';
import { asView } from '../sim/model.js';
import type { ScoreResult } from './score.js';
import type { FaultKind, MitigationCheck, Problem, ProblemOf } from './problem.js';

export type ClusterKind = 'Pod' | 'Service' | 'Deployment' | 'StatefulSet' | 'ConfigMap' | 'Node';

/** What the evaluator reads: a simulated cluster or a real one behind a read-only client. */
export interface ClusterState {
  /** Objects of one kind in a namespace (the namespace is ignored for Nodes). */
  list(kind: ClusterKind, namespace: string): Promise<JsonObject[]>;
  /** Lets time pass (simulated or real); without it, checks that poll look once. */
  wait?(ms: number): Promise<void>;
  /**
   * Components that are not fully serving (unreachable, short of replicas, or failing calls), as the
   * simulator's health model sees them; strict mode requires none. A real cluster leaves it out.
   */
  unhealthy?(namespace: string): Promise<string[]>;
}

export type MitigationMode = 'faithful' | 'strict';

export function simClusterState(cluster: SimCluster): ClusterState {
  return {
    list: (kind, namespace) =>
      Promise.resolve(cluster.store.peekAll(resourceByKind(kind), namespace).map((o) => cloneJson(o))),
    wait: (ms) => {
      cluster.advance(ms);
      return Promise.resolve();
    },
    unhealthy: (namespace) => {
      const health = computeHealth(cluster.world, namespace, cluster.clock.now());
      return Promise.resolve(
        health.components
          .filter((h) => !h.reachable || h.ready < h.desired || h.desired === 0 || h.errorRate > 0)
          .map(
            (h) =>
              `${h.name} is not serving (${h.reason ?? h.error ?? `error rate ${(h.errorRate * 100).toFixed(0)}%`})`,
          ),
      );
    },
  };
}

type MitigationProblem = ProblemOf<'mitigation'>;
/** Failures found by one check; empty when it passes. */
type Failures = string[];

const PODS_OK_WAITING = new Set(['CrashLoopBackOff']);
const WRONG_BIN_WAITING = new Set(['CrashLoopBackOff', 'Error', 'ImagePullBackOff', 'ErrImagePull']);

async function pods(cluster: ClusterState, ns: string): Promise<Pod[]> {
  return (await cluster.list('Pod', ns)).map((o) => asView<Pod>(o));
}

async function named<T>(cluster: ClusterState, kind: ClusterKind, ns: string, name: string) {
  const found = (await cluster.list(kind, ns)).find(
    (o) => asView<{ metadata: { name: string } }>(o).metadata.name === name,
  );
  return found ? asView<T>(found) : undefined;
}

/**
 * AIOpsLab's "pods OK": every container ready, none waiting in a bad reason, none terminated for a reason
 * other than Completed. Pods with no container statuses (Pending, unscheduled) are skipped.
 */
function podsOk(list: Pod[], badWaiting: ReadonlySet<string>): Failures {
  const out: Failures = [];
  for (const pod of list) {
    for (const s of pod.status.containerStatuses ?? []) {
      const where = `pod ${pod.metadata.name} container ${s.name}`;
      const waiting = s.state.waiting?.reason;
      const terminated = s.state.terminated?.reason;
      if (waiting !== undefined && badWaiting.has(waiting)) out.push(`${where} is waiting in ${waiting}`);
      else if (s.state.terminated && terminated !== 'Completed')
        out.push(`${where} terminated (${terminated ?? '?'})`);
      else if (!s.ready) out.push(`${where} is not ready${waiting ? ` (${waiting})` : ''}`);
    }
  }
  return out;
}

function availableOf(d: Deployment | undefined): number {
  const value = d?.status?.['availableReplicas'];
  return typeof value === 'number' ? value : 0;
}

const isReady = (pod: Pod): boolean =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Pods of a workload: by its selector when the Deployment/StatefulSet exists, else by name prefix. */
async function podsOf(cluster: ClusterState, ns: string, target: string): Promise<Pod[]> {
  const all = await pods(cluster, ns);
  const workload =
    (await named<Deployment>(cluster, 'Deployment', ns, target)) ??
    (await named<StatefulSet>(cluster, 'StatefulSet', ns, target));
  const labels = workload?.spec.selector.matchLabels;
  if (!labels) return all.filter((p) => p.metadata.name.startsWith(`${target}-`));
  return all.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
}

const FAITHFUL: Record<MitigationCheck, (c: ClusterState, p: MitigationProblem) => Promise<Failures>> = {
  podsOk: async (c, p) => podsOk(await pods(c, p.namespace), PODS_OK_WAITING),
  kafkaPodsOk: async (c, p) => podsOk(await pods(c, p.namespace), PODS_OK_WAITING),
  async targetPort(c, p) {
    const name = p.fault.target ?? '';
    const wanted = typeof p.fault.params['targetPort'] === 'number' ? p.fault.params['targetPort'] : 9090;
    const svc = await named<Service>(c, 'Service', p.namespace, name);
    const actual = svc?.spec.ports?.[0]?.targetPort;
    const out =
      actual === wanted
        ? []
        : [`service ${name} targetPort is ${svc ? String(actual) : 'missing'}, not ${wanted}`];
    return [...out, ...podsOk(await pods(c, p.namespace), PODS_OK_WAITING)];
  },
  async deploymentAvailable(c, p) {
    const name = p.fault.target ?? '';
    const d = await named<Deployment>(c, 'Deployment', p.namespace, name);
    const replicas = d?.spec.replicas ?? 1;
    const available = availableOf(d);
    const out: Failures = [];
    if (!d) out.push(`deployment ${name} is gone`);
    else if (replicas !== 1 || available !== 1)
      out.push(`deployment ${name} has replicas ${replicas}, available ${available}; want 1 and 1`);
    return [...out, ...podsOk(await pods(c, p.namespace), PODS_OK_WAITING)];
  },
  async podExistsAndOk(c, p) {
    const name = p.fault.target ?? '';
    const list = await pods(c, p.namespace);
    const out = list.some((pod) => pod.metadata.name.includes(name)) ? [] : [`no pod named like ${name}`];
    return [...out, ...podsOk(list, PODS_OK_WAITING)];
  },
  async wrongBin(c, p) {
    const name = p.fault.target ?? '';
    const out = podsOk(await pods(c, p.namespace), WRONG_BIN_WAITING);
    const d = await named<Deployment>(c, 'Deployment', p.namespace, name);
    if (!d) return [...out, `deployment ${name} is gone`];
    for (const container of d.spec.template.spec.containers)
      if (!(container.command ?? []).includes(name))
        out.push(
          `deployment ${name} container ${container.name} runs ${JSON.stringify(container.command ?? [])}`,
        );
    return out;
  },
  async allReadyWithin60s(c, p) {
    for (let waited = 0; ; waited += 5000) {
      const out = (await pods(c, p.namespace))
        .filter((pod) => pod.status.phase !== 'Succeeded' && !isReady(pod))
        .map((pod) => `pod ${pod.metadata.name} is not Ready (${pod.status.phase})`);
      if (out.length === 0 || !c.wait || waited >= 60_000) return out;
      await c.wait(5000);
    }
  },
};

const AUTH_FAULTS: ReadonlySet<FaultKind> = new Set([
  'auth_miss_mongodb',
  'revoke_auth_mongodb',
  'user_unregistered_mongodb',
]);

/** What "the fault itself undone" means per fault kind, on top of the faithful check. */
async function strictChecks(c: ClusterState, p: MitigationProblem): Promise<Failures> {
  const { kind, target, params } = p.fault;
  const ns = p.namespace;
  const out: Failures = [];
  const scope = target ?? ns;
  const mine = target ? await podsOf(c, ns, target) : await pods(c, ns);
  for (const pod of mine)
    if (pod.status.phase === 'Pending') out.push(`pod ${pod.metadata.name} of ${scope} is Pending`);
  if (!target) return out;
  if (kind === 'misconfig_k8s_target_port') {
    const svc = await named<Service>(c, 'Service', ns, target);
    const w =
      (await named<Deployment>(c, 'Deployment', ns, target)) ??
      (await named<StatefulSet>(c, 'StatefulSet', ns, target));
    const ports = (w?.spec.template.spec.containers ?? []).flatMap((ct) => ct.ports ?? []);
    for (const sp of svc?.spec.ports ?? []) {
      const tp = sp.targetPort ?? sp.port;
      if (!ports.some((cp) => cp.containerPort === tp || (cp.name !== undefined && cp.name === tp)))
        out.push(`service ${target} port ${sp.port} targets ${tp}, which no container of ${target} serves`);
    }
  }
  if (kind === 'scale_pods_to_zero') {
    const d = await named<Deployment>(c, 'Deployment', ns, target);
    const replicas = d?.spec.replicas ?? 0;
    const available = availableOf(d);
    if (replicas < 1 || available < replicas)
      out.push(`deployment ${target} has ${replicas} replicas, ${available} available`);
  }
  if (kind === 'assign_to_non_existent_node') {
    const d = await named<Deployment>(c, 'Deployment', ns, target);
    const selector = d?.spec.template.spec.nodeSelector ?? {};
    const nodes = (await c.list('Node', ns)).map((o) => asView<NodeObject>(o));
    const fits = nodes.some((n) => Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v));
    if (Object.keys(selector).length > 0 && !fits)
      out.push(`deployment ${target} selects nodes ${JSON.stringify(selector)}, which no node has`);
  }
  if (AUTH_FAULTS.has(kind)) {
    if (mine.length === 0) out.push(`no pod of ${target}`);
    for (const pod of mine) if (!isReady(pod)) out.push(`pod ${pod.metadata.name} of ${target} is not Ready`);
  }
  if (kind === 'feature_flag') out.push(...(await flagOff(c, ns, String(params['flag']))));
  if (c.unhealthy) out.push(...(await c.unhealthy(ns)));
  return out;
}

async function flagOff(c: ClusterState, ns: string, flag: string): Promise<Failures> {
  const cm = (await c.list('ConfigMap', ns)).find(
    (o) => asView<{ metadata: { name: string } }>(o).metadata.name === 'flagd-config',
  );
  const text = asView<{ data?: Record<string, string> }>(cm ?? {}).data?.['demo.flagd.json'];
  if (text === undefined) return [`configmap flagd-config has no demo.flagd.json`];
  let variant: unknown;
  try {
    const doc = JSON.parse(text) as { flags?: Record<string, { defaultVariant?: unknown }> };
    variant = doc.flags?.[flag]?.defaultVariant;
  } catch {
    return ['configmap flagd-config: demo.flagd.json is not JSON'];
  }
  return variant === 'off' ? [] : [`flag ${flag} defaultVariant is ${JSON.stringify(variant)}, not "off"`];
}

/** Runs the problem's mitigation check now (polling for `allReadyWithin60s`); strict mode is the default. */
export async function scoreMitigation(
  problem: Problem,
  cluster: ClusterState,
  mode: MitigationMode = 'strict',
): Promise<ScoreResult> {
  if (problem.task !== 'mitigation')
    throw new AoiError('usage', `problem ${problem.id} is a ${problem.task} problem, not mitigation`);
  const failures = await FAITHFUL[problem.expect.mitigation](cluster, problem);
  if (mode === 'strict') failures.push(...(await strictChecks(cluster, problem)));
  const check = `${problem.expect.mitigation} (${mode})`;
  return failures.length === 0
    ? { success: true, detail: `${check}: passed` }
    : { success: false, detail: `${check}: ${failures.join('; ')}` };
}
