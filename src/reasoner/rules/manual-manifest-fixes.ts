/**
 * Manifest faults (docs/oncall-catalog.md) that no typed action undoes safely when no earlier revision can be
 * rolled back to: a probe at a path the app does not serve (only its owners know the right one), a reference
 * to configuration that does not exist (aoi never invents a ConfigMap or a Secret), an init container that
 * fails. The words are instructions for a person, never commands aoi runs.
 */
import type { Evidence } from '../../core/evidence.js';
import type { ComponentView } from './graph.js';

const str = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};
const val = (ev: Evidence, key: string): string | undefined => {
  const v = ev.attributes?.[key];
  return v === undefined || v === '' ? undefined : String(v);
};

/** A rollout brought the fault in: rolling back is the safe fix, and the remedies propose it. */
const rollbackPossible = (root: ComponentView): boolean =>
  root.own.some((ev) => Number(ev.attributes?.['revision'] ?? 1) > 1);

export function fixProbeEndpoint(root: ComponentView): string | undefined {
  const ev = root.own.find(
    (e) =>
      (e.signal === 'LivenessProbeFailing' || e.signal === 'ReadinessProbeFailing') &&
      val(e, 'suggestedPort') === undefined,
  );
  // A probe at the right port that only fires too early is a timing fault, which a startup probe fixes.
  if (!ev || rollbackPossible(root) || root.own.some((e) => e.signal === 'ProbeKillsDuringStartup'))
    return undefined;
  const probe = str(ev, 'probe') ?? 'the';
  const where = [val(ev, 'probePort') && `port ${val(ev, 'probePort')}`, val(ev, 'probePath')]
    .filter(Boolean)
    .join(' path ');
  return (
    `no automatic fix: a person must point the ${probe} probe of container ${str(ev, 'container') ?? '?'} ` +
    `(${str(ev, 'workload') ?? root.name}) at a port and path the app serves, or remove it: it dials ` +
    `${where || 'an endpoint'} and gets "${(ev.excerpt ?? '').replace(/^\w+ probe failed: /, '')}"; ` +
    `the container declares port(s) ${str(ev, 'declaredPorts') || 'none'}`
  );
}

export function createConfigReference(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'ContainerConfigError');
  if (!ev || rollbackPossible(root)) return undefined;
  const text = `${ev.summary}\n${ev.excerpt ?? ''}`;
  const missing =
    /(configmap|secret) "([^"]+)" not found/i.exec(text) ??
    /couldn't find key (\S+) in (ConfigMap|Secret) (\S+)/i.exec(text);
  const what = missing
    ? missing[0].startsWith("couldn't")
      ? `key ${missing[1]} in ${missing[2]} ${missing[3]}`
      : `${missing[1]} ${missing[2]}`
    : 'the ConfigMap or Secret its env or volumes reference';
  return (
    `no automatic fix: a person must create ${what} with the value the workload expects, or remove the ` +
    `reference from ${root.name}'s pod template; aoi does not invent configuration or secrets`
  );
}

export function fixInitContainer(root: ComponentView): string | undefined {
  const ev = root.own.find((e) => e.signal === 'InitContainerFailing');
  if (!ev || rollbackPossible(root)) return undefined;
  return (
    `no automatic fix: a person must fix init container ${str(ev, 'container') ?? '?'} of ` +
    `${str(ev, 'workload') ?? root.name} (it exits ${val(ev, 'exitCode') ?? 'non-zero'}; kubectl logs ` +
    `<pod> -c ${str(ev, 'container') ?? '<init container>'} says why), or remove it if the check it makes is wrong`
  );
}
