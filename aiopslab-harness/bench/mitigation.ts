/**
 * Mitigation scoring on a cluster. `faithful` runs exactly AIOpsLab's check for the problem's family (so it
 * predicts real scores, lenient spots included; microsoft/AIOpsLab ddf7e406, each problem's
 * `*Mitigation.eval`, issue 17); `strict` also requires the fault itself undone.
 * Faithful details: pods are visited in the API server's order (by name); the loops of podsOk,
 * deploymentAvailable and wrongBin do not guard `container_statuses=None`, so a pod without statuses
 * (Pending) makes the eval raise unless an earlier pod already failed (the loops `break`), and a raising eval
 * records no result, which AIOpsLab's runners count as a failure (`evaluatorError`).
 */
import { AoiError } from '../../src/core/errors.js';
import type { JsonObject } from '../sim/api/json.js';
import { cloneJson } from '../sim/api/json.js';
import { resourceByKind } from '../sim/api/resources.js';
import type { SimCluster } from '../sim/cluster.js';
import { computeHealth } from '../sim/health.js';
import type { Deployment, NodeObject, Pod, Service, StatefulSet } from '../sim/model.js';
import { asView } from '../sim/model.js';
import { EvalRaises, evaluatorError } from './faithful-answers.js';
import { manifestFaultLeft } from './fault-undone.js';
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
  /** On-call manifest faults: what the target's pod template still carries of the fault (./fault-undone.ts). */
  faultLeft?(namespace: string, kind: string, target: string): Promise<string[]>;
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
    faultLeft: (namespace, kind, target) =>
      Promise.resolve(manifestFaultLeft(cluster, namespace, kind, target)),
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

/** How one family's pod loop reads container statuses. */
interface PodLoop {
  badWaiting: ReadonlySet<string>;
  /** `if pod.status.container_statuses:` before the loop (target_port, assign_to_non_existent_node, kafka). */
  guarded: boolean;
  /** wrong_bin_usage: any waiting container skips the ready check; only the bad reasons fail. */
  waitingSkipsReady?: boolean;
}

const POD_LOOPS = {
  guarded: { badWaiting: PODS_OK_WAITING, guarded: true },
  unguarded: { badWaiting: PODS_OK_WAITING, guarded: false },
  wrongBin: { badWaiting: WRONG_BIN_WAITING, guarded: false, waitingSkipsReady: true },
} as const satisfies Record<string, PodLoop>;

async function pods(cluster: ClusterState, ns: string): Promise<Pod[]> {
  return (await cluster.list('Pod', ns)).map((o) => asView<Pod>(o));
}

async function named<T>(cluster: ClusterState, kind: ClusterKind, ns: string, name: string) {
  const found = (await cluster.list(kind, ns)).find(
    (o) => asView<{ metadata: { name: string } }>(o).metadata.name === name,
  );
  return found ? asView<T>(found) : undefined;
}

const byName = (list: Pod[]): Pod[] =>
  [...list].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );

/**
 * AIOpsLab's "pods OK" loop for one family: a container fails when waiting in a bad reason, terminated for a
 * reason other than Completed, or not ready. Faithful: stops after the first failing pod, as AIOpsLab's
 * loops do (after the first pod when `failedBefore`), and raises on an unguarded pod without statuses;
 * strict: reports such a pod as a failure and reads every pod.
 */
function podsOk(list: Pod[], loop: PodLoop, mode: MitigationMode, failedBefore = false): Failures {
  const out: Failures = [];
  for (const pod of byName(list)) {
    const statuses = pod.status.containerStatuses;
    const podName = pod.metadata.name;
    if (statuses === undefined || statuses === null) {
      if (loop.guarded) continue;
      if (mode === 'faithful')
        throw new EvalRaises(
          `TypeError: 'NoneType' object is not iterable: pod ${podName} has no container statuses`,
        );
      out.push(`pod ${podName} has no container statuses (${pod.status.phase ?? '?'})`);
      continue;
    }
    for (const s of statuses) {
      const where = `pod ${podName} container ${s.name}`;
      const waiting = s.state.waiting?.reason;
      const terminated = s.state.terminated?.reason;
      if (s.state.waiting && loop.waitingSkipsReady) {
        if (waiting !== undefined && loop.badWaiting.has(waiting))
          out.push(`${where} is waiting in ${waiting}`);
      } else if (waiting !== undefined && loop.badWaiting.has(waiting))
        out.push(`${where} is waiting in ${waiting}`);
      else if (s.state.terminated && terminated !== 'Completed')
        out.push(`${where} terminated (${terminated ?? '?'})`);
      else if (!s.ready) out.push(`${where} is not ready${waiting ? ` (${waiting})` : ''}`);
    }
    if (mode === 'faithful' && (failedBefore || out.length > 0)) break;
  }
  return out;
}

function availableOf(d: Deployment | undefined): number {
  const value = d?.status?.['availableReplicas'];
  return typeof value === 'number' ? value : 0;
}

const isReady = (pod: Pod): boolean =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** `_pod_is_ready_or_succeeded` (service/kubectl.py): Succeeded, or statuses present and every one ready. */
const readyOrSucceeded = (pod: Pod): boolean =>
  pod.status.phase === 'Succeeded' ||
  ((pod.status.containerStatuses?.length ?? 0) > 0 && pod.status.containerStatuses!.every((s) => s.ready));

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

/** The pods a Service's selector picks. */
async function podsSelectedBy(cluster: ClusterState, ns: string, svc: Service): Promise<Pod[]> {
  const selector = svc.spec.selector ?? {};
  if (Object.keys(selector).length === 0) return [];
  return (await pods(cluster, ns)).filter((p) =>
    Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
  );
}

