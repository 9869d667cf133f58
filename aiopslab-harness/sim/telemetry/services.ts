/**
 * The Services that front the simulated telemetry in the cluster, labelled as their Helm charts label them
 * (AIOpsLab installs Prometheus as `prometheus-server` in `observe`). They select no pods: the API server's
 * service proxy answers for them from the telemetry APIs (server/service-proxy.ts).
 */
import type { JsonObject } from '../api/json.js';

export const TELEMETRY_NAMESPACE = 'observe';

function service(
  name: string,
  labels: Record<string, string>,
  port: JsonObject,
  clusterIP: string,
): JsonObject {
  return {
    metadata: { name, labels },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      ports: [{ protocol: 'TCP', ...port }],
    },
    status: { loadBalancer: {} },
  };
}

/** `prometheus-server` (port 80 → 9090, named http) and `jaeger-query` (16686, named http-query). */
export function telemetryServices(allocateIP: () => string): JsonObject[] {
  return [
    service(
      'prometheus-server',
      {
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/component': 'server',
        'app.kubernetes.io/instance': 'prometheus',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/part-of': 'prometheus',
        'helm.sh/chart': 'prometheus-25.27.0',
      },
      { name: 'http', port: 80, targetPort: 9090 },
      allocateIP(),
    ),
    service(
      'jaeger-query',
      {
        'app.kubernetes.io/name': 'jaeger',
        'app.kubernetes.io/component': 'query',
        'app.kubernetes.io/instance': 'jaeger',
        'app.kubernetes.io/managed-by': 'Helm',
      },
      { name: 'http-query', port: 16686, targetPort: 16686 },
      allocateIP(),
    ),
  ];
}
