/**
 * Done-when per mitigation fault: the RIGHT fix for each of the benchmark's mitigation problems, expressed as
 * typed actions (mirroring the oracle solver), goes through the real executor with `policies/bench.yaml`
 * against the fault-injected simulator; every action verifies and the strict mitigation score passes. Then a
 * deliberately wrong action fails verification and is rolled back to an identical spec.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCluster } from '../../aiopslab-harness/bench/environment.js';
import { loadProblems } from '../../aiopslab-harness/bench/load-problems.js';
import { scoreMitigation, simClusterState } from '../../aiopslab-harness/bench/mitigation.js';
import type { Problem } from '../../aiopslab-harness/bench/problem.js';
import { getApp } from '../../aiopslab-harness/sim/apps/index.js';
import type { ComponentSpec } from '../../aiopslab-harness/sim/apps/types.js';
import type { SimCluster } from '../../aiopslab-harness/sim/cluster.js';
import { EXECUTOR_CONTEXT, renderKubeconfig } from '../../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { preApprovedApprover } from '../../src/executor/approval.js';
import { AuditLog, verifyAuditLog } from '../../src/executor/audit-log.js';
import type { ExecutionResult } from '../../src/executor/executor.js';
import { execute } from '../../src/executor/executor.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { readBackVerifier } from '../../src/executor/verifier.js';
import { drivenClock } from '../sim/driven-clock.js';
import { clientsFor, widened } from './sim-fixture.js';

const SEED = 7;
const common = { rationale: 'the right fix for the injected fault', evidence: ['ev-1'] };

let dir: string;
/** The bench policy scoped to each problem's namespace. */
const bench = new Map<string, Policy>();
let problems: Problem[];

interface Env {
  problem: Problem;
  cluster: SimCluster;
  server: SimServer;
  clients: ExecutorClients;
  audit: AuditLog;
  component: ComponentSpec | undefined;
}

/** The fix, as the actions an agent would propose, in order; built from the live cluster where needed. */
type Fix = (env: Env) => Promise<ActionProposal[]> | ActionProposal[];

function need(env: Env): ComponentSpec {
  if (!env.component) throw new Error(`${env.problem.id}: no target component`);
  return env.component;
}

const restart = (env: Env, c: ComponentSpec): ActionProposal => ({
  kind: 'rolloutRestart',
  namespace: env.problem.namespace,
  name: c.name,
  workload: c.workload,
  ...common,
});

/** The MongoDB restarts (its init script re-grants / re-creates the user), then every Deployment calling it. */
function restartDatabaseAndCallers(env: Env): ActionProposal[] {
  const db = need(env);
  const callers =
    getApp(env.problem.app)?.components.filter(
      (c) => c.workload === 'Deployment' && c.calls.includes(db.name),
    ) ?? [];
  return [restart(env, db), ...callers.map((c) => restart(env, c))];
}

