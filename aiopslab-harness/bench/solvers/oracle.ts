/**
 * The oracle reference solver: answers from the problem itself and, for mitigation, applies the right fix
 * through the Kubernetes API with the executor's credential, as an SRE's kubectl would. It must score 100%;
 * anything less is a bug in the simulator or the evaluator, never in an agent.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { getApp } from '../../sim/apps/index.js';
import type { ComponentSpec } from '../../sim/apps/types.js';
import type { Problem, ProblemOf } from '../problem.js';
import { executorClients } from './kube-clients.js';
import { oldPodsGone, restartRollout, rolloutStatus } from './rollout.js';
import type { SolverEnv, SolverFactory } from './types.js';

type Clients = ReturnType<typeof executorClients>;
type Fix = (
  clients: Clients,
  problem: ProblemOf<'mitigation'>,
  component: ComponentSpec | undefined,
) => Promise<void>;

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function need(component: ComponentSpec | undefined, problem: Problem): ComponentSpec {
  if (!component)
    throw new Error(`problem ${problem.id}: no component "${problem.fault.target ?? ''}" in ${problem.app}`);
  return component;
}

const FIXES: Partial<Record<Problem['fault']['kind'], Fix>> = {
  async misconfig_k8s_target_port({ core }, problem, component) {
    const c = need(component, problem);
    const ports = c.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.containerPort }));
    await core.patchNamespacedService(
      { name: c.name, namespace: problem.namespace, body: { spec: { ports } } },
      strategic,
    );
  },
  async scale_pods_to_zero({ apps }, problem, component) {
    const c = need(component, problem);
    await apps.patchNamespacedDeploymentScale(
      { name: c.name, namespace: problem.namespace, body: { spec: { replicas: c.replicas ?? 1 } } },
      merge,
    );
  },
  async assign_to_non_existent_node({ apps }, problem, component) {
    const c = need(component, problem);
    await apps.patchNamespacedDeployment(
      {
        name: c.name,
        namespace: problem.namespace,
        body: { spec: { template: { spec: { nodeSelector: null } } } },
      },
      merge,
    );
  },
  async wrong_bin_usage({ apps }, problem, component) {
    const c = need(component, problem);
    const containers = [{ name: c.containerName, command: c.command ?? [] }];
    await apps.patchNamespacedDeployment(
      { name: c.name, namespace: problem.namespace, body: { spec: { template: { spec: { containers } } } } },
      strategic,
    );
  },
  async misconfig_app({ apps }, problem, component) {
    const c = need(component, problem);
    const containers = [{ name: c.containerName, image: c.image }];
    await apps.patchNamespacedDeployment(
      { name: c.name, namespace: problem.namespace, body: { spec: { template: { spec: { containers } } } } },
      strategic,
    );
  },
  // The MongoDB's init script grants the client's role again and re-creates a dropped user when it restarts;
  // then its clients, crash-looping in back-off, are restarted rather than left to wait out the back-off.
  async revoke_auth_mongodb(clients, problem, component) {
    await restartDatabaseAndClients(clients, problem, need(component, problem));
  },
  async user_unregistered_mongodb(clients, problem, component) {
    await restartDatabaseAndClients(clients, problem, need(component, problem));
  },
  async auth_miss_mongodb({ core, apps }, problem, component) {
    const c = need(component, problem);
    const deploy = await apps.readNamespacedDeployment({ name: c.name, namespace: problem.namespace });
    for (const volume of deploy.spec?.template.spec?.volumes ?? []) {
      const name = volume.configMap?.name;
      if (!name) continue;
      const cm = await core.readNamespacedConfigMap({ name, namespace: problem.namespace });
      const data: Record<string, string> = {};
      for (const [key, text] of Object.entries(cm.data ?? {})) {
        if (!key.endsWith('mongod.conf')) continue;
        const conf = (parse(text) ?? {}) as { net?: { tls?: Record<string, unknown> } };
        if (conf.net?.tls) conf.net.tls = { ...conf.net.tls, mode: 'disabled' };
        data[key] = stringify(conf);
      }
      if (Object.keys(data).length > 0)
        await core.patchNamespacedConfigMap({ name, namespace: problem.namespace, body: { data } }, merge);
    }
    await restartDatabaseAndClients({ core, apps }, problem, c);
  },
  // Free the Released volumes the deleted claims left behind, so the re-created claims can bind again.
  async redeploy_without_pv({ core, apps }, problem) {
    const volumes = await core.listPersistentVolume();
    for (const pv of volumes.items) {
      if (pv.status?.phase !== 'Released' || pv.spec?.claimRef?.namespace !== problem.namespace) continue;
      await core.patchPersistentVolume({
        name: pv.metadata!.name!,
        body: [{ op: 'remove', path: '/spec/claimRef' }],
      });
    }
    await settleNamespace(apps, problem.namespace);
  },
  async feature_flag({ core }, problem) {
    const flag = String(problem.fault.params?.['flag'] ?? '');
    const cm = await core.readNamespacedConfigMap({ name: 'flagd-config', namespace: problem.namespace });
    const doc = JSON.parse(cm.data?.['demo.flagd.json'] ?? '{}') as {
      flags?: Record<string, { defaultVariant?: string }>;
    };
    const entry = doc.flags?.[flag];
    if (!entry) throw new Error(`flag ${flag} not found in flagd-config`);
    entry.defaultVariant = 'off';
    await core.patchNamespacedConfigMap(
      {
        name: 'flagd-config',
        namespace: problem.namespace,
        body: { data: { 'demo.flagd.json': JSON.stringify(doc, null, 2) } },
      },
      merge,
    );
  },
};

async function restartDatabaseAndClients(
  clients: Clients,
  problem: Problem,
  database: ComponentSpec,
): Promise<void> {
  await restartRollout(clients.apps, problem.namespace, database.name);
  await rolloutStatus(clients.apps, problem.namespace, database.name);
  const callers =
    getApp(problem.app)?.components.filter(
      (c) => c.workload === 'Deployment' && c.calls.includes(database.name),
    ) ?? [];
  for (const caller of callers) await restartRollout(clients.apps, problem.namespace, caller.name);
  for (const caller of callers) await rolloutStatus(clients.apps, problem.namespace, caller.name);
}

/** Waits for every Deployment of the namespace to finish rolling out. */
async function settleNamespace(apps: Clients['apps'], namespace: string): Promise<void> {
  const list = await apps.listNamespacedDeployment({ namespace });
  for (const d of list.items) await rolloutStatus(apps, namespace, d.metadata!.name!);
}

