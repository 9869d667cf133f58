/**
 * Pods the API server refuses to create: a controller's Warning FailedCreate event carrying an admission
 * refusal, in the plugins' own words (ResourceQuota: `exceeded quota: <name>, requested: …, used: …,
 * limited: …`; LimitRanger: `maximum <resource> usage per Container is <max>, but limit is <value>`). The
 * refused workload (the ReplicaSet's Deployment, or the StatefulSet) is the subject's component: it is the one
 * short of pods; the quota or range is named and cited with what it holds. A refusal that is over (the
 * ReplicaSet has all it wants, or was scaled to zero by a rollback) is not reported.
 */
import type { EvidenceAttributes } from '../../core/evidence.js';
import type { Container, KEvent, LimitRange, ResourceQuota, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip } from './finding.js';

const QUOTA = /exceeded quota: ([^,]+), requested: (\S+), used: (\S+), limited: (\S+)$/;
const QUOTA_OTHER = /(failed quota: ([^:]+): .+|status unknown for quota: ([^,]+), .+)$/;
const RANGE =
  /(maximum|minimum) (\S+) usage per (Container|Pod) is (\S+)(?:, but (limit|request) is (\S+)|\.\s+No (limit|request) is specified)/;
const REVISION = 'deployment.kubernetes.io/revision';

/** The refusal inside a FailedCreate message, as the API server worded it. */
export function admissionRefusal(message: string): string | undefined {
  const at = message.indexOf(' is forbidden: ');
  if (at < 0 || !/^(\(combined from similar events\): )?(Error creating: |create Pod )/.test(message))
    return undefined;
  const refusal = message.slice(at + ' is forbidden: '.length);
  return QUOTA.test(refusal) || QUOTA_OTHER.test(refusal) || RANGE.test(refusal) ? refusal : undefined;
}

interface Inputs {
  events: readonly KEvent[];
  replicasets: readonly Workload[];
  deployments: readonly Workload[];
  statefulsets: readonly Workload[];
  quotas: readonly ResourceQuota[];
  limitRanges: readonly LimitRange[];
}

interface Refused {
  event: KEvent;
  count: number;
  workload: Workload;
  kind: 'Deployment' | 'StatefulSet';
  owner: Workload;
}

const keyOf = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;

/** Keys of a resource list as `a=1,b=2` into a map. */
function pairs(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
}

/** The containers' limit (or request) of a resource, as the template says (for "did a rollout raise it"). */
function asks(w: Workload | undefined, resource: string): string {
  const [kind, name] = resource.includes('.') ? resource.split('.') : ['limits', resource];
  return asArray(w?.spec?.template?.spec?.containers)
    .map(
      (c: Container) =>
        (kind === 'requests' ? c.resources?.requests : c.resources?.limits)?.[name ?? ''] ?? '',
    )
    .join(',');
}

/** The refusal still holds: the owner wants more pods than it has (a rolled-back ReplicaSet wants none). */
function stillWanting(owner: Workload): boolean {
  return (owner.spec?.replicas ?? 0) > (owner.status?.replicas ?? 0);
}

function refusedWorkloads(input: Inputs): Refused[] {
  const byKey = new Map<string, Refused>();
  for (const e of input.events) {
    if (e.type !== 'Warning' || e.reason !== 'FailedCreate' || !admissionRefusal(e.message ?? '')) continue;
    const io = e.involvedObject ?? {};
    const ns = io.namespace;
    let found: Omit<Refused, 'event' | 'count'> | undefined;
    if (io.kind === 'ReplicaSet') {
      const rs = input.replicasets.find((r) => nameOf(r) === io.name && r.metadata?.namespace === ns);
      const ref = asArray(rs?.metadata?.ownerReferences).find((o) => o.kind === 'Deployment');
      const d = ref && input.deployments.find((w) => nameOf(w) === ref.name && w.metadata?.namespace === ns);
      if (rs && d) found = { workload: d, kind: 'Deployment', owner: rs };
    } else if (io.kind === 'StatefulSet') {
      const s = input.statefulsets.find((w) => nameOf(w) === io.name && w.metadata?.namespace === ns);
      if (s) found = { workload: s, kind: 'StatefulSet', owner: s };
    }
    if (!found || !stillWanting(found.owner)) continue;
    const key = keyOf(found.kind, ns, nameOf(found.workload));
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...found, event: e, count: e.count ?? 1 });
    else {
      seen.count += e.count ?? 1;
      if ((e.lastTimestamp ?? '') >= (seen.event.lastTimestamp ?? '')) seen.event = e;
    }
  }
  return [...byKey.values()];
}

