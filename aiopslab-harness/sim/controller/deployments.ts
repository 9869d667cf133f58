import type { JsonObject } from '../api/json.js';
import { cloneJson } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Deployment, PodTemplate, ReplicaSet } from '../model.js';
import { asJson, asView } from '../model.js';
import { templateHash } from '../random.js';
import type { ControllerContext } from './context.js';

const DEPLOYMENTS = resourceByKind('Deployment');
const RS = resourceByKind('ReplicaSet');
const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';

function percentOrCount(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
  fallback: string,
): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0);
}

function hashTemplate(template: PodTemplate): string {
  const copy = cloneJson(asJson(template));
  const labels = (copy['metadata'] as JsonObject | undefined)?.['labels'] as JsonObject | undefined;
  if (labels) delete labels['pod-template-hash'];
  return templateHash(JSON.stringify(copy));
}

/**
 * The ReplicaSets' ReplicaFailure condition as the Deployment's (getReplicaFailures and
 * ReplicaSetToDeploymentCondition, pkg/controller/deployment/progress.go and util/deployment_util.go): the new
 * ReplicaSet's first, else any old one's; none removes the Deployment's.
 */
function replicaFailure(newRS: ReplicaSet | undefined, owned: ReplicaSet[]): JsonObject | undefined {
  const failureOf = (rs: ReplicaSet) =>
    (((rs.status as JsonObject | undefined)?.['conditions'] as JsonObject[] | undefined) ?? []).find(
      (c) => c['type'] === 'ReplicaFailure',
    );
  const found = (newRS && failureOf(newRS)) ?? owned.map(failureOf).find((c) => c !== undefined);
  if (!found) return undefined;
  return {
    type: 'ReplicaFailure',
    status: found['status'] ?? 'True',
    lastUpdateTime: found['lastTransitionTime'] ?? null,
    lastTransitionTime: found['lastTransitionTime'] ?? null,
    reason: found['reason'] ?? 'FailedCreate',
    message: found['message'] ?? '',
  };
}

/** Rolls Deployments out through ReplicaSets with the RollingUpdate or Recreate strategy. */
export class DeploymentController {
  constructor(private readonly ctx: ControllerContext) {}

  sync(namespace: string, name: string): void {
    const json = this.ctx.store.peek(DEPLOYMENTS, namespace, name);
    if (!json) return;
    const deploy = asView<Deployment>(json);
    if (deploy.metadata.deletionTimestamp) return;
    const owned = this.ctx.store.peekOwnedBy(deploy.metadata.uid).map((o) => asView<ReplicaSet>(o));
    const hash = hashTemplate(deploy.spec.template);
    const desired = deploy.spec.replicas ?? 1;
    let newRS = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    if (!newRS && !deploy.spec.paused)
      newRS = this.createReplicaSet(json, deploy, hash, maxRevision + 1, owned.length === 0 ? desired : 0);
    else if (newRS && revisionOf(newRS) < maxRevision && !deploy.spec.paused) {
      // Rolling back to an older template: that ReplicaSet becomes the newest revision again.
      newRS = this.setRSAnnotation(newRS, REVISION, String(maxRevision + 1));
    }
    if (!newRS) return;
    const olds = owned.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
    if (!deploy.spec.paused) {
      if (deploy.spec.strategy?.type === 'Recreate') this.recreate(json, newRS, olds, desired);
      else this.rollingUpdate(json, deploy, newRS, olds, desired);
    }
    this.cleanup(olds, deploy.spec.revisionHistoryLimit ?? 10);
    this.updateStatus(namespace, name);
  }

  private createReplicaSet(
    json: JsonObject,
    deploy: Deployment,
    hash: string,
    revision: number,
    replicas: number,
  ): ReplicaSet {
    const template = cloneJson(asJson(deploy.spec.template)) as unknown as PodTemplate;
    template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
    const selector = cloneJson(asJson(deploy.spec.selector));
    selector['matchLabels'] = {
      ...((selector['matchLabels'] as Record<string, string> | undefined) ?? {}),
      'pod-template-hash': hash,
    };
    const rsName = `${deploy.metadata.name}-${hash}`;
    const created = this.ctx.store.create(RS, {
      metadata: {
        name: rsName,
        namespace: deploy.metadata.namespace ?? 'default',
        labels: template.metadata.labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(deploy.spec.replicas ?? 1),
          'deployment.kubernetes.io/max-replicas': String((deploy.spec.replicas ?? 1) + 1),
          [REVISION]: String(revision),
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deploy.metadata.name,
            uid: deploy.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        minReadySeconds: deploy.spec.minReadySeconds ?? 0,
        selector,
        template: asJson(template),
      },
      status: { replicas: 0 },
    });
    const rs = asView<ReplicaSet>(created);
    if (replicas > 0) return this.scale(json, rs, replicas);
    return rs;
  }

