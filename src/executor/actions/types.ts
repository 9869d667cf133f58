import type { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { ActionProposal } from '../../core/actions.js';
import type { AuditTarget } from '../../core/audit.js';

/** The executor's own credential; never the observer's. */
export interface ExecutorClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** How the kubectl action reaches the cluster as the executor; without it kubectl actions fail. */
  kubectl?: KubectlTarget;
  /** The cluster and identity these clients write as, recorded with every audit entry. */
  target?: AuditTarget;
}

export interface KubectlTarget {
  kubeconfig: string;
  context: string;
  /** The child's whole environment (the parent's is not inherited); PATH and HOME default to ours. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Working directory of the child; defaults to the OS temp dir. */
  cwd?: string;
}

export interface BlastRadius {
  /** `kind/namespace/name` of every object the action changes. */
  objects: string[];
  /** Pods restarted, replaced or deleted as a consequence. */
  pods: string[];
}

/** A Kubernetes object as plain JSON. */
export type KubeObject = Record<string, unknown>;

/** What a handler's server-side dry run found. */
export interface DryRunResult {
  message: string;
  /** The object as read just before the dry run: what the server's answer is compared with. */
  current?: KubeObject;
  /**
   * The API server's answer to the dryRun=All request: the object as it would be after the change (for a
   * delete, the object that would be deleted). Absent when the server returns nothing usable (a Status, kubectl).
   */
  object?: KubeObject;
}

/** The dry run as the executor reports it; `current` and `object` stay in memory and never reach the audit log. */
export interface DryRunOutcome {
  ok: boolean;
  message?: string;
  current?: KubeObject;
  object?: KubeObject;
}

/** One read-back of the expected state: done, not yet, or never going to be (fail fast). */
export type Check =
  | { state: 'done'; message: string }
  | { state: 'pending'; message: string }
  | { state: 'failed'; message: string };

/** What was read before the apply, kept (and audited) for the rollback. */
export type PreImage = Record<string, unknown>;

export interface ActionHandler<A extends ActionProposal = ActionProposal> {
  blastRadius(clients: ExecutorClients, action: A): Promise<BlastRadius>;
  /** Server-side dry run; throws when the server (or a precondition) refuses. */
  dryRun(clients: ExecutorClients, action: A): Promise<DryRunResult>;
  preImage(clients: ExecutorClients, action: A): Promise<PreImage>;
  apply(clients: ExecutorClients, action: A, pre: PreImage): Promise<string>;
  /** Reads the changed object (and its pods) once and says whether the expected state holds. */
  check(clients: ExecutorClients, action: A, pre: PreImage): Promise<Check>;
  /** Restores the pre-image; absent when the change cannot be undone (a deleted pod). */
  rollback?(clients: ExecutorClients, action: A, pre: PreImage): Promise<string>;
  /** Why undoing it later (`aoi rollback`) would now do harm, if it would; checked before that rollback. */
  rollbackRefusal?(clients: ExecutorClients, action: A, pre: PreImage): Promise<string | undefined>;
}

export type HandlerFor<K extends ActionProposal['kind']> = ActionHandler<
  Extract<ActionProposal, { kind: K }>
>;
