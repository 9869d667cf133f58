import type { ActionProposal } from './actions.js';

/**
 * One line saying what an action does. `full` (diagnose's text and Markdown) includes the values it sets;
 * `brief` (the TUI's 80-column lists) leaves long values out.
 */
export function describeAction(a: ActionProposal, style: 'full' | 'brief' = 'full'): string {
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
      return `patch service ${at}: ${a.ports.map((p) => `${p.port}→${String(p.targetPort)}`).join(', ')}`;
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
  }
}
