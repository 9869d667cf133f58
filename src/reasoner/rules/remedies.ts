/**
 * Mitigations for a diagnosed root, as typed actions built only from evidence attributes. Each remedy undoes
 * the cause where it can (re-route, re-scale, drop an impossible node selector, roll back a bad revision);
 * restarts come only where state inside a process must be re-read (a database's users, a changed config).
 */
import type { ActionProposal } from '../../core/actions.js';
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView, IncidentGraph } from './graph.js';
import { manualFix } from './manual-fixes.js';

type Remedy = (root: ComponentView, graph: IncidentGraph, namespace: string) => ActionProposal[];

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};
const num = (ev: Evidence, key: string): number | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

function workloadKind(c: ComponentView): 'Deployment' | 'StatefulSet' {
  const kinds = c.own.map((ev) => str(ev, 'workloadKind') ?? ev.subject.kind);
  return kinds.includes('StatefulSet') ? 'StatefulSet' : 'Deployment';
}

function ids(evidence: readonly Evidence[], max = 4): string[] {
  return [...new Set(evidence.map((ev) => ev.id))].slice(0, max);
}

function restart(c: ComponentView, namespace: string, why: string, evidence: string[]): ActionProposal {
  return {
    kind: 'rolloutRestart',
    namespace,
    name: c.name,
    workload: workloadKind(c),
    rationale: why,
    evidence,
  };
}

