/**
 * Where a diagnosis starts: the object an alert names (its labels) or a kubectl-style target
 * (`deploy/frontend`, `pod/x`). The observation still covers the whole namespace; the focus only decides
 * which evidence ranks first.
 */
import type { FocusKind as FocusKindType } from '../core/trigger.js';
import { Focus, FocusKind } from '../core/trigger.js';
import { AoiError } from '../core/errors.js';
import type { Alert } from './alertmanager.js';

export { Focus, FocusKind };

/** The alert labels that name an object, most specific workload first (kube-state-metrics' label names). */
const LABEL_KINDS: [string, FocusKindType][] = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['pod', 'Pod'],
  ['service', 'Service'],
  ['job_name', 'Job'],
  ['job', 'Job'],
];

export function focusOfAlert(alert: Alert): Focus {
  const l = alert.labels;
  const named = LABEL_KINDS.find(([label]) => (l[label] ?? '') !== '');
  return Focus.parse({
    ...(l['namespace'] ? { namespace: l['namespace'] } : {}),
    ...(named ? { kind: named[1], name: l[named[0]] } : {}),
    ...(l['container'] ? { container: l['container'] } : {}),
    ...(l['severity'] ? { severity: l['severity'] } : {}),
    ...(l['alertname'] ? { alertname: l['alertname'] } : {}),
  });
}

/** kubectl's names and short names for the kinds a question can start from. */
const TARGET_KINDS: Record<string, FocusKindType> = {
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  po: 'Pod',
  pod: 'Pod',
  pods: 'Pod',
  svc: 'Service',
  service: 'Service',
  services: 'Service',
  job: 'Job',
  jobs: 'Job',
};

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `deploy/frontend` → a focus on Deployment frontend. */
export function parseTarget(text: string): Focus {
  const [kind, name, extra] = text.split('/');
  const focusKind = TARGET_KINDS[(kind ?? '').toLowerCase()];
  if (focusKind === undefined || name === undefined || extra !== undefined || !DNS_NAME.test(name))
    throw new AoiError('usage', `cannot diagnose '${text}': expected KIND/NAME`, {
      hint: 'e.g. aoi diagnose deploy/frontend -n shop (kinds: deploy, sts, pod, svc, job)',
    });
  return { kind: focusKind, name };
}

/**
 * The component names evidence may carry for the focus: the object's own name, and for a pod the workload
 * that owns it (a ReplicaSet pod `web-7d9f8c6b5-abcde` or a StatefulSet pod `db-0`).
 */
export function focusComponents(focus: Focus): string[] {
  if (focus.name === undefined) return [];
  if (focus.kind !== 'Pod') return [focus.name];
  const owner =
    /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(focus.name)?.[1] ?? /^(.+)-\d+$/.exec(focus.name)?.[1];
  return owner === undefined ? [focus.name] : [focus.name, owner];
}

/** `Deployment/frontend`, for messages. */
export function describeFocus(focus: Focus): string {
  if (focus.name === undefined) return focus.namespace ? `namespace ${focus.namespace}` : 'the cluster';
  return `${focus.kind ?? 'object'}/${focus.name}${focus.container ? ` (container ${focus.container})` : ''}`;
}
