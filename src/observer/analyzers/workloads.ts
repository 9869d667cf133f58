import type { Container, Node, Service, Workload } from '../k8s-types.js';
import { asArray, byNamespace, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { clip, matchesSelector, subjectOf } from './finding.js';

/** The pod template as an SRE reads it: image, command/args, env names only, placement. */
export function describeTemplate(w: Workload): string {
  const spec = w.spec?.template?.spec;
  const lines = asArray(spec?.containers).map((c: Container) => {
    const env = asArray(c.env)
      .map((e) => e.name)
      .filter(Boolean)
      .join(',');
    return [
      `container ${c.name ?? '?'}: image ${c.image ?? '?'}`,
      c.command ? ` command ${JSON.stringify(c.command)}` : '',
      c.args ? ` args ${JSON.stringify(c.args)}` : '',
      env ? ` env names [${env}]` : '',
    ].join('');
  });
  if (spec?.nodeSelector) lines.push(`nodeSelector ${JSON.stringify(spec.nodeSelector)}`);
  if (spec?.affinity) lines.push(`affinity ${clip(JSON.stringify(spec.affinity), 200)}`);
  if (spec?.tolerations) lines.push(`tolerations ${clip(JSON.stringify(spec.tolerations), 200)}`);
  return clip(lines.join('\n'), 1000);
}

/** nodeSelector keys no node satisfies, given the nodes the observer could read (none read: none reported). */
function unsatisfiedSelectorKeys(
  selector: Record<string, string> | undefined,
  nodes: readonly Node[],
): string[] {
  if (!selector || nodes.length === 0) return [];
  const fits = (n: Node) => Object.entries(selector).every(([k, v]) => n.metadata?.labels?.[k] === v);
  if (nodes.some(fits)) return [];
  return Object.entries(selector)
    .filter(([k, v]) => !nodes.some((n) => n.metadata?.labels?.[k] === v))
    .map(([k]) => k);
}

/** The command a workload whose binary belongs to another most plausibly meant: the same path, its own name. */
function ownCommand(command: readonly string[], workload: string): string {
  const first = command[0] ?? workload;
  const slash = first.lastIndexOf('/');
  return `${slash >= 0 ? first.slice(0, slash + 1) : ''}${workload}`;
}

/** Desired vs ready, rollout state, zero replicas behind a Service, and a binary that belongs to another workload. */
export function analyzeWorkloads(
  kind: 'Deployment' | 'StatefulSet',
  workloads: readonly Workload[],
  services: readonly Service[],
  allWorkloadNames: ReadonlySet<string>,
  nodes: readonly Node[] = [],
): Finding[] {
  const findings: Finding[] = [];
  const servicesIn = byNamespace(services);
  for (const w of workloads) {
    const name = nameOf(w);
    const subject = subjectOf(kind, w);
    const desired = w.spec?.replicas ?? 1;
    const ready = w.status?.readyReplicas ?? 0;
    const current = w.status?.replicas ?? 0;
    const updated = w.status?.updatedReplicas ?? 0;
    const excerpt = describeTemplate(w);
    const revision = w.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    const identity = {
      workload: name,
      workloadKind: kind,
      ...(revision ? { revision: Number(revision) } : {}),
    };
    const base = { source: 'kubernetes' as const, subject, component: name, excerpt, attributes: identity };
    const labels = w.spec?.template?.metadata?.labels;
    const selectedBy = (servicesIn.get(w.metadata?.namespace) ?? []).filter((s) =>
      matchesSelector(labels, s.spec?.selector ?? {}),
    );
    if (desired === 0) {
      const served = selectedBy.length > 0;
      findings.push({
        ...base,
        signal: 'ScaledToZero',
        severity: served ? 'critical' : 'warning',
        score: served ? 92 : 20,
        summary: `${kind} ${name} is scaled to 0 replicas${served ? `; Service ${selectedBy.map(nameOf).join(', ')} selects it` : ''}`,
      });
      continue;
    }
    if (ready < desired)
      findings.push({
        ...base,
        signal: 'ReplicasUnavailable',
        severity: 'error',
        score: 55,
        summary: `${kind} ${name} has ${ready}/${desired} replicas ready`,
      });
    if (kind === 'Deployment' && (current > desired || updated < desired))
      findings.push({
        ...base,
        signal: 'RolloutStuck',
        attributes: { ...identity, updated, ready, desired },
        severity: 'error',
        score: 68,
        summary: `${kind} ${name} rollout is not complete: ${updated}/${desired} updated, ${current} replicas exist, ${ready} ready`,
      });
    const missing = unsatisfiedSelectorKeys(w.spec?.template?.spec?.nodeSelector, nodes);
    if (missing.length > 0)
      findings.push({
        ...base,
        signal: 'NodeSelectorUnsatisfiable',
        severity: ready < desired ? 'critical' : 'warning',
        score: ready < desired ? 93 : 30,
        summary: `${kind} ${name} requires node labels no node has: ${missing.map((k) => `${k}=${w.spec?.template?.spec?.nodeSelector?.[k] ?? ''}`).join(', ')}`,
        attributes: { ...identity, nodeSelectorKeys: missing.join(',') },
      });
    for (const c of asArray(w.spec?.template?.spec?.containers)) {
      const binary = c.command?.[0]?.split('/').pop()?.toLowerCase();
      if (binary && binary !== name.toLowerCase() && allWorkloadNames.has(binary) && !name.includes(binary))
        findings.push({
          ...base,
          attributes: {
            ...identity,
            container: c.name ?? '',
            binary,
            expectedCommand: ownCommand(c.command ?? [], name),
          },
          signal: 'WrongBinary',
          severity: 'error',
          score: 90,
          summary: `${kind} ${name} container ${c.name ?? '?'} runs "${binary}", the binary of another workload`,
        });
    }
  }
  return findings;
}