/** Callers that crash or stay unready because of the root: restarting them skips their back-off. */
function stuckCallers(root: ComponentView, graph: IncidentGraph): ComponentView[] {
  return [...root.callers]
    .map((name) => graph.components.get(name))
    .filter((c): c is ComponentView => c !== undefined)
    .filter((c) =>
      c.own.some((ev) =>
        ['CrashLoopBackOff', 'ReplicasUnavailable', 'ContainerNotReady'].includes(ev.signal),
      ),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

const byRule: {
  signal: string;
  remedy: (ev: Evidence, root: ComponentView, ns: string) => ActionProposal[];
}[] = [
  {
    signal: 'TargetPortMismatch',
    remedy: (ev, _root, ns) => {
      const service = str(ev, 'service');
      const port = num(ev, 'port');
      const containerPort = num(ev, 'containerPort');
      if (!service || port === undefined || containerPort === undefined) return [];
      const portName = str(ev, 'portName');
      return [
        {
          kind: 'patchService',
          namespace: ns,
          name: service,
          ports: [{ ...(portName ? { name: portName } : {}), port, targetPort: containerPort }],
          rationale: `point Service ${service} port ${port} at ${containerPort}, where its pods listen`,
          evidence: [ev.id],
        },
      ];
    },
  },
  {
    signal: 'ScaledToZero',
    remedy: (ev, root, ns) =>
      ev.severity !== 'critical' || workloadKind(root) !== 'Deployment'
        ? []
        : [
            {
              kind: 'scaleDeployment',
              namespace: ns,
              name: str(ev, 'workload') ?? root.name,
              replicas: 1,
              rationale: 'a Service selects this Deployment but it has no replicas; bring one back',
              evidence: [ev.id],
            },
          ],
  },
  {
    // Back to the replicas kubeadm and kind run (2), or what the Deployment still asks for. In kube-system:
    // the policy decides (the built-in rule forbids it unless a policy names the DNS addon explicitly).
    signal: 'ClusterDnsDown',
    remedy: (ev) => {
      const name = str(ev, 'workload');
      const namespace = str(ev, 'workloadNamespace');
      if (!name || !namespace) return [];
      return [
        {
          kind: 'scaleDeployment',
          namespace,
          name,
          replicas: Math.max(2, num(ev, 'replicas') ?? 0),
          rationale: `cluster DNS (${namespace}/${name}) has no ready replica and every Service name lookup fails; scale it back up`,
          evidence: [ev.id],
        },
      ];
    },
  },
  {
    signal: 'NodeSelectorUnsatisfiable',
    remedy: (ev, root, ns) => {
      const keys = (str(ev, 'nodeSelectorKeys') ?? '').split(',').filter(Boolean);
      if (keys.length === 0 || workloadKind(root) !== 'Deployment') return [];
      return [
        {
          kind: 'patchNodeSelector',
          namespace: ns,
          name: str(ev, 'workload') ?? root.name,
          nodeSelector: Object.fromEntries(keys.map((k) => [k, null])),
          rationale: `no node has the labels ${keys.join(', ')}; drop them so the pods can schedule`,
          evidence: [ev.id],
        },
      ];
    },
  },
  {
    signal: 'WrongBinary',
    remedy: (ev, root, ns) => {
      const container = str(ev, 'container');
      const command = str(ev, 'expectedCommand');
      if (!container || !command || workloadKind(root) !== 'Deployment') return [];
      return [
        {
          kind: 'setCommand',
          namespace: ns,
          name: str(ev, 'workload') ?? root.name,
          container,
          command: [command],
          rationale: `container ${container} runs ${str(ev, 'binary') ?? 'another'} binary; run its own, ${command}`,
          evidence: [ev.id],
        },
      ];
    },
  },
];

/** A quantity times two in its own unit ("21Mi" → "42Mi", "0.5" → "1"); undefined when it is not one. */
function doubled(quantity: string): string | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(quantity);
  if (!match) return undefined;
  return `${Number(match[1]) * 2}${match[2] ?? ''}`;
}

/** The on-call catalog's manifest fixes (docs/oncall-catalog.md): a memory limit, a probe's port. */
const manifestRules: typeof byRule = [
  {
    signal: 'MemoryLimitExceeded',
    remedy: (ev, root, ns) => {
      const container = str(ev, 'container');
      const limit = str(ev, 'memoryLimit');
      const raised = limit === undefined ? undefined : doubled(limit);
      if (!container || !raised || str(ev, 'workloadKind') !== 'Deployment') return [];
      return [
        {
          kind: 'setResources',
          namespace: ns,
          name: str(ev, 'workload') ?? root.name,
          container,
          limits: { memory: raised },
          rationale: `container ${container} is OOMKilled at its memory limit ${limit}; double it to ${raised}`,
          evidence: ids(root.own.filter((e) => e.signal === 'MemoryLimitExceeded')),
        },
      ];
    },
  },
  {
    // The probe dials the right port too early: give the start time with a startup probe on the same endpoint
    // (the docs' failureThreshold 30 × periodSeconds 10: five minutes to start), which leaves the liveness
    // probe as quick to act as it was once the app is up. An existing startup probe gets the same timing.
    signal: 'ProbeKillsDuringStartup',
    remedy: (ev, root, ns) => {
      const container = str(ev, 'container');
      if (
        !container ||
        str(ev, 'workloadKind') !== 'Deployment' ||
        ev.attributes?.['previousLogRead'] !== true
      )
        return [];
      const killedAt = num(ev, 'killedAfterSeconds');
      return [
        {
          kind: 'setProbe',
          namespace: ns,
          name: str(ev, 'workload') ?? root.name,
          container,
          probe: 'startup',
          initialDelaySeconds: 0,
          periodSeconds: 10,
          failureThreshold: 30,
          rationale:
            `the ${str(ev, 'probe') ?? 'liveness'} probe of ${container} kills it ${killedAt ?? '?'}s after each start, ` +
            `before it listens; a startup probe on the same endpoint gives it up to 300s to start`,
          evidence: ids(root.own.filter((e) => e.signal === 'ProbeKillsDuringStartup')),
        },
      ];
    },
  },
  ...(['LivenessProbeFailing', 'ReadinessProbeFailing'] as const).map((signal) => ({
    signal,
    remedy: (ev: Evidence, root: ComponentView, ns: string): ActionProposal[] => {
      const container = str(ev, 'container');
      const port = num(ev, 'suggestedPort');
      const probe = str(ev, 'probe');
      if (!container || port === undefined || str(ev, 'workloadKind') !== 'Deployment') return [];
      if (probe !== 'liveness' && probe !== 'readiness') return [];
      return [
        {
          kind: 'setProbe',
          namespace: ns,
          name: str(ev, 'workload') ?? root.name,
          container,
          probe,
          port,
          rationale: `the ${probe} probe of ${container} dials port ${num(ev, 'probePort') ?? '?'}, which the container does not declare; it listens on ${port}`,
          evidence: ids(root.own.filter((e) => e.signal === signal)),
        },
      ];
    },
  })),
];

const singleSignal: Remedy = (root, _graph, ns) => {
  for (const { signal, remedy } of [...manifestRules, ...byRule]) {
    const ev = root.own.find((e) => e.signal === signal);
    if (ev) {
      const actions = remedy(ev, root, ns);
      if (actions.length > 0) return actions;
    }
  }
  return [];
};

/** Claims left Pending because their old volumes still hold a claimRef to the deleted claims. */
const releaseVolumes: Remedy = (_root, graph, ns) => {
  const pending = [...graph.components.values()]
    .flatMap((c) => c.own)
    .filter((ev) => ev.signal === 'PVCPending' && str(ev, 'releasedVolumes') && str(ev, 'claim'));
  const seen = new Set<string>();
  return pending.flatMap((ev) =>
    (str(ev, 'releasedVolumes') ?? '')
      .split(',')
      .filter((pv) => pv !== '' && !seen.has(pv) && seen.add(pv))
      .map((pv): ActionProposal => ({
        kind: 'releaseVolume',
        name: pv,
        claimNamespace: str(ev, 'claimNamespace') ?? ns,
        claim: str(ev, 'claim') ?? '',
        namespace: str(ev, 'claimNamespace') ?? ns,
        rationale: `volume ${pv} is Released but still claimed by the deleted ${str(ev, 'claim') ?? 'claim'}; free it so the new claim binds`,
        evidence: [ev.id],
      })),
  );
};

/** A failure-injection or misbehaving feature flag on the root: turn it off where the flags are defined. */
const turnFlagOff: Remedy = (root, _graph, ns) => {
  const ev = root.own.find(
    (e) => e.signal === 'FeatureFlagOn' && str(e, 'configMap') && str(e, 'key') && str(e, 'flag'),
  );
  if (!ev) return [];
  const flag = str(ev, 'flag') ?? '';
  return [
    {
      kind: 'setConfigValue',
      namespace: ns,
      name: str(ev, 'configMap') ?? '',
      key: str(ev, 'key') ?? '',
      format: 'json',
      path: ['flags', flag, 'defaultVariant'],
      value: 'off',
      rationale: `flag ${flag} is on and ${root.name} misbehaves; turn it off`,
      evidence: ids([ev, ...root.own.filter((e) => e !== ev)]),
    },
  ];
};

/** A database that demands TLS its clients do not speak: set the mode back, restart it and its clients. */
const relaxTls: Remedy = (root, graph, ns) => {
  const ev = root.own.find(
    (e) => e.signal === 'TlsRequired' && e.severity !== 'info' && str(e, 'configMap') && str(e, 'key'),
  );
  if (!ev) return [];
  const path = (str(ev, 'path') ?? 'net.tls.mode').split('.');
  const cited = ids([ev, ...root.blamedBy]);
  return [
    {
      kind: 'setConfigValue',
      namespace: ns,
      name: str(ev, 'configMap') ?? '',
      key: str(ev, 'key') ?? '',
      format: 'yaml',
      path,
      value: 'disabled',
      rationale: `${root.name} requires TLS (${str(ev, 'value') ?? 'required'}) but its clients connect in plain text`,
      evidence: cited,
    },
    restart(root, ns, `${root.name} reads its configuration at start`, cited),
    ...[...root.callers]
      .map((name) => graph.components.get(name))
      .filter((c): c is ComponentView => c !== undefined && c.strength > 0)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => restart(c, ns, `${c.name} holds failed connections to ${root.name}`, ids([...c.own, ev]))),
  ];
};

