import { describe, expect, it } from 'vitest';
import { ActionProposal } from '../../src/core/actions.js';
import { Diagnosis } from '../../src/core/diagnosis.js';
import type { Evidence, Severity } from '../../src/core/evidence.js';
import { diagnoseByRules, RulesReasoner } from '../../src/reasoner/rules-backend.js';
import { buildGraph, ownerFromPodName, roots } from '../../src/reasoner/rules/graph.js';

const NS = 'shop';
let next = 0;

function item(
  component: string,
  signal: string,
  severity: Severity,
  extra: Partial<Evidence> = {},
): Evidence {
  next += 1;
  return {
    id: `ev-${next}`,
    source: 'kubernetes',
    subject: { kind: 'Service', namespace: NS, name: component },
    signal,
    severity,
    summary: `${component}: ${signal}`,
    observedAt: '2026-11-25T04:00:00Z',
    component,
    ...extra,
  };
}

/** A caller's error logs naming the callees it failed to reach. */
const callerLogs = (caller: string, ...callees: string[]) =>
  item(caller, 'ErrorLogs', 'error', { source: 'logs', blames: callees });

describe('rules: localisation', () => {
  it('blames the deepest failing component, not the callers that fail because of it', () => {
    const evidence = [
      callerLogs('web', 'orders'),
      callerLogs('orders', 'ledger'),
      item('orders', 'ErrorRateHigh', 'error', { source: 'metrics' }),
      item('ledger', 'CrashLoopBackOff', 'error'),
    ];
    const d = diagnoseByRules({ evidence, namespace: NS });
    expect(d.detected).toBe(true);
    expect(d.faultyComponents).toEqual(['ledger']);
    expect(Diagnosis.parse(d)).toBeTruthy();
  });

  it('stops at the caller when the callee it names shows nothing wrong of its own', () => {
    // The caller cannot reach a healthy dependency: its own network or configuration is the fault.
    const evidence = [callerLogs('web', 'accounts'), callerLogs('accounts', 'accounts-db')];
    expect(diagnoseByRules({ evidence, namespace: NS }).faultyComponents).toEqual(['accounts']);
  });

  it('walks latency edges the same way as error edges', () => {
    const evidence = [
      item('web', 'LatencyHigh', 'error', { source: 'metrics' }),
      item('web', 'PeerLatency', 'error', { source: 'metrics', blames: ['search'] }),
      item('search', 'LatencyHigh', 'error', { source: 'metrics' }),
    ];
    expect(diagnoseByRules({ evidence, namespace: NS }).faultyComponents).toEqual(['search']);
  });

  it.each(['TraceEdgeErrors', 'TraceEdgeLatency', 'TraceCallOrigin'])(
    'reads %s as the caller reporting on its callee, not as its own evidence',
    (signal) => {
      const edge = item('web', signal, 'error', { source: 'traces', blames: ['search'] });
      const graph = buildGraph([edge, item('search', 'CrashLoopBackOff', 'error')]);
      expect(graph.components.get('web')?.own).toEqual([]);
      expect(graph.components.get('search')?.blamedBy).toEqual([edge]);
      expect(roots(graph).map((c) => c.name)).toEqual(['search']);
    },
  );

  it("reads TraceErrorOrigin as the failing component's own evidence", () => {
    const evidence = [
      item('web', 'TraceEdgeErrors', 'error', { source: 'traces', blames: ['search'] }),
      item('search', 'TraceErrorOrigin', 'error', { source: 'traces' }),
    ];
    expect(diagnoseByRules({ evidence, namespace: NS }).faultyComponents).toEqual(['search']);
  });

  it('finds no incident in benign noise: a few warning log lines and one old restart', () => {
    const evidence = [
      item('web', 'ErrorLogs', 'warning', { source: 'logs' }),
      item('cart', 'ContainerRestarted', 'warning'),
      item('cart', 'gap', 'info'),
    ];
    const d = diagnoseByRules({ evidence, namespace: NS });
    expect(d).toMatchObject({ detected: false, faultyComponents: [], proposals: [] });
  });

  it('counts a warning-level error ratio from metrics as an incident', () => {
    const evidence = [item('ads', 'ErrorRateHigh', 'warning', { source: 'metrics' })];
    expect(diagnoseByRules({ evidence, namespace: NS })).toMatchObject({
      detected: true,
      faultyComponents: ['ads'],
    });
  });

  it('survives a cycle of failing components', () => {
    const evidence = [callerLogs('a', 'b'), callerLogs('b', 'a')];
    const ranked = roots(buildGraph(evidence));
    expect(ranked.map((c) => c.name).sort()).toEqual(['a', 'b']);
  });

  it('maps pod names to their owners when the evidence names no component', () => {
    expect(ownerFromPodName('geo-6b8d9c7f5d-x2x9k')).toBe('geo');
    expect(ownerFromPodName('kafka-0')).toBe('kafka');
    expect(ownerFromPodName('standalone')).toBe('standalone');
  });
});

