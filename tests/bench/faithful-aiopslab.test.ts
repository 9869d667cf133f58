/**
 * Faithful mode against AIOpsLab's own verdicts (microsoft/AIOpsLab ddf7e406; issue 17). Each row holds an
 * answer or a cluster state and, beside it, what AIOpsLab's eval records for it, read from its code:
 * `*Localization.eval` / `*Analysis.eval` with evaluators/quantitative.py, each family's `*Mitigation.eval`,
 * `KubeCtl.wait_for_ready`, and `Orchestrator.ask_env`'s submit rule over `ResponseParser.parse`.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterKind, ClusterState } from '../../aiopslab-harness/bench/evaluate.js';
import { scoreAnswer, scoreMitigation } from '../../aiopslab-harness/bench/evaluate.js';
import { Problem } from '../../aiopslab-harness/bench/problem.js';
import { runAttempt } from '../../aiopslab-harness/bench/runner.js';
import { solutionOf } from '../../aiopslab-harness/bench/submit-rule.js';
import type { JsonObject } from '../../aiopslab-harness/sim/api/json.js';

const localizeUser = Problem.parse({
  id: 'l-user',
  app: 'social-network',
  task: 'localization',
  fault: { kind: 'misconfig_k8s_target_port', target: 'user-service' },
  expect: { faultyComponents: ['user-service'] },
});
const localizeGeo = Problem.parse({
  id: 'l-geo',
  app: 'hotel-reservation',
  task: 'localization',
  fault: { kind: 'revoke_auth_mongodb', target: 'mongodb-geo' },
  expect: { faultyComponents: ['mongodb-geo'], accepted: ['geo'] },
});
const analyze = Problem.parse({
  id: 'a',
  app: 'social-network',
  task: 'analysis',
  fault: { kind: 'misconfig_k8s_target_port', target: 'user-service' },
  expect: { systemLevel: 'Virtualization', faultType: 'Misconfiguration' },
});
const detect = Problem.parse({
  id: 'd',
  app: 'social-network',
  task: 'detection',
  fault: { kind: 'misconfig_k8s_target_port', target: 'user-service' },
  expect: { detection: 'Yes' },
});

/** AIOpsLab's recorded outcome: success, the localization accuracy, or an eval that raises. */
type Verdict = { success: boolean; accuracy?: number } | 'raises';

function verdictOf(result: ReturnType<typeof scoreAnswer>): Verdict {
  if (result.evaluatorError) return 'raises';
  return result.accuracy === undefined
    ? { success: result.success }
    : { success: result.success, accuracy: result.accuracy };
}

describe('faithful localization, row by row with AIOpsLab', () => {
  it.each<[string, Problem, unknown, Verdict]>([
    ['a one-item list', localizeUser, ['user-service'], { success: true, accuracy: 100 }],
    [
      'a bare string (is_exact_match wraps it)',
      localizeUser,
      'user-service',
      { success: true, accuracy: 100 },
    ],
    [
      'a one-key dict (set() reads its keys)',
      localizeUser,
      { 'user-service': 'x' },
      { success: true, accuracy: 100 },
    ],
    ['a two-key dict naming it', localizeUser, { 'user-service': 1, b: 2 }, { success: false, accuracy: 50 }],
    ['a list of numbers', localizeUser, [3], { success: false, accuracy: 0 }],
    ['a list holding None', localizeUser, [null], { success: false, accuracy: 0 }],
    ['two names', localizeUser, ['user-service', 'text-service'], { success: false, accuracy: 50 }],
    ['None', localizeUser, null, { success: false, accuracy: 0 }],
    ['an empty list', localizeUser, [], { success: false, accuracy: 0 }],
    ['another bare string', localizeUser, 'text-service', { success: false, accuracy: 0 }],
    ['a list in the list (unhashable)', localizeUser, [['user-service']], 'raises'],
    ['a dict in the list (unhashable)', localizeUser, [{ a: 1 }], 'raises'],
    ['a bare number (not iterable)', localizeUser, 3, 'raises'],
    ['geo for mongodb-geo', localizeGeo, ['geo'], { success: true, accuracy: 100 }],
    ['bare "geo" for mongodb-geo', localizeGeo, 'geo', { success: true, accuracy: 100 }],
    ['Geo (case-sensitive)', localizeGeo, ['Geo'], { success: false, accuracy: 0 }],
  ])('%s', (_label, problem, answer, aiopslab) => {
    expect(verdictOf(scoreAnswer(problem, answer, 'faithful'))).toEqual(aiopslab);
  });

  it('strict mode keeps wanting a list of names', () => {
    expect(scoreAnswer(localizeUser, 'user-service', 'strict')).toMatchObject({
      success: false,
      invalidFormat: true,
    });
  });
});