/**
 * A rollout raised what each pod asks for past the namespace's quota or limit range: the new pods are refused
 * while the previous revision's run; going back to it is safe (and undoes exactly the change).
 */
const rollBackRefused: Remedy = (root, _graph, ns) => {
  const ev = root.own.find(
    (e) =>
      (e.signal === 'QuotaExceeded' || e.signal === 'LimitRangeViolation') &&
      e.attributes?.['rolloutRaised'] === true,
  );
  if (!ev || workloadKind(root) !== 'Deployment') return [];
  const policy = str(ev, 'quota')
    ? `ResourceQuota ${str(ev, 'quota')}`
    : `LimitRange ${str(ev, 'limitRange') ?? '?'}`;
  return [
    {
      kind: 'rollbackDeployment',
      namespace: ns,
      name: root.name,
      rationale: `revision ${num(ev, 'revision') ?? '?'} raised its pods' ${str(ev, 'resource') ?? 'resources'} past ${policy}, which refuses them; the previous revision was admitted`,
      evidence: ids([ev]),
    },
  ];
};

/** A bad new revision: go back to the previous one. */
const rollBack: Remedy = (root, _graph, ns) => {
  const ev = root.own.find(
    (e) =>
      (e.signal === 'RolloutStuck' || e.signal === 'CrashLoopBackOff') &&
      Number(e.attributes?.['revision'] ?? 1) > 1,
  );
  if (!ev || workloadKind(root) !== 'Deployment') return [];
  return [
    {
      kind: 'rollbackDeployment',
      namespace: ns,
      name: root.name,
      rationale: 'the newest revision crashes while the previous one ran; roll back to it',
      evidence: ids(root.own.filter((e) => e.signal === 'RolloutStuck' || e.signal === 'CrashLoopBackOff')),
    },
  ];
};

