/**
 * The resource quota controller (pkg/controller/resourcequota/resource_quota_controller.go): keeps each
 * ResourceQuota's status.hard equal to its spec and recounts status.used whenever the quota changes or a pod
 * in its namespace comes, goes or ends (the replenishment the pod informer triggers). Admission reserves usage
 * the moment it admits a pod; this recount is what brings it down again after pods go.
 */
import { resourceByKind } from '../api/resources.js';
import { hasQuotas, syncQuota } from '../admission/resource-quota.js';
import { metaOf } from '../store.js';
import type { ControllerContext } from './context.js';

const QUOTAS = resourceByKind('ResourceQuota');

export class ResourceQuotaController {
  constructor(private readonly ctx: ControllerContext) {}

  /** Whether a pod change in `namespace` can move any quota's usage. */
  watches(namespace: string): boolean {
    return hasQuotas(this.ctx.store, namespace);
  }

  syncNamespace(namespace: string): void {
    for (const quota of this.ctx.store.peekAll(QUOTAS, namespace))
      syncQuota(this.ctx.store, namespace, metaOf(quota).name);
  }
}
