import { admitPodCreate } from '../admission/index.js';
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Pod, ReplicaSet } from '../model.js';
import { asView } from '../model.js';
import type { ControllerContext } from './context.js';
import { CreateFailures } from './failed-create.js';
import type { Kubelet } from './kubelet.js';
import { podFromTemplate } from './pod-template.js';

const RS = resourceByKind('ReplicaSet');
const SOURCE = { component: 'replicaset-controller' };

export function isActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

export function isReady(pod: Pod): boolean {
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Which pod goes first when scaling down: unscheduled, pending, not ready, most restarts, newest. */
function deletionRank(pod: Pod): number[] {
  const phaseRank = pod.status.phase === 'Pending' ? 0 : pod.status.phase === 'Unknown' ? 1 : 2;
  const restarts = (pod.status.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0);
  return [
    pod.spec.nodeName ? 1 : 0,
    phaseRank,
    isReady(pod) ? 1 : 0,
    -restarts,
    -Date.parse(pod.metadata.creationTimestamp),
  ];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Keeps each ReplicaSet's pod count at its desired replicas and reports its status. */
export class ReplicaSetController {
  private readonly failures: CreateFailures;
  /** The last sync's create error per ReplicaSet uid (manageReplicasErr), for the ReplicaFailure condition. */
  private readonly createErrors = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
  ) {
    this.failures = new CreateFailures(ctx);
  }

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(RS, namespace, name);
    if (!json) return;
    const rs = asView<ReplicaSet>(json);
    if (rs.metadata.deletionTimestamp) return;
    const pods = this.ctx.store.peekOwnedBy(rs.metadata.uid).map((p) => asView<Pod>(p));
    const active = pods.filter(isActive);
    const desired = rs.spec.replicas ?? 1;
    this.createErrors.delete(rs.metadata.uid);
    if (active.length < desired) {
      // Slow start (replica_set.go manageReplicas): creation stops at the first error.
      for (let i = active.length; i < desired; i++) {
        const refused = this.createPod(json, rs);
        if (refused === undefined) continue;
        this.createErrors.set(rs.metadata.uid, refused);
        this.failures.failed(json, `Error creating: ${refused}`, SOURCE.component, () =>
          this.sync(namespace, name),
        );
        break;
      }
      if (!this.createErrors.has(rs.metadata.uid)) this.failures.succeeded(json);
    } else if (active.length > desired) {
      const victims = [...active].sort((a, b) => compareRanks(deletionRank(a), deletionRank(b)));
      for (const pod of victims.slice(0, active.length - desired)) {
        this.kubelet.requestDeletion(pod as unknown as JsonObject);
        this.ctx.events.record(
          json,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${pod.metadata.name}`,
          SOURCE,
        );
      }
    }
    this.updateStatus(rs);
  }

  updateStatus(rs: ReplicaSet): void {
    const pods = this.ctx.store
      .peekOwnedBy(rs.metadata.uid)
      .map((p) => asView<Pod>(p))
      .filter(isActive);
    const ready = pods.filter(isReady).length;
    this.ctx.store.mutate(RS, rs.metadata.namespace, rs.metadata.name, (json) => {
      const view = asView<ReplicaSet>(json);
      const previous =
        ((view.status as JsonObject | undefined)?.['conditions'] as JsonObject[] | undefined) ?? [];
      view.status = {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: view.metadata.generation ?? 1,
      };
      if (ready === 0) {
        delete view.status.readyReplicas;
        delete view.status.availableReplicas;
      }
      // calculateStatus (replica_set_utils.go): a failed create sets ReplicaFailure once (its first message
      // stays), a sync without error removes it.
      const failure = previous.find((c) => c['type'] === 'ReplicaFailure');
      const error = this.createErrors.get(rs.metadata.uid);
      if (error !== undefined)
        (view.status as JsonObject)['conditions'] = [
          failure ?? {
            type: 'ReplicaFailure',
            status: 'True',
            lastTransitionTime: this.ctx.clock.iso(),
            reason: 'FailedCreate',
            message: error,
          },
        ];
    });
  }

  /** Creates one pod through admission; returns the refusal's message when the API server says no. */
  private createPod(json: JsonObject, rs: ReplicaSet): string | undefined {
    const namespace = rs.metadata.namespace ?? 'default';
    let name = `${rs.metadata.name}-${this.ctx.random.suffix()}`;
    while (this.ctx.store.peek(resourceByKind('Pod'), namespace, name))
      name = `${rs.metadata.name}-${this.ctx.random.suffix()}`;
    const pod = podFromTemplate(
      rs.spec.template,
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid },
      namespace,
      name,
    );
    const refused = admitPodCreate(this.ctx.store, namespace, asView<Pod>(pod));
    if (refused) return refused.message;
    this.ctx.store.create(resourceByKind('Pod'), pod);
    this.ctx.events.record(json, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, SOURCE);
    return undefined;
  }
}
