/**
 * Chaos Mesh experiments as data. The simulated API serves no CRDs, so a PodChaos or NetworkChaos is a
 * ConfigMap labelled `chaos-mesh.org/kind: <Kind>` holding the experiment's spec (`spec.yaml`, the manifest's
 * spec as Chaos Mesh takes it) and, once the chaos controller has acted, its status (`status.yaml`: phase,
 * start time, the pods it selected). An agent sees it with `kubectl get configmaps`; deleting it ends the
 * experiment, as deleting the custom resource would.
 */
import { parse, stringify } from 'yaml';
import type { JsonObject } from '../api/json.js';
import type { SimWorld } from '../runtime.js';
import { R } from './topology.js';

export const CHAOS_KIND_LABEL = 'chaos-mesh.org/kind';
export const CHAOS_KINDS = ['PodChaos', 'NetworkChaos'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

export interface ChaosSpec {
  action: string;
  mode?: string;
  value?: string;
  duration?: string;
  selector: { namespaces?: string[]; labelSelectors?: Record<string, string> };
  containerNames?: string[];
  loss?: { loss: string; correlation?: string };
  delay?: { latency: string; jitter?: string; correlation?: string };
}

export interface ChaosRecord {
  /** `<namespace>/<pod>` */
  id: string;
  phase: 'Injected' | 'Recovered';
}

export interface ChaosStatus {
  phase: 'Running' | 'Finished';
  startTime: string;
  records: ChaosRecord[];
}

export interface Chaos {
  kind: ChaosKind;
  name: string;
  namespace: string;
  uid: string;
  spec: ChaosSpec;
  status?: ChaosStatus;
}

/** The ConfigMap standing for a Chaos Mesh experiment. */
export function chaosObject(kind: ChaosKind, name: string, namespace: string, spec: ChaosSpec): JsonObject {
  return {
    metadata: {
      name,
      namespace,
      labels: { [CHAOS_KIND_LABEL]: kind, 'app.kubernetes.io/managed-by': 'chaos-mesh' },
      annotations: { 'chaos-mesh.org/api-version': 'chaos-mesh.org/v1alpha1' },
    },
    data: { 'spec.yaml': stringify(spec) },
  };
}

export function isChaosObject(obj: JsonObject): boolean {
  const labels = (obj['metadata'] as { labels?: Record<string, string> } | undefined)?.labels;
  return CHAOS_KINDS.includes(labels?.[CHAOS_KIND_LABEL] as ChaosKind);
}

export function readChaos(obj: JsonObject): Chaos | undefined {
  if (!isChaosObject(obj)) return undefined;
  const meta = obj['metadata'] as {
    name: string;
    namespace?: string;
    uid: string;
    labels: Record<string, string>;
  };
  const data = (obj['data'] ?? {}) as Record<string, string>;
  try {
    const spec = parse(data['spec.yaml'] ?? '') as ChaosSpec | null;
    if (!spec || typeof spec.action !== 'string') return undefined;
    const status = data['status.yaml'] ? (parse(data['status.yaml']) as ChaosStatus) : undefined;
    return {
      kind: meta.labels[CHAOS_KIND_LABEL] as ChaosKind,
      name: meta.name,
      namespace: meta.namespace ?? 'default',
      uid: meta.uid,
      spec,
      ...(status ? { status } : {}),
    };
  } catch {
    return undefined;
  }
}

export function statusData(status: ChaosStatus): string {
  return stringify(status);
}

/** Chaos Mesh durations: "200s", "100ms", "1m", "1h30m". */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]!]!;
    matched += m[0];
  }
  return matched === text ? total : undefined;
}

/** Chaos experiments in a namespace. */
export function chaosIn(world: SimWorld, namespace: string): Chaos[] {
  return world.store
    .peekAll(R.configmaps, namespace)
    .map(readChaos)
    .filter((c): c is Chaos => c !== undefined);
}

export interface NetworkEffect {
  /** Fraction of packets dropped. */
  loss: number;
  delayMs: number;
}

/** Pods (by name) under an injected NetworkChaos right now, and what it does to their traffic. */
export function networkEffects(world: SimWorld, namespace: string): Map<string, NetworkEffect> {
  const out = new Map<string, NetworkEffect>();
  for (const chaos of chaosIn(world, namespace)) {
    if (chaos.kind !== 'NetworkChaos' || chaos.status?.phase !== 'Running') continue;
    const loss = chaos.spec.action === 'loss' ? Number(chaos.spec.loss?.loss ?? 0) / 100 : 0;
    const delayMs = chaos.spec.action === 'delay' ? (parseDuration(chaos.spec.delay?.latency) ?? 0) : 0;
    for (const record of chaos.status.records) {
      if (record.phase !== 'Injected') continue;
      const [ns, pod] = record.id.split('/');
      if (ns !== namespace || !pod) continue;
      const prev = out.get(pod) ?? { loss: 0, delayMs: 0 };
      out.set(pod, { loss: 1 - (1 - prev.loss) * (1 - loss), delayMs: prev.delayMs + delayMs });
    }
  }
  return out;
}