describe('rules: classification', () => {
  const classify = (...evidence: Evidence[]) => diagnoseByRules({ evidence, namespace: NS }).rootCause;

  it.each([
    ['TargetPortMismatch', 'critical', 'Virtualization', 'Misconfiguration'],
    ['ScaledToZero', 'critical', 'Virtualization', 'Operation Error'],
    ['NodeSelectorUnsatisfiable', 'critical', 'Virtualization', 'Dependency Problem'],
    ['PVCPending', 'error', 'Virtualization', 'Operation Error'],
    ['WrongBinary', 'error', 'Application', 'Network/Storage Issue'],
    ['ImagePullBackOff', 'error', 'Virtualization', 'Misconfiguration'],
  ] as const)('%s → %s / %s', (signal, severity, systemLevel, faultType) => {
    expect(classify(item('svc', signal, severity))).toMatchObject({ systemLevel, faultType });
  });

  it('tells a revoked role, a missing user and a TLS mismatch apart by what the database logs', () => {
    const logs = (text: string) =>
      item('db', 'AuthErrors', 'error', { source: 'logs', excerpt: text, summary: 'db logged failures' });
    expect(
      classify(logs('"Checking authorization failed" not authorized on app to execute command')),
    ).toMatchObject({
      faultType: 'Authentication Issue',
    });
    expect(
      classify(logs('Authentication failed ... UserNotFound: Could not find user "admin"')),
    ).toMatchObject({
      faultType: 'Network/Storage Issue',
    });
    expect(
      classify(
        item('db', 'ErrorLogs', 'error', { source: 'logs', excerpt: 'SSLHandshakeFailed: only allow SSL' }),
      ),
    ).toMatchObject({ faultType: 'Misconfiguration' });
  });
});

describe('rules: proposals', () => {
  const propose = (...evidence: Evidence[]) => diagnoseByRules({ evidence, namespace: NS }).proposals;

  it('re-routes a Service to the port its pods listen on', () => {
    const ev = item('api', 'TargetPortMismatch', 'critical', {
      attributes: { service: 'api', port: 80, targetPort: '9999', portName: 'http', containerPort: 8080 },
    });
    expect(propose(ev)).toEqual([
      expect.objectContaining({
        kind: 'patchService',
        namespace: NS,
        name: 'api',
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        evidence: [ev.id],
      }),
    ]);
  });

  it('proposes nothing it cannot ground: a port mismatch without the listening port', () => {
    const ev = item('api', 'TargetPortMismatch', 'critical', { attributes: { service: 'api', port: 80 } });
    expect(propose(ev)).toEqual([]);
  });

  it('rolls back a crashing new revision, drops an impossible node selector, re-scales from zero', () => {
    expect(
      propose(item('geo', 'RolloutStuck', 'error', { attributes: { workload: 'geo', revision: 2 } }))[0],
    ).toMatchObject({ kind: 'rollbackDeployment', name: 'geo' });
    expect(
      propose(
        item('users', 'NodeSelectorUnsatisfiable', 'critical', {
          attributes: {
            workload: 'users',
            workloadKind: 'Deployment',
            nodeSelectorKeys: 'kubernetes.io/hostname',
          },
        }),
      )[0],
    ).toMatchObject({ kind: 'patchNodeSelector', nodeSelector: { 'kubernetes.io/hostname': null } });
    expect(
      propose(
        item('users', 'ScaledToZero', 'critical', {
          attributes: { workload: 'users', workloadKind: 'Deployment' },
        }),
      )[0],
    ).toMatchObject({ kind: 'scaleDeployment', replicas: 1 });
  });

  it('restarts a database that refuses credentials (its init script re-creates them), then its crash-looping clients', () => {
    const evidence = [
      item('db', 'AuthErrors', 'error', { source: 'logs', excerpt: 'not authorized on app' }),
      item('db', 'UserInitScript', 'info', { attributes: { configMap: 'db-init', key: 'init.sh' } }),
      callerLogs('app', 'db'),
      item('app', 'CrashLoopBackOff', 'error'),
      callerLogs('web', 'app'),
    ];
    const proposals = propose(...evidence);
    expect(proposals.map((p) => `${p.kind} ${'name' in p ? p.name : ''}`)).toEqual([
      'rolloutRestart db',
      'rolloutRestart app',
    ]);
  });

  it('turns a misbehaving feature flag off through a typed config change, and frees released volumes', () => {
    const flag = item('ads', 'FeatureFlagOn', 'warning', {
      subject: { kind: 'ConfigMap', namespace: NS, name: 'flags' },
      attributes: { configMap: 'flags', key: 'flags.json', flag: 'adsFailure', variant: 'on' },
    });
    const [turnOff] = propose(item('ads', 'ErrorRateHigh', 'error', { source: 'metrics' }), flag);
    expect(turnOff).toMatchObject({
      kind: 'setConfigValue',
      name: 'flags',
      key: 'flags.json',
      format: 'json',
      path: ['flags', 'adsFailure', 'defaultVariant'],
      value: 'off',
    });
    const [release] = propose(
      item('db', 'PVCPending', 'error', {
        attributes: { claim: 'db-pvc', claimNamespace: NS, releasedVolumes: 'pv-1' },
      }),
    );
    expect(release).toMatchObject({
      kind: 'releaseVolume',
      name: 'pv-1',
      claimNamespace: NS,
      claim: 'db-pvc',
    });
  });

  it('emits only proposals the action schema accepts, each citing evidence that exists', async () => {
    const evidence = [
      item('api', 'TargetPortMismatch', 'critical', {
        attributes: { service: 'api', port: 80, targetPort: '1', containerPort: 8080 },
      }),
      callerLogs('web', 'api'),
    ];
    const result = await new RulesReasoner().diagnose({ evidence, namespace: NS });
    const ids = new Set(evidence.map((e) => e.id));
    for (const p of result.diagnosis.proposals) {
      expect(ActionProposal.safeParse(p).success).toBe(true);
      for (const id of p.evidence) expect(ids.has(id)).toBe(true);
    }
    expect(result.rejected).toEqual([]);
    expect(result.tokens).toEqual({ in: 0, out: 0 });
  });
});

