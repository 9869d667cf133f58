/**
 * Admission for pod creates, in the API server's order: LimitRanger (mutating, then validating), then
 * ResourceQuota, which runs last of the validating plugins (AllOrderedPlugins in
 * pkg/kubeapiserver/options/plugins.go). A refusal is a 403 Forbidden whose message is
 * `pods "<name>" is forbidden: <plugin error>` (admission.NewForbidden → apierrors.NewForbidden); the pod's
 * name is known by then because validating admission runs after the name is generated
 * (rest.AdmissionToValidateObjectFunc: "in case the generated name is populated").
 */
import type { Pod } from '../model.js';
import type { ObjectStore } from '../store.js';
import { admitPodToLimitRanges } from './limit-ranger.js';
import { admitPodToQuotas } from './resource-quota.js';

export interface Refusal {
  /** The whole Status message: `pods "<name>" is forbidden: <error>`. */
  message: string;
  /** Which plugin refused. */
  plugin: 'LimitRanger' | 'ResourceQuota';
}

/** Admits a pod about to be stored (mutating it with LimitRange defaults), or says why not. */
export function admitPodCreate(
  store: ObjectStore,
  namespace: string,
  pod: Pod,
  dryRun = false,
): Refusal | undefined {
  const forbidden = (error: string, plugin: Refusal['plugin']): Refusal => ({
    message: `pods "${pod.metadata.name}" is forbidden: ${error}`,
    plugin,
  });
  const limits = admitPodToLimitRanges(store, namespace, pod);
  if (limits) return forbidden(limits, 'LimitRanger');
  const quota = admitPodToQuotas(store, namespace, pod, dryRun);
  if (quota) return forbidden(quota, 'ResourceQuota');
  return undefined;
}