describe('faithful analysis, row by row with AIOpsLab', () => {
  it.each<[string, unknown, Verdict]>([
    [
      'snake_case keys',
      { system_level: ' virtualization', fault_type: 'MISCONFIGURATION' },
      { success: true },
    ],
    [
      'camelCase keys (read as missing)',
      { systemLevel: 'Virtualization', faultType: 'Misconfiguration' },
      { success: false },
    ],
    ['fault_type missing (reads "")', { system_level: 'Virtualization' }, { success: false }],
    ['a wrong half', { system_level: 'Application', fault_type: 'Misconfiguration' }, { success: false }],
    [
      'a number where a string goes (.strip() raises)',
      { system_level: 'Virtualization', fault_type: 3 },
      'raises',
    ],
    ['a list', ['Virtualization', 'Misconfiguration'], { success: false }],
    ['a string', 'Virtualization / Misconfiguration', { success: false }],
  ])('%s', (_label, answer, aiopslab) => {
    expect(verdictOf(scoreAnswer(analyze, answer, 'faithful'))).toEqual(aiopslab);
  });

  it('strict mode accepts camelCase keys, saying so', () => {
    const result = scoreAnswer(analyze, { systemLevel: 'Virtualization', faultType: 'Misconfiguration' });
    expect(result.success).toBe(true);
    expect(result.detail).toContain('camelCase keys accepted in strict mode');
  });
});