/** Whether the refused ReplicaSet is a rollout's, and an older one asked for less of the refused resource. */
function rolloutRaised(r: Refused, input: Inputs, resource: string): number | undefined {
  if (r.kind !== 'Deployment') return undefined;
  const revision = Number(r.owner.metadata?.annotations?.[REVISION] ?? 1);
  if (revision <= 1) return undefined;
  const deployment = nameOf(r.workload);
  const older = input.replicasets
    .filter(
      (rs) =>
        rs !== r.owner &&
        rs.metadata?.namespace === r.workload.metadata?.namespace &&
        asArray(rs.metadata?.ownerReferences).some((o) => o.kind === 'Deployment' && o.name === deployment),
    )
    .filter((rs) => Number(rs.metadata?.annotations?.[REVISION] ?? 0) < revision)
    .sort(
      (a, b) => Number(b.metadata?.annotations?.[REVISION]) - Number(a.metadata?.annotations?.[REVISION]),
    );
  const previous = older[0];
  if (!previous || asks(previous, resource) === asks(r.owner, resource)) return undefined;
  return revision;
}

export function analyzeAdmission(input: Inputs): Finding[] {
  const findings: Finding[] = [];
  for (const r of refusedWorkloads(input)) {
    const message = r.event.message ?? '';
    const refusal = admissionRefusal(message) ?? '';
    const ns = r.workload.metadata?.namespace;
    const name = nameOf(r.workload);
    const ready = r.workload.status?.readyReplicas ?? 0;
    const desired = r.workload.spec?.replicas ?? 1;
    const down = ready === 0;
    const base = {
      source: 'events' as const,
      subject: { kind: r.kind, name, ...(ns ? { namespace: ns } : {}) },
      component: name,
      severity: down ? ('critical' as const) : ('error' as const),
      score: down ? 95 : 90,
      excerpt: clip(
        `FailedCreate (x${r.count}) on ${r.event.involvedObject?.kind} ${r.event.involvedObject?.name}: ${message}`,
      ),
    };
    const identity: EvidenceAttributes = {
      workload: name,
      workloadKind: r.kind,
      refusedBy: nameOf(r.owner),
      ready,
      desired,
    };
    const quota = QUOTA.exec(refusal);
    const range = RANGE.exec(refusal);
    if (quota) {
      const [, quotaName = '', requested = '', used = '', hard = ''] = quota;
      const resource = Object.keys(pairs(requested))[0] ?? '';
      const object = input.quotas.find((q) => nameOf(q) === quotaName && q.metadata?.namespace === ns);
      const status = object
        ? Object.entries(object.status?.hard ?? {})
            .map(([k, v]) => `${k} ${object.status?.used?.[k] ?? '?'}/${v}`)
            .join(', ')
        : undefined;
      const revision = rolloutRaised(r, input, resource);
      findings.push({
        ...base,
        signal: 'QuotaExceeded',
        summary: clip(
          `${r.kind} ${name} has ${ready}/${desired} pods: the API server refuses its new pods because ResourceQuota ` +
            `${quotaName} is used up (requested ${requested}, used ${used}, limited ${hard})` +
            (status ? `; the quota holds ${status}` : '') +
            (revision ? `; revision ${revision} raised what each pod asks for` : ''),
          500,
        ),
        attributes: {
          ...identity,
          quota: quotaName,
          resource,
          requested: pairs(requested)[resource] ?? requested,
          used: pairs(used)[resource] ?? used,
          hard: pairs(hard)[resource] ?? hard,
          ...(revision ? { revision, rolloutRaised: true } : {}),
        },
      });
      continue;
    }
    if (range) {
      const [, bound = '', resource = '', type = '', enforced = '', field = '', value = ''] = range;
      const key = bound === 'maximum' ? 'max' : 'min';
      const object = input.limitRanges.find(
        (l) =>
          l.metadata?.namespace === ns &&
          asArray(l.spec?.limits).some((i) => i.type === type && i[key]?.[resource] !== undefined),
      );
      const revision = rolloutRaised(r, input, field === 'request' ? `requests.${resource}` : resource);
      findings.push({
        ...base,
        signal: 'LimitRangeViolation',
        summary: clip(
          `${r.kind} ${name} has ${ready}/${desired} pods: the API server refuses its new pods because ` +
            `${object ? `LimitRange ${nameOf(object)}` : 'a LimitRange'} allows at most ${enforced} ${resource} per ${type} ` +
            `and its ${field || 'container'} asks ${value || 'none'}` +
            (revision ? `; revision ${revision} raised it` : ''),
          500,
        ),
        attributes: {
          ...identity,
          ...(object ? { limitRange: nameOf(object) } : {}),
          resource,
          bound,
          limitType: type,
          enforced,
          ...(field ? { field, value } : {}),
          ...(revision ? { revision, rolloutRaised: true } : {}),
        },
      });
      continue;
    }
    findings.push({
      ...base,
      signal: 'QuotaExceeded',
      summary: clip(`${r.kind} ${name}: ${refusal}`, 500),
      attributes: identity,
    });
  }
  return findings;
}
