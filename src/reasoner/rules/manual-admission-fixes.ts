/**
 * Pods the API server refuses (observer: QuotaExceeded, LimitRangeViolation). A namespace's quota and limit
 * ranges are its owner's budget: aoi never raises them, and it never lowers a workload's limits on its own (a
 * limit is what the app was given to run in). So nothing is proposed and the diagnosis says what a person
 * must do, unless a rollout raised what the pods ask for: then rolling back is safe (remedies.ts).
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const val = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return v === undefined || v === '' ? undefined : String(v);
};

export function admitRefusedPods(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'QuotaExceeded' || e.signal === 'LimitRangeViolation');
  if (!ev || ev.attributes?.['rolloutRaised'] === true) return undefined;
  const ns = ev.subject.namespace ?? 'default';
  const workload = `${val(ev, 'workloadKind') ?? 'Deployment'} ${root.name}`;
  const resource = val(ev, 'resource') ?? '?';
  if (ev.signal === 'QuotaExceeded') {
    const quota = val(ev, 'quota') ?? '?';
    return (
      `no automatic fix: ResourceQuota ${ns}/${quota} is used up (${resource} used ${val(ev, 'used') ?? '?'} of ` +
      `${val(ev, 'hard') ?? '?'}; each new pod of ${workload} asks ${val(ev, 'requested') ?? '?'}), and a ` +
      `namespace's budget is its owner's decision: a person must raise the quota (kubectl -n ${ns} edit ` +
      `resourcequota ${quota}), free capacity (scale down or delete workloads the namespace no longer needs), ` +
      `or lower what ${root.name}'s pods request; its ReplicaSet retries on its own once one fits`
    );
  }
  const range = val(ev, 'limitRange');
  return (
    `no automatic fix: ${range ? `LimitRange ${ns}/${range}` : 'a LimitRange'} allows ${val(ev, 'bound') ?? 'at most'} ` +
    `${val(ev, 'enforced') ?? '?'} ${resource} per ${val(ev, 'limitType') ?? 'Container'} but ${workload}'s ` +
    `${val(ev, 'field') ?? 'container'} is ${val(ev, 'value') ?? 'unset'}: a person must either change the range ` +
    `(its owner's decision) or set ${root.name}'s ${resource} ${val(ev, 'field') ?? 'limit'} within it, knowing ` +
    `what the app needs (a memory limit below its working set gets it OOMKilled)`
  );
}
