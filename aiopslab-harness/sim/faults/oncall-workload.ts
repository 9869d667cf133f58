/**
 * The on-call catalog's workload faults (docs/oncall-catalog.md): a manifest change an operator makes, as
 * `kubectl apply` of an edited Deployment (a new object: every pod is affected, no revision to go back to)
 * or `kubectl set`/`patch` (a rollout: the old ReplicaSet stays, so `kubectl rollout undo` is a fix).
 * The kubelet, the probe model and the memory model derive every symptom; each comment names the fix.
 */
import type { Container, Deployment } from '../model.js';
import { parseMemory } from '../model.js';
import { mebibytes, memoryNeedBytes } from '../memory.js';
import { R } from './topology.js';
import type { FaultSpec, Injector } from './util.js';
import { componentOf, faultError, param, patchDeployment, reapplyDeployment, targetOf } from './util.js';
import type { SimCluster } from '../cluster.js';

function mainOf(d: Deployment, containerName: string): Container {
  const c = d.spec.template.spec.containers.find((x) => x.name === containerName);
  if (!c) throw faultError(`deployment ${d.metadata.name} has no container ${containerName}`);
  return c;
}

/** `params.via: rollout` patches the Deployment (a new revision); `apply` re-creates it. */
function change(cluster: SimCluster, namespace: string, fault: FaultSpec, edit: (d: Deployment) => void) {
  const via = param(fault, 'via') ?? 'apply';
  if (via !== 'apply' && via !== 'rollout') throw faultError(`${fault.kind}: via is apply or rollout`);
  (via === 'apply' ? reapplyDeployment : patchDeployment)(cluster, namespace, targetOf(fault), edit);
}

/**
 * The memory limit is set below the app's working set (`params.ratio` of it, default 0.6): each start ends
 * in OOMKilled (exit 137), then CrashLoopBackOff. Fix: raise the limit above the working set (2× does).
 */
export const oomKilled: Injector = (cluster, namespace, fault) => {
  const component = componentOf(cluster, namespace, targetOf(fault));
  const ratio = Number(param(fault, 'ratio') ?? 0.6);
  if (!(ratio > 0 && ratio < 1)) throw faultError('oom_killed: ratio is between 0 and 1');
  const limit = mebibytes(memoryNeedBytes(component) * ratio);
  change(cluster, namespace, fault, (d) => {
    const c = mainOf(d, component.containerName);
    const resources = (c.resources ??= {});
    resources.limits = { ...(resources.limits ?? {}), memory: limit };
    const request = resources.requests?.['memory'];
    // The API server refuses a request above its limit, so an operator's edit lowers both.
    if (request !== undefined && parseMemory(request) > parseMemory(limit))
      resources.requests = { ...resources.requests, memory: limit };
  });
};

/** The probe an operator adds, pointing at a port the container does not listen on (`mode: port`) or a path it does not serve (`mode: path`). */
function badProbe(cluster: SimCluster, namespace: string, fault: FaultSpec): Record<string, unknown> {
  const component = componentOf(cluster, namespace, targetOf(fault));
  const port = component.ports[0]?.containerPort;
  if (port === undefined) throw faultError(`${fault.kind}: ${component.name} listens on no port`);
  const mode = param(fault, 'mode') ?? 'port';
  const timing = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
  if (mode === 'port') return { tcpSocket: { port: Number(param(fault, 'port') ?? port + 1) }, ...timing };
  if (mode === 'path')
    return { httpGet: { path: param(fault, 'path') ?? '/healthcheck', port, scheme: 'HTTP' }, ...timing };
  throw faultError(`${fault.kind}: mode is port or path`);
}

/**
 * A liveness probe that never passes: `Unhealthy` events, the kubelet kills the container after
 * failureThreshold failures, restarts with back-off. Fix: point the probe at the port the container
 * listens on (mode port), or a served path (mode path).
 */