describe("the orchestrator's submit rule over an action string", () => {
  const block = (call: string) => `I am done.\n\`\`\`\n${call}\n\`\`\``;
  it.each<[string, unknown]>([
    ['submit()', []],
    ['submit(has_anomaly="Yes")', []],
    ['submit("Yes")', 'Yes'],
    ['submit(["user-service"])', ['user-service']],
    ['submit(("user-service",))', ['user-service']],
    ['submit("a", "b")', ['a', 'b']],
    [
      'submit({"system_level": "Virtualization", \'fault_type\': "Misconfiguration"})',
      { system_level: 'Virtualization', fault_type: 'Misconfiguration' },
    ],
    ['submit([1, 2.5, True, None])', [1, 2.5, true, null]],
  ])('%s stores %j', (call, stored) => {
    expect(solutionOf(block(call))).toEqual({ ok: true, solution: stored });
  });

  it.each([
    ['a language tag', '```bash\nsubmit("Yes")\n```'],
    ['two blocks', '```\nsubmit("Yes")\n```\n```\nsubmit("No")\n```'],
    ['a negative number (not a constant to its parser)', '```\nsubmit(-1)\n```'],
    ['another API', '```\nexec_shell("ls")\n```'],
  ])('refuses %s', (_label, action) => {
    expect(solutionOf(action).ok).toBe(false);
  });

  it('is how the bench scores a solver that replies with an action string', async () => {
    const reply = (action: string) => () => ({
      solve: () => Promise.resolve({ submitAction: action, steps: 1, inTokens: 0, outTokens: 0 }),
    });
    const keyword = await runAttempt(detect, reply(block('submit(has_anomaly="Yes")')), 1, 'faithful');
    expect(keyword).toMatchObject({ success: false, invalidFormat: true });
    const positional = await runAttempt(detect, reply(block('submit("yes")')), 1, 'faithful');
    expect(positional).toMatchObject({ success: true });
    const tagged = await runAttempt(detect, reply('```python\nsubmit("Yes")\n```'), 1, 'faithful');
    expect(tagged.success).toBe(false);
    expect(tagged.detail).toMatch(/AIOpsLab's parser refuses it/);
  });

  it('scores keyword submits as AIOpsLab does: an empty answer', () => {
    const stored = solutionOf(block('submit(has_anomaly="Yes")'));
    if (!stored.ok) throw new Error(stored.reason);
    expect(scoreAnswer(detect, stored.solution, 'faithful')).toMatchObject({
      success: false,
      invalidFormat: true,
    });
    const list = solutionOf(block('submit(["user-service"])'));
    if (!list.ok) throw new Error(list.reason);
    expect(scoreAnswer(localizeUser, list.solution, 'faithful').success).toBe(true);
  });
});

// --- mitigation: cluster states as the evaluator reads them ----------------------------------------------
type Container = { name: string; ready: boolean; waiting?: string; terminated?: string };

function pod(name: string, containers: Container[] | 'none', extra: JsonObject = {}): JsonObject {
  const status: JsonObject =
    containers === 'none'
      ? { phase: 'Pending' }
      : {
          phase: 'Running',
          containerStatuses: containers.map((c) => ({
            name: c.name,
            ready: c.ready,
            state: c.waiting
              ? { waiting: { reason: c.waiting } }
              : c.terminated
                ? { terminated: { reason: c.terminated } }
                : { running: {} },
          })),
        };
  return {
    metadata: { name, labels: { app: name.replace(/-[a-z0-9]+$/, '') } },
    spec: { containers: [{ name: 'main', ports: [{ containerPort: 8080 }] }] },
    status,
    ...extra,
  };
}

const ok = (name: string) => pod(name, [{ name: 'main', ready: true }]);

function deployment(
  name: string,
  replicas: number,
  available: number,
  command: string[] = [name],
): JsonObject {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { spec: { containers: [{ name: 'main', command, ports: [{ containerPort: 8080 }] }] } },
    },
    status: { availableReplicas: available },
  };
}

/** A cluster as data; `wait` moves a clock and lets `later` change the pods. */
function state(
  objects: Partial<Record<ClusterKind, JsonObject[]>>,
  later?: (ms: number) => JsonObject[] | undefined,
): ClusterState & { looks: number; waitedMs: number } {
  const s = {
    looks: 0,
    waitedMs: 0,
    list(kind: ClusterKind) {
      if (kind === 'Pod') s.looks++;
      return Promise.resolve(objects[kind] ?? []);
    },
    wait(ms: number) {
      s.waitedMs += ms;
      const pods = later?.(s.waitedMs);
      if (pods) objects.Pod = pods;
      return Promise.resolve();
    },
  };
  return s;
}

function mitigation(kind: string, check: string, target?: string, app = 'hotel-reservation'): Problem {
  return Problem.parse({
    id: `m-${check}`,
    app,
    task: 'mitigation',
    fault: { kind, ...(target ? { target } : {}) },
    expect: { mitigation: check },
  });
}

const podsOkProblem = mitigation('revoke_auth_mongodb', 'podsOk', 'mongodb-geo');
const scaleProblem = mitigation(
  'scale_pods_to_zero',
  'deploymentAvailable',
  'user-service',
  'social-network',
);
const nodeProblem = mitigation(
  'assign_to_non_existent_node',
  'podExistsAndOk',
  'user-service',
  'social-network',
);
const wrongBinProblem = mitigation('wrong_bin_usage', 'wrongBin', 'profile');
const readyProblem = mitigation('misconfig_app', 'allReadyWithin60s', 'geo');
const portProblem = mitigation('misconfig_k8s_target_port', 'targetPort', 'user-service', 'social-network');