/** AIOpsLab's k8s_target_port eval compares the first port's targetPort with this literal. */
const AIOPSLAB_TARGET_PORT = 9090;

type Check = (c: ClusterState, p: MitigationProblem, mode: MitigationMode) => Promise<Failures>;

const CHECKS: Record<MitigationCheck, Check> = {
  podsOk: async (c, p, mode) => podsOk(await pods(c, p.namespace), POD_LOOPS.unguarded, mode),
  kafkaPodsOk: async (c, p, mode) => podsOk(await pods(c, p.namespace), POD_LOOPS.guarded, mode),
  async targetPort(c, p, mode) {
    const name = p.fault.target ?? '';
    const svc = await named<Service>(c, 'Service', p.namespace, name);
    if (!svc) {
      if (mode === 'faithful') throw new EvalRaises(`kubectl get service ${name} fails: the Service is gone`);
      return [`service ${name} is gone`];
    }
    // Faithful: AIOpsLab's literal 9090, right only for social-network (every Thrift service listens there).
    if (mode === 'faithful') {
      const actual = svc.spec.ports?.[0]?.targetPort;
      if (actual !== AIOPSLAB_TARGET_PORT)
        return [`service ${name} targetPort is ${String(actual)}, not 9090`];
      return podsOk(await pods(c, p.namespace), POD_LOOPS.guarded, mode);
    }
    return [
      ...(await servedPorts(c, p, svc)),
      ...podsOk(await pods(c, p.namespace), POD_LOOPS.guarded, mode),
    ];
  },
  async deploymentAvailable(c, p, mode) {
    const name = p.fault.target ?? '';
    const d = await named<Deployment>(c, 'Deployment', p.namespace, name);
    if (!d && mode === 'faithful')
      throw new EvalRaises(`read_namespaced_deployment(${name}) raises: Not Found`);
    const replicas = d?.spec.replicas ?? 1;
    const available = availableOf(d);
    const out: Failures = [];
    if (!d) out.push(`deployment ${name} is gone`);
    else if (replicas !== 1 || available !== 1)
      out.push(`deployment ${name} has replicas ${replicas}, available ${available}; want 1 and 1`);
    return [...out, ...podsOk(await pods(c, p.namespace), POD_LOOPS.unguarded, mode, out.length > 0)];
  },
  async podExistsAndOk(c, p, mode) {
    const name = p.fault.target ?? '';
    const list = await pods(c, p.namespace);
    if (!list.some((pod) => pod.metadata.name.includes(name))) return [`no pod named like ${name}`];
    return podsOk(list, POD_LOOPS.guarded, mode);
  },
  async wrongBin(c, p, mode) {
    const name = p.fault.target ?? '';
    const out = podsOk(await pods(c, p.namespace), POD_LOOPS.wrongBin, mode);
    if (mode === 'faithful' && out.length > 0) return out;
    const d = await named<Deployment>(c, 'Deployment', p.namespace, name);
    // AIOpsLab catches a failed read here and records a failure.
    if (!d) return [...out, `deployment ${name} is gone`];
    for (const container of d.spec.template.spec.containers)
      if (!(container.command ?? []).includes(name))
        out.push(
          `deployment ${name} container ${container.name} runs ${JSON.stringify(container.command ?? [])}`,
        );
    return out;
  },
  async allReadyWithin60s(c, p) {
    // wait_for_ready(namespace, sleep=5, max_wait=60): looks at 0, 5, …, 55 s (12 looks), sleeping 5 s after
    // each; an empty namespace never counts as ready. Without `wait` (a real cluster read once) it looks once.
    let out: Failures = [];
    for (let look = 1; look <= 12; look++) {
      const list = await pods(c, p.namespace);
      out =
        list.length === 0
          ? [`namespace ${p.namespace} has no pods`]
          : list
              .filter((pod) => !readyOrSucceeded(pod))
              .map((pod) => `pod ${pod.metadata.name} is not ready (${pod.status.phase})`);
      if (out.length === 0 || !c.wait) return out;
      await c.wait(5000);
    }
    return out;
  },
};

/** Strict: each port of the Service must target a port its selected pods' containers listen on (or params.targetPort). */
async function servedPorts(c: ClusterState, p: MitigationProblem, svc: Service): Promise<Failures> {
  const name = svc.metadata.name;
  const given = p.fault.params['targetPort'];
  const selected = await podsSelectedBy(c, p.namespace, svc);
  const ports = selected.flatMap((pod) => pod.spec.containers.flatMap((ct) => ct.ports ?? []));
  if (given === undefined && ports.length === 0)
    return [`service ${name} selects no pod with a declared port`];
  const out: Failures = [];
  for (const sp of svc.spec.ports ?? []) {
    const tp = sp.targetPort ?? sp.port;
    const ok =
      given !== undefined
        ? tp === given
        : ports.some((cp) => cp.containerPort === tp || (cp.name !== undefined && cp.name === tp));
    if (!ok)
      out.push(
        `service ${name} port ${sp.port} targets ${tp}, which ${given !== undefined ? `is not ${String(given)}` : `no selected pod of ${name} listens on`}`,
      );
  }
  return out;
}

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
  if (c.faultLeft) out.push(...(await c.faultLeft(ns, kind, target)));
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
  const check = `${problem.expect.mitigation} (${mode})`;
  let failures: Failures;
  try {
    failures = await CHECKS[problem.expect.mitigation](cluster, problem, mode);
  } catch (error) {
    if (error instanceof EvalRaises) return evaluatorError(check, error);
    throw error;
  }
  if (mode === 'strict') failures.push(...(await strictChecks(cluster, problem)));
  return failures.length === 0
    ? { success: true, detail: `${check}: passed` }
    : { success: false, detail: `${check}: ${failures.join('; ')}` };
}
