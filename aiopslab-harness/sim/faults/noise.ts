/**
 * Benign distractors: things a healthy cluster shows that an agent must not mistake for the incident. Each
 * leaves the health model all ok, no pod Pending and none in CrashLoopBackOff.
 */
import type { AppSpec } from '../apps/types.js';
import type { SimCluster } from '../cluster.js';
import type { Pod } from '../model.js';
import type { Dialect } from './topology.js';
import { R, dialectOf, isPodReady, podsOf } from './topology.js';
import { appIn, faultError, rolloutRestart } from './util.js';
import { createAutoscaler, setCpuResources } from './autoscaler.js';
import { healthyBatch } from './batch.js';

export const NOISE_KINDS = [
  'benign_error_logs',
  'completed_job',
  'recent_rollout',
  'restarted_once',
  'healthy_batch',
  'healthy_autoscaler',
] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** Which healthy component each distractor picks, by app (first present wins, else any service). */
const PICKS: Record<NoiseKind, string[]> = {
  benign_error_logs: ['frontend', 'compose-post-service', 'currency'],
  completed_job: [],
  recent_rollout: ['recommendation', 'media-service', 'quote'],
  restarted_once: ['reservation', 'unique-id-service', 'shipping'],
  healthy_batch: [],
  healthy_autoscaler: ['frontend', 'nginx-thrift'],
};

const BENIGN_LINES: Record<Dialect, string[]> = {
  'go-grpc': [
    '{time} ERR services/frontend/server.go:81 > http: superfluous response.WriteHeader call from main.(*Server).searchHandler (server.go:146)',
    '{time} ERR services/frontend/server.go:64 > open static/favicon.ico: no such file or directory',
  ],
  thrift: [
    '[{time}] <error>: (ComposePostHandler.h:238:ComposePost) Ignoring empty media_types list in request',
    '[{time}] <error>: (utils.h:61:LoadConfigFile) Unknown key "keepalive_ms" in service-config.json, ignored',
  ],
  otel: [
    '{time} ERROR [currency] exchange rate for XBT not found in the static table, skipping',
    '{time} ERROR [currency] failed to export metrics: context deadline exceeded (will retry)',
  ],
  generic: ['{time} ERROR deprecated config key "timeout" ignored', '{time} ERROR retrying cache warm-up'],
};

function pick(app: AppSpec, kind: NoiseKind): string {
  const found = PICKS[kind].find((name) => app.components.some((c) => c.name === name));
  const fallback = app.components.find((c) => c.role === 'service') ?? app.components[0];
  const name = found ?? fallback?.name;
  if (!name) throw faultError(`app ${app.name} has no component to add ${kind} noise to`);
  return name;
}

function healthyPod(cluster: SimCluster, namespace: string, app: AppSpec, component: string): Pod {
  const pod = podsOf(cluster.world, namespace, app, component).find(isPodReady);
  if (!pod) throw faultError(`no ready pod of ${component} for noise`);
  return pod;
}

/** The app's entry point, for the load generator's URL. */
function entryUrl(app: AppSpec): string {
  const front = app.components.find((c) => c.role === 'frontend' && c.ports.length > 0);
  return front ? `http://${front.name}:${front.ports[0]!.port}` : 'http://localhost:8080';
}

export function injectNoise(cluster: SimCluster, namespace: string, kind: string): void {
  const { app } = appIn(cluster, namespace);
  const now = cluster.clock.now();
  switch (kind as NoiseKind) {
    case 'benign_error_logs': {
      // A healthy service prints a few ERROR lines over the next minutes that mean nothing.
      const component = pick(app, 'benign_error_logs');
      const pod = healthyPod(cluster, namespace, app, component);
      const container = pod.spec.containers[0]!.name;
      BENIGN_LINES[dialectOf(app)].forEach((text, i) => {
        for (const offset of [20_000, 140_000]) {
          cluster.logs.append(pod.metadata.uid, container, { at: now + offset + i * 37_000, text });
        }
      });
      break;
    }
    case 'completed_job': {
      // The workload generator's Job pod: ran, printed its report, Completed.
      cluster.store.create(R.pods, {
        metadata: {
          generateName: 'wrk2-job-',
          namespace,
          labels: { 'job-name': 'wrk2-job', 'batch.kubernetes.io/job-name': 'wrk2-job' },
        },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'wrk2',
              image: 'deathstarbench/wrk2-client:latest',
              command: [
                'wrk',
                '-D',
                'exp',
                '-t',
                '2',
                '-c',
                '2',
                '-d',
                '10s',
                '-L',
                entryUrl(app),
                '-R',
                '100',
              ],
              resources: { requests: { cpu: '100m' } },
            },
          ],
        },
        status: { phase: 'Pending' },
      });
      break;
    }
    case 'recent_rollout':
      rolloutRestart(cluster, namespace, pick(app, 'recent_rollout'));
      break;
    case 'restarted_once': {
      // One container exited once (exit 2) and came straight back; it has been fine since.
      const component = pick(app, 'restarted_once');
      const pod = healthyPod(cluster, namespace, app, component);
      cluster.controllers.kubelet.killContainer(namespace, pod.metadata.name, pod.spec.containers[0]!.name, {
        exitCode: 2,
      });
      break;
    }
    case 'healthy_batch':
      // A migration Job that completes and a CronJob whose runs complete on time.
      healthyBatch(cluster, namespace);
      break;
    case 'healthy_autoscaler': {
      // An HPA that works: CPU requests on its target (`kubectl set resources` where it had none) and room to
      // grow; at the steady workload it stays at its minimum with ScalingLimited False.
      const spec = app.components.find((c) => c.name === pick(app, 'healthy_autoscaler'))!;
      if (!spec.resources?.requests?.cpu) setCpuResources(cluster, namespace, spec, '200m', '300m');
      createAutoscaler(cluster, namespace, spec.name, { minReplicas: 1, maxReplicas: 4, cpuPercent: 60 });
      break;
    }
    default:
      throw faultError(`unknown noise kind "${kind}" (known: ${NOISE_KINDS.join(', ')})`);
  }
  cluster.reconcile();
}
