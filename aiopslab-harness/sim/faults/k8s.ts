/**
 * Faults made of ordinary Kubernetes object changes, as AIOpsLab's virtualization and application injectors
 * make them. Each comment names the operator's fix, which the health model and kubelet then follow.
 */
import type { Service } from '../model.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { componentOf, faultError, param, patchDeployment, reapplyDeployment, targetOf } from './util.js';

/**
 * The Service's targetPort moves (9090 → 9999 for social-network; `params.port` otherwise): endpoints now
 * point at a port nothing listens on, pods stay Running/Ready, callers get connection refused.
 * Fix: patch the Service's targetPort back.
 */
export const misconfigTargetPort: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const to = Number(param(fault, 'port') ?? 9999);
  const from = param(fault, 'from');
  const found = cluster.store.mutate(R.services, namespace, target, (json) => {
    const svc = json as unknown as Service;
    const ports = svc.spec.ports ?? [];
    const port =
      ports.find((p) => String(p.targetPort ?? p.port) === (from ?? '9090')) ??
      (from === undefined ? ports[0] : undefined);
    if (!port) throw faultError(`service ${target} has no targetPort ${from ?? 9090}`);
    port.targetPort = to;
  });
  if (!found) throw faultError(`service ${namespace}/${target} not found`);
};

/** `kubectl scale deployment <target> --replicas=0`: no pod, no endpoint. Fix: scale back to 1. */
export const scalePodsToZero: Injector = (cluster, namespace, fault) => {
  const replicas = Number(param(fault, 'replicas') ?? 0);
  patchDeployment(cluster, namespace, targetOf(fault), (d) => {
    d.spec.replicas = replicas;
  });
};

/**
 * The Deployment is deleted and re-applied with nodeSelector kubernetes.io/hostname=extra-node: its pod stays
 * Pending (FailedScheduling), the Service has no endpoints. Fix: remove the nodeSelector.
 */
export const assignToNonExistentNode: Injector = (cluster, namespace, fault) => {
  const node = param(fault, 'node') ?? 'extra-node';
  reapplyDeployment(cluster, namespace, targetOf(fault), (d) => {
    d.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': node };
  });
};

/**
 * The Deployment is deleted and re-applied with its container running another service's binary (profile
 * runs `geo`): the pod is Running, prints geo's start-up, listens on geo's port; callers are refused.
 * Fix: set the command back to the target's own binary.
 */
export const wrongBinUsage: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const own = componentOf(cluster, namespace, target).command?.[0] ?? target;
  const binary = param(fault, 'binary') ?? 'geo';
  reapplyDeployment(cluster, namespace, target, (d) => {
    for (const c of d.spec.template.spec.containers) if (c.command?.includes(own)) c.command = [binary];
  });
};

/** The images AIOpsLab ships with a broken built-in config (geo's points at its database on a wrong port). */
const BUGGY_IMAGES: Record<string, string> = { geo: 'yinfangchen/geo:app3' };

/**
 * The target's image is switched to one whose baked-in config dials its MongoDB at a wrong port: the new
 * ReplicaSet's pod panics with "no reachable servers" and crash-loops. Fix: set the image back.
 */
export const misconfigApp: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const image = param(fault, 'image') ?? BUGGY_IMAGES[target];
  if (!image)
    throw faultError(`misconfig_app: AIOpsLab has a misconfigured image for geo only, not ${target}`);
  const container = componentOf(cluster, namespace, target).containerName;
  patchDeployment(cluster, namespace, target, (d) => {
    for (const c of d.spec.template.spec.containers) if (c.name === container) c.image = image;
  });
};
