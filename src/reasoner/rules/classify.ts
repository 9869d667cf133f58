/**
 * Root cause in AIOpsLab's vocabularies (system level, fault type) from the root component's own evidence.
 * The table is knowledge about what signals mean, ordered most decisive first; it names no service.
 */
import type { FaultType, SystemLevel } from '../../core/aiopslab.js';
import type { Evidence } from '../../core/evidence.js';
import type { GuidanceHint } from '../../core/guidance.js';

export interface FaultClass {
  systemLevel: SystemLevel;
  faultType: FaultType;
  /** One phrase for the summary: what kind of fault this is. */
  label: string;
}

/**
 * Analyzer families that can be switched off to weaken the agent on purpose (evolver experiments):
 * `log-classification` reads log text to tell look-alike faults apart; `blame-walk` follows blame edges from
 * failing callers down to the component that fails on its own (graph.ts `roots`).
 */
export const RULE_FAMILIES = ['log-classification', 'blame-walk'] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

interface Rule {
  matches: (ev: Evidence) => boolean;
  verdict: FaultClass;
  /** Set on rules that read log text; `withoutLogs` is what is left of the rule when that family is off. */
  family?: RuleFamily;
  withoutLogs?: (ev: Evidence) => boolean;
}

const signal =
  (...signals: string[]) =>
  (ev: Evidence) =>
    signals.includes(ev.signal);

const text = (ev: Evidence) => `${ev.summary}\n${ev.excerpt ?? ''}`;

const logSays =
  (pattern: RegExp, ...signals: string[]) =>
  (ev: Evidence) =>
    (signals.length === 0 || signals.includes(ev.signal)) && pattern.test(text(ev));

const revisionAfterFirst = (ev: Evidence) => Number(ev.attributes?.['revision'] ?? 1) > 1;

/**
 * AIOpsLab files a database user that no longer exists under "Network/Storage Issue" (the store lost state),
 * a revoked role under "Authentication Issue", and a client/server TLS mismatch under "Misconfiguration";
 * a workload running another workload's binary is, in its registry, also a "Network/Storage Issue".
 */
