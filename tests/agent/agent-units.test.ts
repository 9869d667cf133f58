import { describe, expect, it } from 'vitest';
import { execShell, shellCommand, shellQuote, submit } from '../../src/agent/api-call.js';
import { batchCommand, createRelayRunner, splitBatch } from '../../src/agent/relay-runner.js';
import { hostSafeJson, renderKubectl } from '../../src/agent/render-kubectl.js';
import { stripPrompt } from '../../src/agent/session.js';
import type { ReadObject } from '../../src/agent/verify-write.js';
import { readBackOf, writeShows } from '../../src/agent/verify-write.js';
import { parseProblem } from '../../src/agent/task-description.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { classifyKubectlArgv } from '../../src/executor/kubectl-argv.js';

/** AIOpsLab's ResponseParser for exec_shell, as documented: strip the outer quotes, unescape \" and \'. */
function parseExecShell(action: string): string {
  const blocks = [...action.matchAll(/```\s*\n([\s\S]*?)\n```/g)];
  expect(blocks).toHaveLength(1);
  const code = blocks[0]![1]!;
  const args = code.slice(code.indexOf('(') + 1, code.lastIndexOf(')')).trim();
  expect(args.startsWith('"') && args.endsWith('"')).toBe(true);
  return args
    .replace(/^"+|"+$/g, '')
    .replace(/\\"/g, '"')
    .replace(/\\'/g, "'");
}

describe('parseProblem', () => {
  const summary = (ns: string) => `Service Details:\nService Name: Hotel Reservation\nNamespace: ${ns}\n`;
  it.each([
    ['You are an expert DevOps engineer assigned to detect anomalies in a deployed service.', 'detection'],
    ['You are an expert DevOps engineer assigned to localize faults in a deployed service.', 'localization'],
    [
      'You are an expert DevOps engineer assigned to do root cause analysis in a deployed service.',
      'analysis',
    ],
    ['You are an expert DevOps engineer assigned to mitigate anomalies in a deployed service.', 'mitigation'],
    ["submit a dict with 'system_level' and 'fault_type'", 'analysis'],
    ['1. list[str]: list of faulty components', 'localization'],
    ['nothing recognisable', 'detection'],
  ] as const)('%s → %s', (opening, task) => {
    const parsed = parseProblem(`${opening}\n\n${summary('test-hotel-reservation')}`);
    expect(parsed.task).toBe(task);
    expect(parsed.namespace).toBe('test-hotel-reservation');
  });

  it.each([
    ['Namespace: astronomy-shop', 'astronomy-shop'],
    ['the app runs in namespace `test-social-network`.', 'test-social-network'],
    ['Service Name: Social Network', 'test-social-network'],
    ['Service Name: OpenTelemetry Demo Astronomy Shop', 'astronomy-shop'],
    ['no hint at all', undefined],
  ])('namespace from %j', (text, namespace) => {
    expect(parseProblem(text).namespace).toBe(namespace);
  });
});

describe('action strings', () => {
  it('quotes argv items for a POSIX shell', () => {
    expect(shellQuote('get')).toBe('get');
    expect(shellQuote('--output=json')).toBe('--output=json');
    expect(shellQuote('{"a":1}')).toBe(`'{"a":1}'`);
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('$(rm -rf /); echo')).toBe(`'$(rm -rf /); echo'`);
    expect(shellCommand('kubectl', ['get', 'pods', '-n', 'a b'])).toBe("kubectl get pods -n 'a b'");
  });

  it('wraps a command so that AIOpsLab parses it back byte for byte', () => {
    const commands = [
      'kubectl get pods -n x --output json',
      shellCommand('kubectl', ['patch', 'svc', 's', '-p', '{"spec":{"ports":[{"port":9090}]}}']),
      shellCommand('kubectl', ['patch', 'cm', 'c', '-p', hostSafeJson({ data: { k: 'say "hi"\n' } })]),
      shellCommand('echo', ["it's"]),
    ];
    for (const command of commands) {
      const action = execShell(command);
      expect(action.startsWith('```\nexec_shell("')).toBe(true);
      expect(action.endsWith('")\n```')).toBe(true);
      expect(parseExecShell(action)).toBe(command);
    }
    expect(() => execShell('echo a\necho b')).toThrow(/one line/);
    expect(() => execShell(`echo '\\'`)).toThrow(/parser/);
  });

  it('renders each submit form with positional arguments', () => {
    expect(submit({ task: 'detection', anomaly: true })).toBe('```\nsubmit("Yes")\n```');
    expect(submit({ task: 'detection', anomaly: false })).toBe('```\nsubmit("No")\n```');
    expect(submit({ task: 'localization', components: ['geo'] })).toBe('```\nsubmit(["geo"])\n```');
    expect(submit({ task: 'localization', components: [] })).toBe('```\nsubmit([])\n```');
    expect(submit({ task: 'analysis', systemLevel: 'Application', faultType: 'Authentication Issue' })).toBe(
      '```\nsubmit({"system_level": "Application", "fault_type": "Authentication Issue"})\n```',
    );
    expect(submit({ task: 'mitigation' })).toBe('```\nsubmit()\n```');
  });

  it('strips the line AIOpsLab appends to every output', () => {
    expect(stripPrompt('NAME READY\n\nPlease take the next action')).toBe('NAME READY');
    expect(stripPrompt('plain')).toBe('plain');
  });
});

describe('the relay runner', () => {
  it('splits a batch by its markers, keeping outcomes and dropping warnings before JSON', () => {
    const argvs = [
      ['get', 'pods', '--output', 'json'],
      ['logs', 'p', '--namespace', 'n'],
      ['get', 'nodes', '--output', 'json'],
    ];
    const out = [
      'AOI_n1_r0_BEGIN',
      'Warning: something deprecated',
      '{"items":[]}',
      'AOI_n1_r0_OK',
      'AOI_n1_r1_BEGIN',
      'a log line without newlineAOI_n1_r1_OK',
      'AOI_n1_r2_BEGIN',
      'Error from server (Forbidden): nodes is forbidden',
      'AOI_n1_r2_FAIL',
      '',
    ].join('\n');
    const runs = splitBatch(out, 'n1', argvs);
    expect(runs[0]).toEqual({ exitCode: 0, stdout: '{"items":[]}', stderr: '', timedOut: false });
    expect(runs[1]?.stdout).toBe('a log line without newline');
    expect(runs[2]).toMatchObject({
      exitCode: 1,
      stderr: 'Error from server (Forbidden): nodes is forbidden',
    });
    expect(splitBatch('Error: command timed out', 'n1', argvs)[0]?.exitCode).toBe(1);
    expect(batchCommand([['get', 'pods']], 'n1')).toBe(
      'echo AOI_n1_r0_BEGIN; kubectl get pods 2>&1 && echo AOI_n1_r0_OK || echo AOI_n1_r0_FAIL',
    );
  });

  it('batches reads started together into one command and refuses writes without relaying them', async () => {
    const sent: string[] = [];
    const runner = createRelayRunner(
      (command) => {
        sent.push(command);
        const n = (command.match(/_BEGIN;/g) ?? []).length;
        return Promise.resolve(
          Array.from({ length: n }, (_, i) => `AOI_x_r${i}_BEGIN\n{"i":${i}}\nAOI_x_r${i}_OK`).join('\n'),
        );
      },
      { nonce: 'x' },
    );
    const reads = await Promise.all([
      runner(['get', 'pods', '--output', 'json', '--request-timeout=20s'], { timeoutMs: 1 }),
      runner(['get', 'services', '--output', 'json', '--chunk-size=500'], { timeoutMs: 1 }),
      runner(['delete', 'pod', 'x', '-n', 'a'], { timeoutMs: 1 }),
      runner(['get', 'pods', '--watch'], { timeoutMs: 1 }),
    ]);
    expect(sent).toEqual([
      'echo AOI_x_r0_BEGIN; kubectl get pods --output json 2>&1 && echo AOI_x_r0_OK || echo AOI_x_r0_FAIL; ' +
        'echo AOI_x_r1_BEGIN; kubectl get services --output json 2>&1 && echo AOI_x_r1_OK || echo AOI_x_r1_FAIL',
    ]);
    expect(reads.map((r) => r.stdout)).toEqual(['{"i":0}', '{"i":1}', '', '']);
    expect(reads[2]?.stderr).toMatch(/refused to relay a write/);
    expect(reads[3]?.stderr).toMatch(/refused to relay/);
  });

  it('fails every read of a batch the orchestrator says failed, in its own words', () => {
    const argvs = [['get', 'pods', '--output', 'json']];
    for (const output of [
      '[ERROR] Command execution failed: sh: 1: kubectl: not found\n',
      '[ERROR] Docker command execution failed: Error response from daemon: No such container\n',
      'Failed to execute command: echo AOI_n_r0_BEGIN; kubectl get pods 2>&1 && echo AOI_n_r0_OK || echo AOI_n_r0_FAIL\nError: timed out',
    ]) {
      const [run] = splitBatch(output, 'n', argvs);
      expect(run?.exitCode, output).toBe(1);
      expect(run?.stderr, output).toMatch(
        /^no outcome markers in the output: (sh: 1: kubectl|Error response|Failed to execute)/,
      );
    }
  });
});

describe('typed actions as kubectl argv', () => {
  const base = { namespace: 'test-x', name: 'web', rationale: 'r', evidence: ['ev-1'] };
  const cases: [ActionProposal, string[]][] = [
    [
      { kind: 'scaleDeployment', ...base, replicas: 1 },
      ['scale', 'deployment', 'web', '-n', 'test-x', '--replicas=1'],
    ],
    [
      { kind: 'rolloutRestart', ...base, workload: 'StatefulSet' },
      ['rollout', 'restart', 'statefulset', 'web', '-n', 'test-x'],
    ],
    [{ kind: 'deletePod', ...base }, ['delete', 'pod', 'web', '-n', 'test-x']],
    [
      { kind: 'patchService', ...base, ports: [{ port: 9090, targetPort: 9090 }] },
      [
        'patch',
        'service',
        'web',
        '-n',
        'test-x',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"ports":[{"port":9090,"targetPort":9090}]}}',
      ],
    ],
    [
      { kind: 'setImage', ...base, container: 'c', image: 'repo/img:1' },
      ['set', 'image', 'deployment/web', 'c=repo/img:1', '-n', 'test-x'],
    ],
    [
      { kind: 'setCommand', ...base, container: 'c', command: ['profile'] },
      [
        'patch',
        'deployment',
        'web',
        '-n',
        'test-x',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"c","command":["profile"]}]}}}}',
      ],
    ],
    [
      { kind: 'setEnv', ...base, container: 'c', env: { A: '1', B: null } },
      ['set', 'env', 'deployment/web', '-c', 'c', 'A=1', 'B-', '-n', 'test-x'],
    ],
    [
      { kind: 'rollbackDeployment', ...base, toRevision: 2 },
      ['rollout', 'undo', 'deployment/web', '-n', 'test-x', '--to-revision=2'],
    ],
    [
      { kind: 'patchNodeSelector', ...base, nodeSelector: { 'kubernetes.io/hostname': null } },
      [
        'patch',
        'deployment',
        'web',
        '-n',
        'test-x',
        '--type',
        'merge',
        '-p',
        '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/hostname":null}}}}}',
      ],
    ],
  ];
  it.each(cases)('%# %j', (action, argv) => {
    if (action.kind === 'setConfigValue') throw new Error('not in this table');
    const rendered = renderKubectl(action);
    expect(rendered).toEqual({ ok: true, argv });
    const verdict = classifyKubectlArgv(argv);
    expect(verdict.ok && verdict.write).toBe(true);
  });

  it('refuses a kubectl proposal the classifier refuses', () => {
    expect(
      renderKubectl({
        kind: 'kubectl',
        argv: ['exec', 'web', '--', 'sh'],
        rationale: 'r',
        evidence: ['ev-1'],
      }),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('read-back checks for relayed writes', () => {
  const base = { namespace: 'ns', name: 'web', rationale: 'r', evidence: ['ev-1'] };
  const deployment = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    metadata: { name: 'web', uid: 'u1' },
    spec: {
      replicas: 1,
      template: { metadata: {}, spec: { containers: [{ name: 'c', ...container }] } },
      ...extra,
    },
  });
  const cases: [
    string,
    ActionProposal,
    ReadObject,
    boolean,
    { before?: ReadObject; configText?: string }?,
  ][] = [
    ['scale shown', { kind: 'scaleDeployment', ...base, replicas: 1 }, deployment({}), true],
    ['scale not shown', { kind: 'scaleDeployment', ...base, replicas: 3 }, deployment({}), false],
    [
      'service port shown',
      { kind: 'patchService', ...base, ports: [{ port: 80, targetPort: 8080 }] },
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      true,
    ],
    [
      'service port not shown',
      { kind: 'patchService', ...base, ports: [{ port: 80, targetPort: 8080 }] },
      { spec: { ports: [{ port: 80, targetPort: 9999 }] } },
      false,
    ],
    [
      'image',
      { kind: 'setImage', ...base, container: 'c', image: 'i:2' },
      deployment({ image: 'i:1' }),
      false,
    ],
    [
      'command',
      { kind: 'setCommand', ...base, container: 'c', command: ['p'] },
      deployment({ command: ['p'] }),
      true,
    ],
    [
      'env removed and set',
      { kind: 'setEnv', ...base, container: 'c', env: { A: '1', B: null } },
      deployment({ env: [{ name: 'A', value: '1' }] }),
      true,
    ],
    [
      'node selector key removed',
      { kind: 'patchNodeSelector', ...base, nodeSelector: { zone: null } },
      deployment({}),
      true,
    ],
    ['pod gone', { kind: 'deletePod', ...base }, 'absent', true],
    [
      'pod still there',
      { kind: 'deletePod', ...base },
      { metadata: { uid: 'u1' } },
      false,
      { before: { metadata: { uid: 'u1' } } },
    ],
    [
      'pod recreated',
      { kind: 'deletePod', ...base },
      { metadata: { uid: 'u2' } },
      true,
      { before: { metadata: { uid: 'u1' } } },
    ],
    [
      'restart without a new stamp',
      { kind: 'rolloutRestart', ...base, workload: 'Deployment' },
      deployment({}),
      false,
      { before: deployment({}) },
    ],
    [
      'config text',
      { kind: 'setConfigValue', ...base, key: 'k', format: 'json', path: ['a'], value: 1 },
      { data: { k: '{"a":1}' } },
      true,
      { configText: '{"a":1}' },
    ],
    ['a write whose target vanished', { kind: 'scaleDeployment', ...base, replicas: 1 }, 'absent', false],
  ];
  it.each(cases)('%s', (_label, action, after, ok, extra) => {
    expect(writeShows(action, after, extra).ok).toBe(ok);
    expect(readBackOf(action)).toBeDefined();
  });

  it('writes JSON bodies with nothing a host shell would expand', () => {
    const body = { data: { k: `say "hi" for $5 \`now\` it's C:\\tmp\n` } };
    const text = hostSafeJson(body);
    expect(text).not.toMatch(/[$`']|\\["\\]/);
    expect(JSON.parse(text)).toEqual(body);
  });
});
