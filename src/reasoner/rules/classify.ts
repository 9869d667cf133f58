/**
 * Root cause in AIOpsLab's vocabularies (system level, fault type) from the root component's own evidence.
 * The table is knowledge about what signals mean, ordered most decisive first; it names no service.
 */
import type { FaultType, SystemLevel } from '../../core/aiopslab.js';
import type { Evidence } from '../../core/evidence.js';

export interface FaultClass {
  systemLevel: SystemLevel;
  faultType: FaultType;
  /** One phrase for the summary: what kind of fault this is. */
  label: string;
}

interface Rule {
  matches: (ev: Evidence) => boolean;
  verdict: FaultClass;
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
    verdict: {
      systemLevel: 'Application',
      faultType: 'Misconfiguration',
      label: 'a TLS mismatch between a database and its clients',
    },
  },
  {
    matches: logSays(/UserNotFound|could not find user|user .* (?:does not exist|not found)/i),
    verdict: {
      systemLevel: 'Application',
      faultType: 'Network/Storage Issue',
      label: 'a database user that no longer exists',
    },
  },
  {
    matches: logSays(/not authori[sz]ed|Unauthorized|permission denied|access denied/i),
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
    matches: signal('LatencyHigh', 'PeerLatency'),
    verdict: { systemLevel: 'Application', faultType: 'Network/Storage Issue', label: 'slow responses' },
  },
];

const DEFAULT: FaultClass = {
  systemLevel: 'Application',
  faultType: 'Code Defect',
  label: 'failing requests',
};

/** The first rule any of the evidence matches, with the evidence that decided it. */
export function classify(own: readonly Evidence[]): { verdict: FaultClass; because?: Evidence } {
  for (const rule of RULES) {
    const because = own.find(rule.matches);
    if (because) return { verdict: rule.verdict, because };
  }
  return { verdict: DEFAULT };
}
