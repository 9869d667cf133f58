import type { JsonObject } from '../api/json.js';
import { isJsonObject } from '../api/json.js';
import type { ResourceType } from '../api/resources.js';
import { defaultPodSpec } from '../controller/pod-template.js';
import type { PodTemplate } from '../model.js';

/** The defaults a real API server fills in on create, so objects read back as they would from a cluster. */
export function applyCreateDefaults(
  type: ResourceType,
  obj: JsonObject,
  allocateServiceIP: () => string,
): void {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : undefined;
  switch (type.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet': {
      if (!spec) return;
      spec['replicas'] ??= 1;
      if (type.kind === 'Deployment') {
        spec['strategy'] ??= {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        };
        spec['revisionHistoryLimit'] ??= 10;
        spec['progressDeadlineSeconds'] ??= 600;
      }
      if (type.kind === 'StatefulSet') {
        spec['podManagementPolicy'] ??= 'OrderedReady';
        spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
        spec['revisionHistoryLimit'] ??= 10;
      }
      const template = spec['template'];
      if (isJsonObject(template) && isJsonObject(template['spec'])) {
        template['metadata'] ??= {};
        defaultPodSpec(template as unknown as PodTemplate);
      }
      obj['status'] = {};
      return;
    }
    case 'Pod': {
      if (!spec) return;
      defaultPodSpec({ metadata: {}, spec } as unknown as PodTemplate);
      spec['serviceAccountName'] ??= 'default';
      obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
      return;
    }
    case 'Service': {
      if (!spec) return;
      spec['type'] ??= 'ClusterIP';
      spec['sessionAffinity'] ??= 'None';
      if (spec['type'] !== 'ExternalName' && !spec['clusterIP']) {
        const ip = allocateServiceIP();
        spec['clusterIP'] = ip;
        spec['clusterIPs'] = [ip];
      }
      const ports = spec['ports'];
      if (Array.isArray(ports)) {
        for (const p of ports) {
          if (!isJsonObject(p)) continue;
          p['protocol'] ??= 'TCP';
          p['targetPort'] ??= p['port'] ?? null;
        }
      }
      obj['status'] = { loadBalancer: {} };
      return;
    }
    case 'Namespace':
      obj['spec'] = { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active' };
      return;
    case 'PersistentVolumeClaim':
      obj['status'] = { phase: 'Pending' };
      return;
    default:
      return;
  }
}
