import { admitPodCreate } from '../admission/index.js';
import type { JsonObject } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Pod, StatefulSet } from '../model.js';
import { asJson, asView } from '../model.js';
import { templateHash } from '../random.js';
import type { ControllerContext } from './context.js';
import { CreateFailures } from './failed-create.js';
import type { Kubelet } from './kubelet.js';
import { podFromTemplate } from './pod-template.js';
import { isActive, isReady } from './replicasets.js';

const STS = resourceByKind('StatefulSet');
const PODS = resourceByKind('Pod');
const PVCS = resourceByKind('PersistentVolumeClaim');
const SOURCE = { component: 'statefulset-controller' };

/** Stable, ordered pods `<name>-<ordinal>` with their own claims; OrderedReady start-up and reverse-order updates. */
export class StatefulSetController {
  private readonly failures: CreateFailures;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kubelet: Kubelet,
  ) {
    this.failures = new CreateFailures(ctx);
  }

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(STS, namespace, name);
    if (!json) return;
    const sts = asView<StatefulSet>(json);
    if (sts.metadata.deletionTimestamp) return;
    const revision = `${sts.metadata.name}-${templateHash(JSON.stringify(sts.spec.template)).slice(0, 10)}`;
    const desired = sts.spec.replicas ?? 1;
    const parallel = sts.spec.podManagementPolicy === 'Parallel';
    const pods = new Map<number, Pod>();
    for (const p of this.ctx.store.peekOwnedBy(sts.metadata.uid).map((o) => asView<Pod>(o))) {
      const ordinal = Number(p.metadata.name.slice(sts.metadata.name.length + 1));
      pods.set(ordinal, p);
    }
    for (let i = 0; i < desired; i++) {
      const pod = pods.get(i);
      if (!pod) {
        // A refused create ends the sync with its error (stateful_set_control.go), retried on the queue.
        if (!this.createPod(json, sts, i, revision)) return this.updateStatus(json, revision);
        if (!parallel) break;
        continue;
      }
      if (!isActive(pod)) break;
      if (!parallel && !isReady(pod)) break;
    }
    for (const [ordinal, pod] of [...pods.entries()].sort((a, b) => b[0] - a[0])) {
      if (ordinal >= desired && isActive(pod)) {
        this.kubelet.requestDeletion(asJson(pod));
        this.ctx.events.record(
          json,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
          SOURCE,
        );
        if (!parallel) break;
      }
    }
    // Rolling update: replace the highest-ordinal pod still on the old revision once all are ready.
    const current = [...pods.entries()].filter(([o]) => o < desired).sort((a, b) => b[0] - a[0]);
    const allReady = current.length === desired && current.every(([, p]) => isActive(p) && isReady(p));
    const stale = current.find(
      ([, p]) => p.metadata.labels?.['controller-revision-hash'] !== revision && isActive(p),
    );
    if (stale && sts.spec.updateStrategy?.type !== 'OnDelete' && (allReady || !isReady(stale[1]))) {
      this.kubelet.requestDeletion(asJson(stale[1]));
    }
    this.updateStatus(json, revision);
  }

  /** Creates the ordinal's claims and pod; false when admission refuses the pod. */
  private createPod(json: JsonObject, sts: StatefulSet, ordinal: number, revision: string): boolean {
    const namespace = sts.metadata.namespace ?? 'default';
    const podName = `${sts.metadata.name}-${ordinal}`;
    for (const claim of sts.spec.volumeClaimTemplates ?? []) {
      const claimName = `${claim.metadata.name}-${podName}`;
      if (!this.ctx.store.peek(PVCS, namespace, claimName)) {
        this.ctx.store.create(PVCS, {
          metadata: { name: claimName, namespace, labels: sts.spec.selector.matchLabels ?? {} },
          spec: claim.spec,
          status: { phase: 'Pending' },
        });
        this.ctx.events.record(
          json,
          'Normal',
          'SuccessfulCreate',
          `create Claim ${claimName} Pod ${podName} in StatefulSet ${sts.metadata.name} success`,
          SOURCE,
        );
      }
    }
    const pod = podFromTemplate(
      sts.spec.template,
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name, uid: sts.metadata.uid },
      namespace,
      podName,
      {
        'controller-revision-hash': revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(ordinal),
      },
    );
    const spec = pod['spec'] as JsonObject;
    spec['hostname'] = podName;
    if (sts.spec.serviceName) spec['subdomain'] = sts.spec.serviceName;
    const volumes = ((spec['volumes'] as JsonObject[] | undefined) ?? []).filter(
      (v) => !(sts.spec.volumeClaimTemplates ?? []).some((c) => c.metadata.name === v['name']),
    );
    for (const claim of sts.spec.volumeClaimTemplates ?? []) {
      volumes.push({
        name: claim.metadata.name,
        persistentVolumeClaim: { claimName: `${claim.metadata.name}-${podName}` },
      });
    }
    if (volumes.length) spec['volumes'] = volumes;
    const refused = admitPodCreate(this.ctx.store, namespace, asView<Pod>(pod));
    if (refused) {
      // recordPodEvent (stateful_pod_control.go): "<verb> Pod <pod> in StatefulSet <set> failed error: <err>".
      this.failures.failed(
        json,
        `create Pod ${podName} in StatefulSet ${sts.metadata.name} failed error: ${refused.message}`,
        SOURCE.component,
        () => this.sync(namespace, sts.metadata.name),
      );
      return false;
    }
    this.failures.succeeded(json);
    this.ctx.store.create(PODS, pod);
    this.ctx.events.record(
      json,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${sts.metadata.name} successful`,
      SOURCE,
    );
    return true;
  }

  private updateStatus(json: JsonObject, revision: string): void {
    const sts = asView<StatefulSet>(json);
    const pods = this.ctx.store
      .peekOwnedBy(sts.metadata.uid)
      .map((o) => asView<Pod>(o))
      .filter(isActive);
    const ready = pods.filter(isReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    this.ctx.store.mutate(STS, sts.metadata.namespace, sts.metadata.name, (o) => {
      const view = asView<StatefulSet>(o);
      const previous = (view.status?.['currentRevision'] as string | undefined) ?? revision;
      view.status = {
        observedGeneration: view.metadata.generation ?? 1,
        replicas: pods.length,
        readyReplicas: ready,
        currentReplicas: updated === pods.length ? pods.length : pods.length - updated,
        updatedReplicas: updated,
        availableReplicas: ready,
        currentRevision: updated === pods.length ? revision : previous,
        updateRevision: revision,
        collisionCount: 0,
      };
    });
  }
}