export const livenessProbeFailure: Injector = (cluster, namespace, fault) => {
  const probe = badProbe(cluster, namespace, fault);
  const name = componentOf(cluster, namespace, targetOf(fault)).containerName;
  change(cluster, namespace, fault, (d) => {
    mainOf(d, name).livenessProbe = probe as Container['livenessProbe'] & object;
  });
};

/**
 * A readiness probe that never passes: pods run but stay unready, the endpoints controller lists them as
 * not ready, callers are refused. Fix: point the probe at the served port or path.
 */
export const readinessProbeFailure: Injector = (cluster, namespace, fault) => {
  const probe = badProbe(cluster, namespace, fault);
  const name = componentOf(cluster, namespace, targetOf(fault)).containerName;
  change(cluster, namespace, fault, (d) => {
    mainOf(d, name).readinessProbe = probe as Container['readinessProbe'] & object;
  });
};

/**
 * The container's env references a ConfigMap (`ref: configmap`, default), a Secret (`ref: secret`) that does
 * not exist, or a key a ConfigMap lacks (`ref: key`): the kubelet refuses to create the container
 * (CreateContainerConfigError). Default via rollout: the old pod keeps serving and the rollout is stuck.
 * Fix: `kubectl rollout undo`, or create the missing object or key.
 */
export const missingConfigRef: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const name = componentOf(cluster, namespace, target).containerName;
  const ref = param(fault, 'ref') ?? 'configmap';
  const object = param(fault, 'name') ?? `${target}-settings`;
  const key = param(fault, 'key') ?? 'LOG_LEVEL';
  if (ref === 'key')
    cluster.store.create(R.configmaps, {
      metadata: { name: object, namespace },
      data: { [`${key.toLowerCase()}`]: 'info' },
    });
  const valueFrom =
    ref === 'secret'
      ? { secretKeyRef: { name: object, key } }
      : ref === 'configmap' || ref === 'key'
        ? { configMapKeyRef: { name: object, key } }
        : undefined;
  if (!valueFrom) throw faultError('missing_config_ref: ref is configmap, secret or key');
  change(cluster, namespace, { ...fault, params: { via: 'rollout', ...fault.params } }, (d) => {
    const c = mainOf(d, name);
    c.env = [...(c.env ?? []).filter((e) => e.name !== key), { name: key, valueFrom }];
  });
};

/**
 * `kubectl set image` to a tag the registry does not have: the new pod is ErrImagePull/ImagePullBackOff, the
 * rollout stalls with the old pod serving. Fix: `kubectl rollout undo` (or a tag that exists).
 */
export const badImageRollout: Injector = (cluster, namespace, fault) => {
  const component = componentOf(cluster, namespace, targetOf(fault));
  const repository = component.image.replace(/:[^/:]*$/, '');
  const tag = param(fault, 'tag') ?? '2.0.0-rc1';
  change(cluster, namespace, { ...fault, params: { via: 'rollout', ...fault.params } }, (d) => {
    mainOf(d, component.containerName).image = `${repository}:${tag}`;
  });
};

/**
 * An init container that checks a dependency before the app starts, pointed at a host that does not exist:
 * it exits 1 (Init:Error), is restarted with back-off (Init:CrashLoopBackOff), the app container never
 * starts. Default via rollout. Fix: `kubectl rollout undo`, or point the check at the right host.
 */
export const initContainerFailure: Injector = (cluster, namespace, fault) => {
  const component = componentOf(cluster, namespace, targetOf(fault));
  const dependency = component.calls.find((c) => c.startsWith('mongodb') || c.includes('mongo')) ?? 'db';
  const host = param(fault, 'host') ?? `${dependency}-primary`;
  const port = Number(param(fault, 'port') ?? 27017);
  change(cluster, namespace, { ...fault, params: { via: 'rollout', ...fault.params } }, (d) => {
    d.spec.template.spec.initContainers = [
      {
        name: 'wait-for-db',
        image: 'busybox:1.36',
        command: ['sh', '-c', `nc -z -w 5 ${host} ${port}`],
      },
    ];
  });
};
