/**
 * hpa_at_max_replicas: a stateless front component gets CPU requests and limits (`kubectl set resources`) and
 * a HorizontalPodAutoscaler on CPU utilisation whose maxReplicas is too low (`params.maxReplicas`, default 2),
 * and load rises: a wrk2 load generator in the namespace sends `params.rps` (default 400) requests per second
 * to it. The HPA controller (controller/autoscaler.ts) scales to the maximum and stops there with ScalingLimited
 * True / TooManyReplicas; each pod's CPU stays at its limit, throttled, and latency rises (saturation.ts).
 *
 * Fix (a person's capacity decision): raise the HPA's maxReplicas to what the load needs (the HPA then scales
 * out and the pods fall below their limit), or take the extra load away. Restarting the pods changes nothing.
 */
import { resourceByKind } from '../api/resources.js';
import type { SimCluster } from '../cluster.js';
import type { ComponentSpec } from '../apps/types.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { componentOf, param, patchDeployment, targetOf } from './util.js';

const HPAS = resourceByKind('HorizontalPodAutoscaler');

export interface AutoscalerShape {
  minReplicas: number;
  maxReplicas: number;
  /** averageUtilization target, percent of the CPU request. */
  cpuPercent: number;
}

/** `kubectl set resources deployment/<name> --requests=cpu=… --limits=cpu=…` on its main container. */
export function setCpuResources(
  cluster: SimCluster,
  namespace: string,
  spec: ComponentSpec,
  request: string,
  limit: string,
): void {
  patchDeployment(cluster, namespace, spec.name, (d) => {
    const main = d.spec.template.spec.containers.find((c) => c.name === spec.containerName);
    const container = main ?? d.spec.template.spec.containers[0];
    if (!container) return;
    const resources = container.resources ?? {};
    container.resources = {
      ...resources,
      requests: { ...(resources.requests ?? {}), cpu: request },
      limits: { ...(resources.limits ?? {}), cpu: limit },
    };
  });
}

/** `kubectl apply` of an autoscaling/v2 HPA on a Deployment's CPU utilisation. */
export function createAutoscaler(
  cluster: SimCluster,
  namespace: string,
  target: string,
  shape: AutoscalerShape,
): void {
  cluster.store.create(HPAS, {
    metadata: { name: target, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: shape.minReplicas,
      maxReplicas: shape.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: shape.cpuPercent } },
        },
      ],
    },
  });
}

/** A wrk2 load generator Deployment sending `rps` requests per second to `target` for two hours. */
export function startLoadGenerator(
  cluster: SimCluster,
  namespace: string,
  spec: ComponentSpec,
  rps: number,
): void {
  const port = spec.ports[0]?.port ?? 80;
  const labels = { app: 'wrk2-load' };
  cluster.store.create(R.deployments, {
    metadata: { name: 'wrk2-load', namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'wrk2',
              image: 'deathstarbench/wrk2-client:latest',
              command: ['wrk', '-D', 'exp', '-t', '4', '-c', '64', '-d', '120m', '-L'],
              args: [`http://${spec.name}.${namespace}.svc.cluster.local:${port}/`, '-R', String(rps)],
              resources: { requests: { cpu: '500m' } },
            },
          ],
        },
      },
    },
  });
}

export const hpaAtMaxReplicas: Injector = (cluster, namespace, fault) => {
  const spec = componentOf(cluster, namespace, targetOf(fault));
  setCpuResources(
    cluster,
    namespace,
    spec,
    param(fault, 'cpuRequest') ?? '200m',
    param(fault, 'cpuLimit') ?? '300m',
  );
  createAutoscaler(cluster, namespace, spec.name, {
    minReplicas: Number(param(fault, 'minReplicas') ?? 1),
    maxReplicas: Number(param(fault, 'maxReplicas') ?? 2),
    cpuPercent: Number(param(fault, 'cpuPercent') ?? 60),
  });
  startLoadGenerator(cluster, namespace, spec, Number(param(fault, 'rps') ?? 400));
  cluster.reconcile();
};
