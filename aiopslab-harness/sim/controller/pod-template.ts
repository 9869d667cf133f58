import type { JsonObject } from '../api/json.js';
import { cloneJson } from '../api/json.js';
import type { Container, PodTemplate } from '../model.js';
import { asJson } from '../model.js';

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function defaultContainer(container: Container): void {
  const tag = container.image.includes(':')
    ? container.image.slice(container.image.lastIndexOf(':') + 1)
    : 'latest';
  container.imagePullPolicy ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  const c = container as unknown as JsonObject;
  c['resources'] ??= {};
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
}

function qosClass(containers: Container[]): string {
  const all = containers.map((c) => c.resources ?? {});
  const none = all.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length);
  if (none) return 'BestEffort';
  const guaranteed = all.every(
    (r) =>
      r.limits?.['cpu'] &&
      r.limits['memory'] &&
      (r.requests?.['cpu'] ?? r.limits['cpu']) === r.limits['cpu'] &&
      (r.requests?.['memory'] ?? r.limits['memory']) === r.limits['memory'],
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Fills the defaults an API server adds to a pod template, so the spec reads like a real one. */
export function defaultPodSpec(template: PodTemplate): void {
  const spec = template.spec;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  const s = spec as unknown as JsonObject;
  s['dnsPolicy'] ??= 'ClusterFirst';
  s['securityContext'] ??= {};
  spec.containers.forEach(defaultContainer);
  spec.initContainers?.forEach(defaultContainer);
}

/** A new pod of a controller, as the ReplicaSet or StatefulSet controller would create it. */
export function podFromTemplate(
  template: PodTemplate,
  owner: OwnerRef,
  namespace: string,
  name: string,
  extraLabels: Record<string, string> = {},
): JsonObject {
  const spec = cloneJson(asJson(template.spec));
  const pod = {
    metadata: {
      name,
      generateName: owner.kind === 'ReplicaSet' ? `${owner.name}-` : undefined,
      namespace,
      labels: { ...(template.metadata.labels ?? {}), ...extraLabels },
      annotations: template.metadata.annotations ? { ...template.metadata.annotations } : undefined,
      ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...spec,
      serviceAccountName: (spec['serviceAccountName'] as string | undefined) ?? 'default',
      serviceAccount: (spec['serviceAccountName'] as string | undefined) ?? 'default',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        ...((spec['tolerations'] as JsonObject[] | undefined) ?? []),
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
      ],
    },
    status: { phase: 'Pending', qosClass: qosClass(template.spec.containers) },
  };
  return JSON.parse(JSON.stringify(pod)) as JsonObject;
}