/** Fixes that change a pod template are followed by `kubectl rollout status`, as an SRE would. */
const ROLLS_OUT: ReadonlySet<Problem['fault']['kind']> = new Set([
  'scale_pods_to_zero',
  'assign_to_non_existent_node',
  'wrong_bin_usage',
  'misconfig_app',
]);

async function mitigate(env: SolverEnv, problem: ProblemOf<'mitigation'>): Promise<number> {
  const fix = FIXES[problem.fault.kind];
  if (!fix) throw new Error(`the oracle has no fix for ${problem.fault.kind}`);
  const component = getApp(problem.app)?.components.find((c) => c.name === problem.fault.target);
  const clients = executorClients(env);
  await fix(clients, problem, component);
  if (ROLLS_OUT.has(problem.fault.kind) && component)
    await rolloutStatus(clients.apps, problem.namespace, component.name);
  await oldPodsGone(clients.core, problem.namespace);
  return 1;
}

function answerOf(problem: Problem): unknown {
  switch (problem.task) {
    case 'detection':
      return problem.expect.detection;
    case 'localization':
      return problem.expect.faultyComponents;
    case 'analysis':
      return { system_level: problem.expect.systemLevel, fault_type: problem.expect.faultType };
    case 'mitigation':
      return undefined;
  }
}

export const oracleSolver: SolverFactory = (problem) => ({
  async solve(env) {
    const steps = problem.task === 'mitigation' ? await mitigate(env, problem) : 1;
    return { answer: answerOf(problem), steps, inTokens: 0, outTokens: 0 };
  },
});
