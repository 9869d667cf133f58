import type { ActionProposal, ServicePortPatch } from './actions.js';
import type { Evidence } from './evidence.js';

/**
 * The targetPort a Service port has now, as the evidence the action cites recorded it (the observer's
 * TargetPortMismatch carries `port` and `targetPort`); undefined when no cited item says.
 */
function targetPortBefore(
  a: Extract<ActionProposal, { kind: 'patchService' }>,
  port: ServicePortPatch,
  evidence: readonly Evidence[],
): string | undefined {
  const cited = new Set(a.evidence);
  for (const ev of evidence) {
    const attrs = ev.attributes;
    if (!cited.has(ev.id) || attrs?.['targetPort'] === undefined) continue;
    if (attrs['service'] !== undefined && attrs['service'] !== a.name) continue;
    if (attrs['port'] === port.port) return String(attrs['targetPort']);
  }
  return undefined;
}

/** `port 9090: targetPort 9999 → 9090`: before → after, or `→ 9090` alone when the value now is unknown. */
function portChange(
  a: Extract<ActionProposal, { kind: 'patchService' }>,
  evidence: readonly Evidence[],
): string {
  return a.ports
    .map((p) => {
      const before = targetPortBefore(a, p, evidence);
      return `port ${p.port}: targetPort ${before === undefined ? '' : `${before} `}→ ${String(p.targetPort)}`;
    })
    .join(', ');
}

/**
 * One line saying what an action does. `full` (diagnose's text and Markdown) includes the values it sets;
 * `brief` (the TUI's 80-column lists) leaves long values out. `evidence` (the items the action may cite) gives
 * the values it replaces, where the observer recorded them.
 */
export function describeAction(
  a: ActionProposal,
  style: 'full' | 'brief' = 'full',
  evidence: readonly Evidence[] = [],
): string {
  const full = style === 'full';
  if (a.kind === 'kubectl') return `kubectl ${a.argv.join(' ')}`;
  if (a.kind === 'releaseVolume')
    return full
      ? `release volume ${a.name} from the deleted claim ${a.claimNamespace}/${a.claim}`
      : `release volume ${a.name} (claim ${a.claimNamespace}/${a.claim})`;
  const at = `${a.namespace}/${a.name}`;
  switch (a.kind) {
    case 'scaleDeployment':
      return `scale deployment ${at} to ${a.replicas}`;
    case 'patchService':
      // The TUI's 80 columns keep only the value set (`→ 9090`); never `9090→9090`, which reads as before → after.
      return full
        ? `patch service ${at} ${portChange(a, evidence)}`
        : `patch service ${at} → ${a.ports.map((p) => String(p.targetPort)).join(',')}`;
    case 'setCommand':
      return full
        ? `set command of ${at} container ${a.container} to ${JSON.stringify(a.command)}`
        : `set command of ${at}/${a.container}`;
    case 'setImage':
      return full
        ? `set image of ${at} container ${a.container} to ${a.image}`
        : `set image of ${at}/${a.container} to ${a.image}`;
    case 'patchNodeSelector':
      return full
        ? `patch nodeSelector of ${at}: ${JSON.stringify(a.nodeSelector)}`
        : `patch nodeSelector of ${at}`;
    case 'rollbackDeployment':
      return `roll back deployment ${at}${a.toRevision ? (full ? ` to revision ${a.toRevision}` : ` to r${a.toRevision}`) : ''}`;
    case 'rolloutRestart':
      return `restart ${a.workload.toLowerCase()} ${at}`;
    case 'setConfigValue':
      return full
        ? `set ${a.path.join('.')} = ${JSON.stringify(a.value)} in configmap ${at} key ${a.key}`
        : `set ${a.path.join('.')} in configmap ${at}`;
    case 'deletePod':
      return `delete pod ${at}`;
    case 'setEnv':
      return full
        ? `set env of ${at} container ${a.container}: ${Object.keys(a.env).join(', ')}`
        : `set env of ${at}/${a.container}`;
    case 'setResources':
      return full
        ? `set resources of ${at} container ${a.container}: ${resourceText(a)}`
        : `set resources of ${at}/${a.container}`;
    case 'setProbe':
      return full
        ? `set ${a.probe} probe of ${at} container ${a.container}: ${probeText(a)}`
        : `set ${a.probe} probe of ${at}/${a.container}`;
  }
}

function resourceText(a: Extract<ActionProposal, { kind: 'setResources' }>): string {
  const part = (section: 'limits' | 'requests') =>
    Object.entries(a[section] ?? {}).map(([resource, value]) => `${section}.${resource}=${value}`);
  return [...part('limits'), ...part('requests')].join(' ');
}

function probeText(a: Extract<ActionProposal, { kind: 'setProbe' }>): string {
  const fields = [
    'port',
    'path',
    'initialDelaySeconds',
    'periodSeconds',
    'timeoutSeconds',
    'failureThreshold',
  ] as const;
  return fields
    .filter((f) => a[f] !== undefined)
    .map((f) => `${f}=${String(a[f])}`)
    .join(' ');
}