const RULES: readonly Rule[] = [
  {
    // The kubelet stopped posting status: the machine is lost or cut off; the control plane cannot tell
    // which, and its own word for it is the `unreachable` taint (docs/oncall-catalog.md).
    matches: signal('NodeUnreachable'),
    verdict: {
      systemLevel: 'Hardware',
      faultType: 'Network/Storage Issue',
      label: 'a node whose kubelet stopped posting status (lost or unreachable)',
    },
  },
  {
    // The node's operating system ran short of memory, disk or PIDs and the kubelet evicts pods to protect
    // it: no manifest is wrong and no app code failed; something run on the node took what the pods needed.
    matches: signal('MemoryPressure', 'DiskPressure', 'PIDPressure'),
    verdict: {
      systemLevel: 'Operating System',
      faultType: 'Operation Error',
      label: 'a node under resource pressure evicting its pods',
    },
  },
  {
    // The server's credential is no longer valid: clients fail its authentication (docs/oncall-catalog.md).
    matches: (ev) =>
      ev.signal === 'CertificateExpired' ||
      ev.signal === 'CertificateNotYetValid' ||
      (ev.signal === 'CertificateExpiringSoon' && ev.severity !== 'info'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
      label: 'a TLS certificate that is not valid',
    },
  },
  {
    // The cluster DNS addon scaled down or gone: an operation on the orchestration layer, as scale-to-zero.
    matches: signal('ClusterDnsDown'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
      label: 'cluster DNS with no ready replica',
    },
  },
  {
    // An autoscaler held at its maxReplicas while its target slows: a bound set on the orchestration layer
    // that is too tight for the load (docs/oncall-catalog.md), like a memory limit below the working set.
    matches: (ev) => ev.signal === 'AutoscalerAtMax' && ev.severity !== 'info',
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'an autoscaler held at its maxReplicas while its target slows',
    },
  },
  {
    // A workload's manifest asks for what its app cannot do (docs/oncall-catalog.md): a memory limit below
    // its working set, a probe at a port or path it does not serve, an init container that fails.
    matches: signal('MemoryLimitExceeded'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a memory limit below what the container needs (OOMKilled)',
    },
  },
  {
    // The probe dials the right port but kills the app before it has started: its timing is the mistake.
    matches: signal('ProbeKillsDuringStartup'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a probe that kills the container before it has finished starting',
    },
  },
  {
    matches: signal('LivenessProbeFailing', 'ReadinessProbeFailing'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a probe that never passes',
    },
  },
  {
    matches: signal('InitContainerFailing'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a failing init container',
    },
  },
  {
    // A Job given up on (BackoffLimitExceeded): labelled by what its pods' last log line says (observer
    // attribute `cause`): credentials a database refuses are an Authentication Issue, as AIOpsLab files
    // revoke_auth_mongodb; a host that does not answer or a refused argument is the batch program's own
    // configuration, Application/Misconfiguration as AIOpsLab files misconfig_app (docs/oncall-catalog.md).
    matches: (ev) => ev.signal === 'JobFailed' && ev.attributes?.['cause'] === 'authentication',
    verdict: {
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
      label: 'a Job whose credentials its database refuses (BackoffLimitExceeded)',
    },
  },
  {
    matches: signal('JobFailed'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      label: 'a Job that failed until its backoff limit (BackoffLimitExceeded)',
    },
  },
  {
    // A CronJob whose runs no longer start (suspended and left so, or a hung run blocking a Forbid policy): the
    // schedule is not carried out at the orchestration layer, an operation left undone like a scale to zero.
    matches: signal('CronJobNotRunning'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
      label: 'a CronJob that has stopped starting its scheduled runs',
    },
  },
  {
    // The namespace's ResourceQuota or LimitRange and a workload's resources disagree (docs/oncall-catalog.md):
    // orchestration-layer configuration, found wrong only when a pod is created, like a wrong targetPort.
    matches: signal('QuotaExceeded', 'LimitRangeViolation'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'pods the API server refuses (a ResourceQuota or LimitRange the workload does not fit)',
    },
  },
  {
    // A claim's manifest names a StorageClass the cluster lacks: a manifest mistake, like a wrong targetPort.
    matches: signal('StorageClassNotFound'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a storage claim naming a StorageClass that does not exist',
    },
  },
  {
    // A claim asking for what no volume offers, where nothing provisions one: the claim's request or the
    // missing volume is a manifest matter, as a class that does not exist is.
    matches: signal('NoMatchingVolume'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a storage claim no PersistentVolume satisfies',
    },
  },
  {
    matches: signal('TargetPortMismatch'),
    verdict: { systemLevel: 'Virtualization', faultType: 'Misconfiguration', label: 'a misrouted Service' },
  },
  {
    matches: (ev) => ev.signal === 'ScaledToZero' && ev.severity === 'critical',
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
      label: 'a workload scaled to zero',
    },
  },
  {
    matches: signal('NodeSelectorUnsatisfiable'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Dependency Problem',
      label: 'pods that require a node that does not exist',
    },
  },
  {
    matches: signal('PVCPending', 'PVCLost'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
      label: 'storage claims that cannot bind',
    },
  },
  {
    matches: signal('WrongBinary'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Network/Storage Issue',
      label: "a container running another workload's binary",
    },
  },
  {
    matches: (ev) =>
      ev.signal === 'TlsRequired' ||
      logSays(/SSLHandshakeFailed|only allow SSL|tls handshake|x509|certificate/i)(ev),
    family: 'log-classification',
    withoutLogs: signal('TlsRequired'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      label: 'a TLS mismatch between a database and its clients',
    },
  },
  {
    matches: logSays(/UserNotFound|could not find user|user .* (?:does not exist|not found)/i),
    family: 'log-classification',
    verdict: {
      systemLevel: 'Application',
      faultType: 'Network/Storage Issue',
      label: 'a database user that no longer exists',
    },
  },
  {
    matches: logSays(/not authori[sz]ed|Unauthorized|permission denied|access denied/i),
    family: 'log-classification',
    verdict: {
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
      label: 'revoked database permissions',
    },
  },
  {
    matches: signal('AuthErrors'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Authentication Issue',
      label: 'failing authentication',
    },
  },
  {
    matches: signal('ImagePullBackOff', 'ContainerConfigError'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Misconfiguration',
      label: 'a pod that cannot start',
    },
  },
  {
    matches: (ev) =>
      (ev.signal === 'RolloutStuck' || ev.signal === 'CrashLoopBackOff') && revisionAfterFirst(ev),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      label: 'a new revision that crashes',
    },
  },
  {
    matches: signal('CrashLoopBackOff', 'RolloutStuck'),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      label: 'a crash-looping container',
    },
  },
  {
    matches: signal('OOMKilled', 'MemoryHigh'),
    verdict: { systemLevel: 'Application', faultType: 'Code Defect', label: 'memory exhaustion' },
  },
  {
    matches: signal('ContainerRestarted', 'PodFailed', 'Evicted', 'NodeNotReady', 'NodeUnschedulable'),
    verdict: {
      systemLevel: 'Virtualization',
      faultType: 'Operation Error',
      label: 'containers killed or restarted',
    },
  },
  {
    matches: signal('PodPending', 'FailedScheduling'),
    verdict: { systemLevel: 'Virtualization', faultType: 'Dependency Problem', label: 'unschedulable pods' },
  },
  {
    matches: signal('LatencyHigh', 'PeerLatency', 'TraceEdgeLatency'),
    verdict: { systemLevel: 'Application', faultType: 'Network/Storage Issue', label: 'slow responses' },
  },
];