describe('rules: a callee whose network drops or delays what reaches it', () => {
  const edge = (caller: string, callee: string, signal: string, severity: Severity, summary?: string) =>
    item(caller, signal, severity, {
      source: 'metrics',
      blames: [callee],
      attributes: { peer: callee },
      ...(summary ? { summary } : {}),
    });

  it('blames a silent leaf when its only caller fails towards it alone, as badly as that caller is failed', () => {
    const evidence = [
      edge('gateway', 'api', 'PeerErrorRate', 'error'),
      item('api', 'ErrorRateHigh', 'error', { source: 'metrics' }),
      item('api', 'LatencyHigh', 'error', { source: 'metrics' }),
      edge('api', 'store', 'PeerErrorRate', 'error'),
      edge('api', 'store', 'PeerLatency', 'error'),
    ];
    expect(diagnoseByRules({ namespace: NS, evidence }).faultyComponents).toEqual(['store']);
  });

  it('keeps the caller when its calls to several callees fail (its own network)', () => {
    const evidence = [
      edge('gateway', 'api', 'PeerLatency', 'error'),
      item('api', 'LatencyHigh', 'error', { source: 'metrics' }),
      edge('api', 'store', 'PeerLatency', 'error'),
      edge('api', 'registry', 'PeerLatency', 'error'),
    ];
    expect(diagnoseByRules({ namespace: NS, evidence }).faultyComponents).toEqual(['api']);
  });

  it('keeps the caller when its callers fail reaching it worse than it fails its callee', () => {
    const evidence = [
      edge('gateway', 'api', 'PeerErrorRate', 'error'),
      item('api', 'ErrorLogs', 'error', { source: 'logs' }),
      edge('api', 'store', 'PeerLatency', 'warning'),
    ];
    expect(diagnoseByRules({ namespace: NS, evidence }).faultyComponents).toEqual(['api']);
  });

  it('keeps the caller when it dials a name that does not resolve (its own config), or shows a fault of its own', () => {
    const misdialled = [
      edge('gateway', 'api', 'PeerErrorRate', 'error'),
      item('api', 'ErrorRateHigh', 'error', { source: 'metrics' }),
      edge(
        'api',
        'store',
        'TraceEdgeErrors',
        'error',
        'calls from api to store failed: lookup bad on 10.0.0.10:53: no such host',
      ),
    ];
    expect(diagnoseByRules({ namespace: NS, evidence: misdialled }).faultyComponents).toEqual(['api']);
    const crashing = [
      item('api', 'CrashLoopBackOff', 'critical'),
      edge('api', 'store', 'PeerErrorRate', 'error'),
    ];
    expect(diagnoseByRules({ namespace: NS, evidence: crashing }).faultyComponents).toEqual(['api']);
  });
});

describe('rules: a restart proposed only where its mechanism is seen', () => {
  const auth = () => item('users-db', 'AuthErrors', 'error', { source: 'logs' });
  const client = () => callerLogs('accounts', 'users-db');

  it('restarts the database when it mounts an init script that re-creates its users, and cites it', () => {
    const script = item('users-db', 'UserInitScript', 'info', {
      attributes: { configMap: 'users-db-init', key: 'init.sh', grantsRoles: true },
    });
    const d = diagnoseByRules({ namespace: NS, evidence: [client(), auth(), script] });
    expect(d.proposals[0]).toMatchObject({ kind: 'rolloutRestart', name: 'users-db' });
    expect(d.proposals[0]!.evidence).toContain(script.id);
    expect(d.proposals[0]!.rationale).toMatch(/users-db-init\/init\.sh/);
  });

  it('proposes nothing without one, and says what a person must do', () => {
    const d = diagnoseByRules({ namespace: NS, evidence: [client(), auth()] });
    expect(d.faultyComponents).toEqual(['users-db']);
    expect(d.proposals).toEqual([]);
    expect(d.rootCause?.summary).toMatch(/no automatic fix.*re-grant the role/);
  });
});
