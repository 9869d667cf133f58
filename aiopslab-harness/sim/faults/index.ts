/**
 * Fault injection for the simulated cluster. An injector only changes desired state: objects in the store,
 * or state inside a container (a MongoDB's users); the controllers, the kubelet and the health model derive
 * every symptom from that state, so a correct mitigation through the API clears them and a wrong one does
 * not. One file per family; this registry maps AIOpsLab's fault kinds to them.
 */
import type { SimCluster } from '../cluster.js';
import { injectExpiredCertificate, injectExpiringCertificate } from './certificates.js';
import { clusterDnsDown } from './cluster-dns.js';
import { limitRangeViolation, resourceQuotaExceeded } from './admission-refusals.js';
import { cronJobNotRunning, jobBackoffLimitExceeded } from './batch.js';
import { hpaAtMaxReplicas } from './autoscaler.js';
import { pvcPending } from './storage-class.js';
import { containerKill, networkDelay, networkLoss, podFailure, podKill } from './chaos-faults.js';
import { featureFlag } from './feature-flag.js';
import {
  assignToNonExistentNode,
  misconfigApp,
  misconfigTargetPort,
  scalePodsToZero,
  wrongBinUsage,
} from './k8s.js';
import { authMissMongodb, revokeAuthMongodb, userUnregisteredMongodb } from './mongodb.js';
import {
  badImageRollout,
  initContainerFailure,
  livenessProbeFailure,
  missingConfigRef,
  oomKilled,
  readinessProbeFailure,
} from './oncall-workload.js';
import { nodeMemoryPressure, nodeNotReady } from './node-failure.js';
import { redeployWithoutPv } from './storage.js';
import { slowStartLiveness } from './slow-start.js';
import { pvcNoMatchingPv } from './static-volume.js';
import type { FaultSpec, Injector } from './util.js';
import { faultError } from './util.js';

export type { FaultSpec, Injector } from './util.js';
export { injectNoise, NOISE_KINDS } from './noise.js';
export type { NoiseKind } from './noise.js';

const INJECTORS: Readonly<Record<string, Injector>> = {
  misconfig_k8s_target_port: misconfigTargetPort,
  auth_miss_mongodb: authMissMongodb,
  revoke_auth_mongodb: revokeAuthMongodb,
  user_unregistered_mongodb: userUnregisteredMongodb,
  misconfig_app: misconfigApp,
  scale_pods_to_zero: scalePodsToZero,
  assign_to_non_existent_node: assignToNonExistentNode,
  redeploy_without_pv: redeployWithoutPv,
  wrong_bin_usage: wrongBinUsage,
  container_kill: containerKill,
  pod_kill: podKill,
  pod_failure: podFailure,
  network_loss: networkLoss,
  network_delay: networkDelay,
  feature_flag: featureFlag,
  expired_certificate: injectExpiredCertificate,
  expiring_certificate: injectExpiringCertificate,
  cluster_dns_down: clusterDnsDown,
  pvc_pending: pvcPending,
  pvc_no_matching_pv: pvcNoMatchingPv,
  resource_quota_exceeded: resourceQuotaExceeded,
  limit_range_violation: limitRangeViolation,
  hpa_at_max_replicas: hpaAtMaxReplicas,
  noop: () => undefined,
  // The on-call catalog (docs/oncall-catalog.md).
  oom_killed: oomKilled,
  liveness_probe_failure: livenessProbeFailure,
  slow_start_liveness: slowStartLiveness,
  readiness_probe_failure: readinessProbeFailure,
  missing_config_ref: missingConfigRef,
  bad_image_rollout: badImageRollout,
  init_container_failure: initContainerFailure,
  node_not_ready: nodeNotReady,
  node_memory_pressure: nodeMemoryPressure,
  job_backoff_limit_exceeded: jobBackoffLimitExceeded,
  cronjob_not_running: cronJobNotRunning,
};

export const FAULT_KINDS: readonly string[] = Object.keys(INJECTORS);

/** Injects one fault into the app deployed in `namespace`, then lets the control plane react. */
export function injectFault(cluster: SimCluster, namespace: string, fault: FaultSpec): void {
  const injector = INJECTORS[fault.kind];
  if (!injector) throw faultError(`unknown fault kind "${fault.kind}" (known: ${FAULT_KINDS.join(', ')})`);
  injector(cluster, namespace, fault);
  cluster.reconcile();
}