  private rollingUpdate(
    json: JsonObject,
    deploy: Deployment,
    newRS: ReplicaSet,
    olds: ReplicaSet[],
    desired: number,
  ): void {
    const ru = deploy.spec.strategy?.rollingUpdate;
    let maxSurge = percentOrCount(ru?.maxSurge, desired, true, '25%');
    const maxUnavailable = percentOrCount(ru?.maxUnavailable, desired, false, '25%');
    if (maxSurge === 0 && maxUnavailable === 0) maxSurge = 1;
    const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
    const total = () => specReplicas(newRS) + olds.reduce((n, rs) => n + specReplicas(rs), 0);
    const oldsActive = olds.filter((rs) => specReplicas(rs) > 0);
    // Scale up the new ReplicaSet within the surge budget (or to the desired count when nothing old is left).
    if (specReplicas(newRS) !== desired) {
      if (oldsActive.length === 0) newRS = this.scale(json, newRS, desired);
      else if (specReplicas(newRS) < desired) {
        const room = desired + maxSurge - total();
        if (room > 0) newRS = this.scale(json, newRS, Math.min(desired, specReplicas(newRS) + room));
      } else newRS = this.scale(json, newRS, desired);
    }
    // Scale down old ReplicaSets as far as availability allows; unhealthy old pods go first and freely.
    const available = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;
    const allAvailable = available(newRS) + olds.reduce((n, rs) => n + available(rs), 0);
    const minAvailable = desired - maxUnavailable;
    let budget = allAvailable - minAvailable;
    for (const old of [...oldsActive].sort((a, b) => revisionOf(a) - revisionOf(b))) {
      const unhealthy = specReplicas(old) - available(old);
      const canDrop = Math.min(specReplicas(old), Math.max(0, unhealthy) + Math.max(0, budget));
      if (canDrop <= 0) continue;
      this.scale(json, old, specReplicas(old) - canDrop);
      budget -= Math.max(0, canDrop - Math.max(0, unhealthy));
    }
  }

  private recreate(json: JsonObject, newRS: ReplicaSet, olds: ReplicaSet[], desired: number): void {
    let oldPods = 0;
    for (const old of olds) {
      if ((old.spec.replicas ?? 0) > 0) this.scale(json, old, 0);
      oldPods += this.ctx.store.peekOwnedBy(old.metadata.uid).length;
    }
    if (oldPods === 0 && (newRS.spec.replicas ?? 0) !== desired) this.scale(json, newRS, desired);
  }

  private scale(json: JsonObject, rs: ReplicaSet, replicas: number): ReplicaSet {
    const from = rs.spec.replicas ?? 0;
    if (from === replicas) return rs;
    const deploy = asView<Deployment>(json);
    const updated = this.ctx.store.mutate(RS, rs.metadata.namespace, rs.metadata.name, (o) => {
      const view = asView<ReplicaSet>(o);
      view.spec.replicas = replicas;
      view.metadata.annotations = {
        ...(view.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(deploy.spec.replicas ?? 1),
      };
    });
    const verb = replicas > from ? 'up' : 'down';
    this.ctx.events.record(
      json,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      SOURCE,
    );
    return updated ? asView<ReplicaSet>(updated) : rs;
  }

  private setRSAnnotation(rs: ReplicaSet, key: string, value: string): ReplicaSet {
    const updated = this.ctx.store.mutate(RS, rs.metadata.namespace, rs.metadata.name, (o) => {
      const view = asView<ReplicaSet>(o);
      view.metadata.annotations = { ...(view.metadata.annotations ?? {}), [key]: value };
    });
    return updated ? asView<ReplicaSet>(updated) : rs;
  }

  private cleanup(olds: ReplicaSet[], limit: number): void {
    const idle = olds
      .filter((rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      if (this.ctx.store.peek(RS, rs.metadata.namespace, rs.metadata.name))
        this.ctx.store.remove(RS, rs.metadata.namespace, rs.metadata.name);
    }
  }

  updateStatus(namespace: string, name: string): void {
    const json = this.ctx.store.peek(DEPLOYMENTS, namespace, name);
    if (!json) return;
    const deploy = asView<Deployment>(json);
    const owned = this.ctx.store.peekOwnedBy(deploy.metadata.uid).map((o) => asView<ReplicaSet>(o));
    const hash = hashTemplate(deploy.spec.template);
    const newRS = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const sum = (f: (rs: ReplicaSet) => number) => owned.reduce((n, rs) => n + f(rs), 0);
    const desired = deploy.spec.replicas ?? 1;
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const maxUnavailable = percentOrCount(
      deploy.spec.strategy?.rollingUpdate?.maxUnavailable,
      desired,
      false,
      '25%',
    );
    const now = this.ctx.clock.iso();
    const complete = updated === desired && replicas === desired && available === desired;
    this.ctx.store.mutate(DEPLOYMENTS, namespace, name, (o) => {
      const view = asView<Deployment>(o);
      const prev = (view.status?.['conditions'] as JsonObject[] | undefined) ?? [];
      const condition = (type: string, status: boolean, reason: string, message: string): JsonObject => {
        const old = prev.find((c) => c['type'] === type);
        const s = status ? 'True' : 'False';
        const sameStatus = old?.['status'] === s;
        return {
          type,
          status: s,
          lastUpdateTime: sameStatus && old['reason'] === reason ? (old['lastUpdateTime'] as string) : now,
          lastTransitionTime: sameStatus ? (old['lastTransitionTime'] as string) : now,
          reason,
          message,
        };
      };
      const isAvailable = available >= desired - maxUnavailable;
      const rsName = newRS?.metadata.name ?? deploy.metadata.name;
      const status: JsonObject = {
        observedGeneration: deploy.metadata.generation ?? 1,
        replicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: available,
        unavailableReplicas: Math.max(0, desired - available),
        conditions: [
          condition(
            'Available',
            isAvailable,
            isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            isAvailable
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
          ),
          condition(
            'Progressing',
            true,
            complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
            complete
              ? `ReplicaSet "${rsName}" has successfully progressed.`
              : `ReplicaSet "${rsName}" is progressing.`,
          ),
        ],
      };
      const failure = replicaFailure(newRS, owned);
      if (failure) (status['conditions'] as JsonObject[]).push(failure);
      for (const key of [
        'replicas',
        'updatedReplicas',
        'readyReplicas',
        'availableReplicas',
        'unavailableReplicas',
      ]) {
        if (status[key] === 0) delete status[key];
      }
      view.status = status;
      if (newRS)
        view.metadata.annotations = {
          ...(view.metadata.annotations ?? {}),
          [REVISION]: String(revisionOf(newRS)),
        };
    });
  }
}