const FIXES: Record<string, Fix> = {
  misconfig_k8s_target_port: (env) => {
    const c = need(env);
    return [
      {
        kind: 'patchService',
        namespace: env.problem.namespace,
        name: c.name,
        ports: c.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.containerPort })),
        ...common,
      },
    ];
  },
  scale_pods_to_zero: (env) => [
    {
      kind: 'scaleDeployment',
      namespace: env.problem.namespace,
      name: need(env).name,
      replicas: need(env).replicas ?? 1,
      ...common,
    },
  ],
  assign_to_non_existent_node: async (env) => {
    const d = await env.clients.apps.readNamespacedDeployment({
      name: need(env).name,
      namespace: env.problem.namespace,
    });
    const keys = Object.keys(d.spec?.template.spec?.nodeSelector ?? {});
    return [
      {
        kind: 'patchNodeSelector',
        namespace: env.problem.namespace,
        name: need(env).name,
        nodeSelector: Object.fromEntries(keys.map((k) => [k, null])),
        ...common,
      },
    ];
  },
  wrong_bin_usage: (env) => [
    {
      kind: 'setCommand',
      namespace: env.problem.namespace,
      name: need(env).name,
      container: need(env).containerName,
      command: need(env).command ?? [need(env).name],
      ...common,
    },
  ],
  misconfig_app: (env) => [
    {
      kind: 'setImage',
      namespace: env.problem.namespace,
      name: need(env).name,
      container: need(env).containerName,
      image: need(env).image,
      ...common,
    },
  ],
  revoke_auth_mongodb: restartDatabaseAndCallers,
  user_unregistered_mongodb: restartDatabaseAndCallers,
  auth_miss_mongodb: async (env) => {
    const ns = env.problem.namespace;
    const d = await env.clients.apps.readNamespacedDeployment({ name: need(env).name, namespace: ns });
    const sets: ActionProposal[] = [];
    for (const volume of d.spec?.template.spec?.volumes ?? []) {
      const name = volume.configMap?.name;
      if (!name) continue;
      const cm = await env.clients.core.readNamespacedConfigMap({ name, namespace: ns });
      for (const key of Object.keys(cm.data ?? {}).filter((k) => k.endsWith('mongod.conf')))
        sets.push({
          kind: 'setConfigValue',
          namespace: ns,
          name,
          key,
          format: 'yaml',
          path: ['net', 'tls', 'mode'],
          value: 'disabled',
          ...common,
        });
    }
    expect(sets.length).toBeGreaterThan(0);
    return [...sets, ...restartDatabaseAndCallers(env)];
  },
  redeploy_without_pv: async (env) => {
    const ns = env.problem.namespace;
    const volumes = await env.clients.core.listPersistentVolume();
    const released = volumes.items.filter(
      (pv) => pv.status?.phase === 'Released' && pv.spec?.claimRef?.namespace === ns,
    );
    expect(released.length).toBeGreaterThan(0);
    return released.map((pv): ActionProposal => ({
      kind: 'releaseVolume',
      name: pv.metadata!.name!,
      claimNamespace: ns,
      claim: pv.spec!.claimRef!.name!,
      ...common,
    }));
  },
  feature_flag: (env) => [
    {
      kind: 'setConfigValue',
      namespace: env.problem.namespace,
      name: 'flagd-config',
      key: 'demo.flagd.json',
      format: 'json',
      path: ['flags', String(env.problem.fault.params?.['flag'] ?? ''), 'defaultVariant'],
      value: 'off',
      ...common,
    },
  ],
};

async function startEnv(problem: Problem): Promise<Env> {
  const cluster = prepareCluster(problem, SEED);
  // No ticker: the verifier and the score poll advance the simulated clock themselves (drivenClock).
  const server = await SimServer.start({ cluster });
  const sub = await mkdtemp(join(dir, 'env-'));
  const kubeconfig = join(sub, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  const clients: ExecutorClients = {
    ...clientsFor(server, 'executor'),
    kubectl: {
      kubeconfig,
      context: EXECUTOR_CONTEXT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sub, KUBECACHEDIR: join(sub, 'cache') },
      timeoutMs: 20_000,
      cwd: sub,
    },
  };
  const audit = await AuditLog.open(join(sub, 'audit.jsonl'));
  const component = getApp(problem.app)?.components.find((c) => c.name === problem.fault.target);
  return { problem, cluster, server, clients, audit, component };
}

async function closeEnv(env: Env): Promise<void> {
  await env.audit.close();
  await env.server.close();
}

function run(env: Env, action: ActionProposal, actionsSoFar: number): Promise<ExecutionResult> {
  return execute(action, {
    policy: bench.get(env.problem.namespace)!,
    approver: preApprovedApprover(['*']),
    audit: env.audit,
    clients: env.clients,
    // Simulated time: ten minutes for a rollout (crash-loop back-offs included), read back every 2 s.
    verifier: readBackVerifier({ timeoutMs: 600_000, pollMs: 2_000, clock: drivenClock(env.cluster) }),
    incident: { actionsSoFar },
  });
}

/** The strict score, polled: some checks (every pod Running) need the simulated clock to move on. */
async function strictScore(env: Env): Promise<{ success: boolean; detail: string }> {
  const clock = drivenClock(env.cluster);
  const deadline = clock.now() + 5 * 60_000;
  for (;;) {
    const score = await scoreMitigation(env.problem, simClusterState(env.cluster), 'strict');
    if (score.success || clock.now() > deadline) return score;
    await clock.sleep(5_000);
  }
}

const table: string[] = [];

/** The 14 mitigation problems. */
const ids = [
  'astronomy_shop_kafka_queue_problems-mitigation-1',
  'revoke_auth_mongodb-mitigation-1',
  'revoke_auth_mongodb-mitigation-2',
  'user_unregistered_mongodb-mitigation-1',
  'user_unregistered_mongodb-mitigation-2',
  'misconfig_app_hotel_res-mitigation-1',
  'redeploy_without_PV-mitigation-1',
  'k8s_target_port-misconfig-mitigation-1',
  'k8s_target_port-misconfig-mitigation-2',
  'k8s_target_port-misconfig-mitigation-3',
  'auth_miss_mongodb-mitigation-1',
  'wrong_bin_usage-mitigation-1',
  'scale_pod_zero_social_net-mitigation-1',
  'assign_to_non_existent_node_social_net-mitigation-1',
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-mitigations-'));
  problems = (await loadProblems()).filter((p) => p.task === 'mitigation');
  for (const ns of new Set(problems.map((p) => p.namespace)))
    bench.set(ns, await loadPolicy('bench', undefined, { problemNamespace: ns }));
});