async function faithful(problem: Problem, cluster: ClusterState): Promise<Verdict> {
  const result = await scoreMitigation(problem, cluster, 'faithful');
  return result.evaluatorError ? 'raises' : { success: result.success };
}

describe('faithful mitigation, row by row with AIOpsLab', () => {
  it.each<[string, Problem, Partial<Record<ClusterKind, JsonObject[]>>, Verdict]>([
    [
      'podsOk: a Pending pod (container_statuses None)',
      podsOkProblem,
      { Pod: [ok('geo-1'), pod('mongodb-geo-1', 'none')] },
      'raises',
    ],
    [
      'podsOk: a failing pod before the Pending one (the loop breaks first)',
      podsOkProblem,
      {
        Pod: [
          pod('aaa-1', [{ name: 'main', ready: false, waiting: 'CrashLoopBackOff' }]),
          pod('mongodb-geo-1', 'none'),
        ],
      },
      { success: false },
    ],
    [
      'podsOk: a container not ready',
      podsOkProblem,
      { Pod: [pod('geo-1', [{ name: 'main', ready: false }])] },
      { success: false },
    ],
    [
      'podsOk: terminated Completed and ready',
      podsOkProblem,
      { Pod: [pod('job-1', [{ name: 'main', ready: true, terminated: 'Completed' }])] },
      { success: true },
    ],
    [
      'deploymentAvailable: healthy but one Pending pod elsewhere',
      scaleProblem,
      { Deployment: [deployment('user-service', 1, 1)], Pod: [ok('user-service-1'), pod('zzz-1', 'none')] },
      'raises',
    ],
    [
      'deploymentAvailable: scaled to 0, first pod Pending (all_normal already false)',
      scaleProblem,
      { Deployment: [deployment('user-service', 0, 0)], Pod: [pod('aaa-1', 'none'), ok('user-service-1')] },
      'raises',
    ],
    [
      'deploymentAvailable: scaled to 0, a Pending pod after the first (loop breaks)',
      scaleProblem,
      { Deployment: [deployment('user-service', 0, 0)], Pod: [ok('aaa-1'), pod('zzz-1', 'none')] },
      { success: false },
    ],
    [
      'deploymentAvailable: the Deployment is gone (read raises)',
      scaleProblem,
      { Pod: [ok('a-1')] },
      'raises',
    ],
    [
      'podExistsAndOk: a Pending target pod (guarded loop)',
      nodeProblem,
      { Pod: [ok('text-service-1'), pod('user-service-1', 'none')] },
      { success: true },
    ],
    ['podExistsAndOk: no target pod', nodeProblem, { Pod: [ok('text-service-1')] }, { success: false }],
    [
      'wrongBin: a Pending pod',
      wrongBinProblem,
      { Deployment: [deployment('profile', 1, 1)], Pod: [pod('profile-1', 'none')] },
      'raises',
    ],
    [
      'wrongBin: waiting in ContainerCreating skips the ready check',
      wrongBinProblem,
      {
        Deployment: [deployment('profile', 1, 1)],
        Pod: [pod('profile-1', [{ name: 'main', ready: false, waiting: 'ContainerCreating' }])],
      },
      { success: true },
    ],
    [
      'wrongBin: waiting in ErrImagePull',
      wrongBinProblem,
      {
        Deployment: [deployment('profile', 1, 1)],
        Pod: [pod('profile-1', [{ name: 'main', ready: false, waiting: 'ErrImagePull' }])],
      },
      { success: false },
    ],
    [
      'wrongBin: still runs the geo binary',
      wrongBinProblem,
      { Deployment: [deployment('profile', 1, 1, ['geo'])], Pod: [ok('profile-1')] },
      { success: false },
    ],
    ['allReadyWithin60s: an empty namespace', readyProblem, { Pod: [] }, { success: false }],
    [
      "allReadyWithin60s: containers ready, the pod's Ready condition False (only the flags count)",
      readyProblem,
      {
        Pod: [
          pod('geo-1', [{ name: 'main', ready: true }], {
            status: {
              phase: 'Running',
              conditions: [{ type: 'Ready', status: 'False' }],
              containerStatuses: [{ name: 'main', ready: true, state: { running: {} } }],
            },
          }),
        ],
      },
      { success: true },
    ],
    [
      'allReadyWithin60s: a Pending pod never scheduled',
      readyProblem,
      { Pod: [ok('a-1'), pod('geo-1', 'none')] },
      { success: false },
    ],
    [
      'targetPort: 9090 on social-network, a Pending pod (guarded loop)',
      portProblem,
      {
        Service: [
          {
            metadata: { name: 'user-service' },
            spec: { ports: [{ port: 9090, targetPort: 9090 }], selector: { app: 'user-service' } },
          },
        ],
        Pod: [pod('user-service-1', 'none')],
      },
      { success: true },
    ],
    [
      'targetPort: only ports[0] is read',
      portProblem,
      {
        Service: [
          {
            metadata: { name: 'user-service' },
            spec: {
              ports: [
                { port: 9090, targetPort: 9999 },
                { port: 1, targetPort: 9090 },
              ],
            },
          },
        ],
        Pod: [],
      },
      { success: false },
    ],
  ])('%s', async (_label, problem, objects, aiopslab) => {
    expect(await faithful(problem, state(objects))).toEqual(aiopslab);
  });

  it('allReadyWithin60s looks 12 times, 5 s apart, on the given clock', async () => {
    const never = state({ Pod: [pod('geo-1', [{ name: 'main', ready: false }])] });
    expect(await faithful(readyProblem, never)).toEqual({ success: false });
    expect({ looks: never.looks, waitedMs: never.waitedMs }).toEqual({ looks: 12, waitedMs: 60_000 });
    const at55 = state({ Pod: [pod('geo-1', [{ name: 'main', ready: false }])] }, (ms) =>
      ms >= 55_000 ? [ok('geo-1')] : undefined,
    );
    expect(await faithful(readyProblem, at55)).toEqual({ success: true });
    expect(at55.looks).toBe(12);
    const at60 = state({ Pod: [pod('geo-1', [{ name: 'main', ready: false }])] }, (ms) =>
      ms >= 60_000 ? [ok('geo-1')] : undefined,
    );
    expect(await faithful(readyProblem, at60)).toEqual({ success: false });
  });

  it('strict reports a Pending pod as a failure, not an evaluator error', async () => {
    const result = await scoreMitigation(
      podsOkProblem,
      state({ Pod: [ok('geo-1'), pod('mongodb-geo-1', 'none')] }),
    );
    expect(result).toMatchObject({ success: false });
    expect(result.evaluatorError).toBeUndefined();
    expect(result.detail).toContain('pod mongodb-geo-1 has no container statuses (Pending)');
  });

  it("strict compares the Service's targetPort with what its selected pods listen on, never 9090", async () => {
    const service = (targetPort: number) => ({
      metadata: { name: 'geo' },
      spec: { ports: [{ port: 8083, targetPort }], selector: { app: 'geo' } },
    });
    const geoPort = mitigation('misconfig_k8s_target_port', 'targetPort', 'geo');
    const listening = (targetPort: number) =>
      state({
        Service: [service(targetPort)],
        Pod: [
          pod('geo-1', [{ name: 'main', ready: true }], {
            spec: { containers: [{ name: 'main', ports: [{ containerPort: 8083 }] }] },
          }),
        ],
      });
    expect((await scoreMitigation(geoPort, listening(8083))).success).toBe(true);
    const wrong = await scoreMitigation(geoPort, listening(9090));
    expect(wrong.success).toBe(false);
    expect(wrong.detail).toContain('targets 9090, which no selected pod of geo listens on');
  });
});
