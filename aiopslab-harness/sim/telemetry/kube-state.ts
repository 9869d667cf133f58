/**
 * kube-state-metrics' workload series (docs/metrics/workload/deployment-metrics.md and
 * statefulset-metrics.md): desired and available replicas per Deployment and StatefulSet, read off the
 * objects' spec and status. The store keeps no history of a status, so each value stands from the object's
 * creation to now, as the pods' own facts do (pods.ts). They have no `pod` label: kube-state-metrics serves
 * them from its own pod (here /metrics/kube-state/<namespace>), not from the app's pods.
 */
import { resourceByKind } from '../api/resources.js';
import type { JsonObject } from '../api/json.js';
import type { SimWorld } from '../runtime.js';
import type { MetricInfo, SeriesDef } from './metric-types.js';

export const KUBE_STATE_METRICS: Record<string, MetricInfo> = {
  kube_deployment_spec_replicas: { type: 'gauge', help: 'Number of desired pods for a deployment.' },
  kube_deployment_status_replicas_available: {
    type: 'gauge',
    help: 'The number of available replicas per deployment.',
  },
  kube_statefulset_replicas: { type: 'gauge', help: 'Number of desired pods for a StatefulSet.' },
  kube_statefulset_status_replicas_ready: {
    type: 'gauge',
    help: 'The number of ready replicas per StatefulSet.',
  },
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function workloadSeries(world: SimWorld, namespace: string): SeriesDef[] {
  const out: SeriesDef[] = [];
  const kinds = [
    [
      'Deployment',
      'deployment',
      'kube_deployment_spec_replicas',
      'kube_deployment_status_replicas_available',
      'availableReplicas',
    ],
    [
      'StatefulSet',
      'statefulset',
      'kube_statefulset_replicas',
      'kube_statefulset_status_replicas_ready',
      'readyReplicas',
    ],
  ] as const;
  for (const [kind, label, desired, available, field] of kinds)
    for (const json of world.store.peekAll(resourceByKind(kind), namespace)) {
      const meta = (json['metadata'] ?? {}) as JsonObject;
      const spec = (json['spec'] ?? {}) as JsonObject;
      const status = (json['status'] ?? {}) as JsonObject;
      const created = Date.parse(str(meta['creationTimestamp'])) || 0;
      const labels = { namespace, [label]: str(meta['name']) };
      const since = (v: number) => (t: number) => (t >= created ? v : undefined);
      const want = spec['replicas'] === undefined ? 1 : num(spec['replicas']);
      out.push({ labels: { __name__: desired, ...labels }, fn: since(want) });
      out.push({ labels: { __name__: available, ...labels }, fn: since(num(status[field])) });
    }
  return out;
}