afterAll(async () => {
  console.log(`mitigation fixes through the executor:\n${table.join('\n')}`);
  await rm(dir, { recursive: true, force: true });
});

describe('the right fix per mitigation fault, through execute() with bench.yaml', () => {
  it('has the 14 mitigation problems', () => {
    expect(problems).toHaveLength(14);
    expect(problems.map((p) => p.id).sort()).toEqual([...ids].sort());
  });

  it.each(ids)('%s: every action verified, strict score passes', async (id) => {
    const problem = problems.find((p) => p.id === id);
    if (!problem) throw new Error(`no problem ${id}`);
    const fix = FIXES[problem.fault.kind];
    if (!fix) throw new Error(`no fix for ${problem.fault.kind}`);
    const env = await startEnv(problem);
    try {
      const actions = await fix(env);
      const statuses: string[] = [];
      for (const [i, action] of actions.entries()) {
        const result = await run(env, action, i);
        statuses.push(result.status);
        expect(result.status, `${id} action ${i} (${action.kind}): ${result.message}`).toBe('verified');
      }
      const score = await strictScore(env);
      table.push(
        `${problem.fault.kind} (${id}): ${actions.map((a) => a.kind).join(', ')} → ${statuses.join(',')} → ${score.detail}`,
      );
      expect(score, score.detail).toMatchObject({ success: true });
      expect(await verifyAuditLog(env.audit.path)).toMatchObject({ ok: true });
    } finally {
      await closeEnv(env);
    }
  });
});

describe('a wrong fix fails verification and is rolled back to an identical spec', () => {
  const wrong: [string, (env: Env) => ActionProposal, 'deployment' | 'service'][] = [
    [
      'misconfig_app_hotel_res-mitigation-1',
      (env) => ({
        kind: 'setImage',
        namespace: env.problem.namespace,
        name: need(env).name,
        container: need(env).containerName,
        image: `${need(env).image.split(':')[0]!}:no-such-tag-0.0.0`,
        ...common,
      }),
      'deployment',
    ],
    [
      'wrong_bin_usage-mitigation-1',
      (env) => ({
        kind: 'setImage',
        namespace: env.problem.namespace,
        name: need(env).name,
        container: need(env).containerName,
        image: 'example.invalid/no-such-image:0.0.0',
        ...common,
      }),
      'deployment',
    ],
    [
      'assign_to_non_existent_node_social_net-mitigation-1',
      (env) => ({
        kind: 'patchNodeSelector',
        namespace: env.problem.namespace,
        name: need(env).name,
        nodeSelector: { 'kubernetes.io/hostname': 'no-such-node' },
        ...common,
      }),
      'deployment',
    ],
  ];

  it.each(wrong)('%s: wrong action → rolledBack, spec unchanged', async (id, build, kind) => {
    const problem = problems.find((p) => p.id === id);
    if (!problem) throw new Error(`no problem ${id}`);
    const env = await startEnv(problem);
    try {
      const ref = { name: need(env).name, namespace: problem.namespace };
      const read = async () =>
        kind === 'deployment'
          ? (await env.clients.apps.readNamespacedDeployment(ref)).spec
          : (await env.clients.core.readNamespacedService(ref)).spec;
      const before = await read();
      const result = await execute(build(env), {
        policy: widened(bench.get(problem.namespace)!),
        approver: preApprovedApprover(['*']),
        audit: env.audit,
        clients: env.clients,
        // Simulated time: 90 s, read back every 5 s. A wrong image fails at its first pull error; a pod that
        // can never be scheduled waits out the deadline, so each read-back (an HTTPS round trip) must count.
        verifier: readBackVerifier({ timeoutMs: 90_000, pollMs: 5_000, clock: drivenClock(env.cluster) }),
      });
      // A selector no node carries is refused before the dry run now (node-selector constraint).
      const refusedUpFront = id.startsWith('assign_to_non_existent_node');
      expect(result.status, result.message).toBe(refusedUpFront ? 'denied' : 'rolledBack');
      expect(await read()).toEqual(before);
      table.push(
        `WRONG ${id}: ${build(env).kind} → ${result.status} (${result.verification?.message ?? ''})`,
      );
    } finally {
      await closeEnv(env);
    }
  });
});