const DEFAULT: FaultClass = {
  systemLevel: 'Application',
  faultType: 'Code Defect',
  label: 'failing requests',
};

export interface ClassifyOptions {
  disable?: readonly RuleFamily[];
  hints?: readonly GuidanceHint[];
}

/** A `classify` hint applies when the evidence shows all its signals and, if it has one, its log pattern. */
function hintMatch(
  hint: Extract<GuidanceHint, { kind: 'classify' }>,
  own: readonly Evidence[],
): Evidence | undefined {
  const seen = new Set(own.map((ev) => ev.signal));
  if (!hint.signals.every((s) => seen.has(s))) return undefined;
  const pattern = hint.logPattern === undefined ? undefined : new RegExp(hint.logPattern, 'i');
  return own.find((ev) => hint.signals.includes(ev.signal) && (!pattern || pattern.test(text(ev))));
}

/**
 * Learned hints first (they are more specific than the table), then the first rule any of the evidence
 * matches, with the evidence that decided it.
 */
export function classify(
  own: readonly Evidence[],
  options: ClassifyOptions = {},
): { verdict: FaultClass; because?: Evidence; hint?: GuidanceHint } {
  for (const hint of options.hints ?? []) {
    if (hint.kind !== 'classify') continue;
    const because = hintMatch(hint, own);
    if (because)
      return {
        verdict: {
          systemLevel: hint.systemLevel,
          faultType: hint.faultType,
          label: hint.label ?? `${hint.faultType.toLowerCase()} (from guidance)`,
        },
        because,
        hint,
      };
  }
  const disabled = new Set(options.disable ?? []);
  for (const rule of RULES) {
    const off = rule.family !== undefined && disabled.has(rule.family);
    const matches = off ? rule.withoutLogs : rule.matches;
    if (!matches) continue;
    const because = own.find(matches);
    if (because) return { verdict: rule.verdict, because };
  }
  return { verdict: DEFAULT };
}