/**
 * Credentials or grants changed inside a database: restart it, then its stuck clients, but only where the
 * observer saw the mechanism that makes a restart help (an init script it mounts that re-creates the users and
 * roles) and cites it; elsewhere manual-fixes.ts says what a person must do.
 */
const restartDatabaseAndClients: Remedy = (root, graph, ns) => {
  const auth = root.own.filter((ev) => ev.signal === 'AuthErrors');
  const script = root.own.find((ev) => ev.signal === 'UserInitScript');
  if (auth.length === 0 || !script) return [];
  const callers = stuckCallers(root, graph);
  const where = `${str(script, 'configMap') ?? '?'}/${str(script, 'key') ?? '?'}`;
  return [
    restart(
      root,
      ns,
      `${root.name} refuses its clients' credentials; it mounts ${where}, which creates its users and roles at start, so a restart re-applies them`,
      [...ids(auth, 3), script.id],
    ),
    ...callers.map((c) =>
      restart(
        c,
        ns,
        `${c.name} is stuck in back-off after failing to reach ${root.name}`,
        ids([...c.own, ...auth]),
      ),
    ),
  ];
};

const REMEDIES: readonly Remedy[] = [
  singleSignal,
  releaseVolumes,
  turnFlagOff,
  relaxTls,
  rollBackRefused,
  rollBack,
  restartDatabaseAndClients,
];

export function proposeRemedies(
  root: ComponentView,
  graph: IncidentGraph,
  namespace: string | undefined,
): ActionProposal[] {
  const ns = namespace ?? root.own.find((ev) => ev.subject.namespace)?.subject.namespace;
  if (ns === undefined || manualFix(root)?.proposeNothing) return [];
  for (const remedy of REMEDIES) {
    const actions = remedy(root, graph, ns);
    if (actions.length > 0) return actions;
  }
  return [];
}
