/**
 * Expected answers for a generated problem, from its fault alone: the analysis pair is AIOpsLab's for the
 * fault kind (../shared/aiopslab/README.md, the mitigation table's system_level / fault_type column), and the
 * mitigation check is the family AIOpsLab's evaluator for that kind runs. Kinds AIOpsLab poses no analysis
 * or mitigation task for get none here either.
 */
import type { AnalysisExpect, FaultKind, MitigationCheck } from '../problem.js';

export const ANALYSIS_OF: Partial<Record<FaultKind, AnalysisExpect>> = {
  misconfig_k8s_target_port: { systemLevel: 'Virtualization', faultType: 'Misconfiguration' },
  auth_miss_mongodb: { systemLevel: 'Application', faultType: 'Misconfiguration' },
  revoke_auth_mongodb: { systemLevel: 'Application', faultType: 'Authentication Issue' },
  user_unregistered_mongodb: { systemLevel: 'Application', faultType: 'Network/Storage Issue' },
  misconfig_app: { systemLevel: 'Application', faultType: 'Misconfiguration' },
  scale_pods_to_zero: { systemLevel: 'Virtualization', faultType: 'Operation Error' },
  assign_to_non_existent_node: { systemLevel: 'Virtualization', faultType: 'Dependency Problem' },
  redeploy_without_pv: { systemLevel: 'Virtualization', faultType: 'Operation Error' },
  wrong_bin_usage: { systemLevel: 'Application', faultType: 'Network/Storage Issue' },
};

export const MITIGATION_OF: Partial<Record<FaultKind, MitigationCheck>> = {
  misconfig_k8s_target_port: 'targetPort',
  auth_miss_mongodb: 'podsOk',
  revoke_auth_mongodb: 'podsOk',
  user_unregistered_mongodb: 'podsOk',
  misconfig_app: 'allReadyWithin60s',
  scale_pods_to_zero: 'deploymentAvailable',
  assign_to_non_existent_node: 'podExistsAndOk',
  redeploy_without_pv: 'podsOk',
  wrong_bin_usage: 'wrongBin',
};

/** AIOpsLab poses a mitigation task for one feature flag only (the Kafka queue problem). */
export const MITIGATED_FLAGS: Readonly<Record<string, MitigationCheck>> = {
  kafkaQueueProblems: 'kafkaPodsOk',
};

/**
 * AIOpsLab also accepts the owner's name for its hotel-reservation MongoDB auth problems (`geo` for
 * `mongodb-geo`); the generator extends that to every `mongodb-<owner>` those two kinds hit.
 */
export function acceptedAlternates(kind: FaultKind, target: string): string[] {
  if (kind !== 'revoke_auth_mongodb' && kind !== 'user_unregistered_mongodb') return [];
  const owner = /^mongodb-(.+)$/.exec(target)?.[1];
  return owner ? [owner] : [];
}
