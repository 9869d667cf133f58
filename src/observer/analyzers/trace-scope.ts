/**
 * What of Jaeger belongs to one observation: the window (spans that started in it), the services that stand
 * for the observed namespace's components, and the namespaces traces declare. Jaeger has no namespaces, so
 * this is decided here, from names and process tags.
 */
import type { JaegerTrace } from '../jaeger-model.js';

/** The trace with only its spans that started inside the window (Jaeger returns whole traces). */
export function within(trace: JaegerTrace, startUs: number, endUs: number): JaegerTrace | undefined {
  const spans = trace.spans.filter((s) => s.startTime >= startUs && s.startTime <= endUs);
  return spans.length === 0 ? undefined : { ...trace, spans };
}

/** Jaeger service name → the observed namespace's component it stands for, if any. */
export function componentMap(
  services: readonly string[],
  components: readonly string[] | undefined,
): Map<string, string> | undefined {
  if (components === undefined) return undefined;
  const map = new Map<string, string>();
  const names = [...new Set(components)];
  for (const svc of services) {
    const exact = names.find((c) => c === svc);
    const released = names.filter((c) => c.endsWith(`-${svc}`));
    const match = exact ?? (released.length === 1 ? released[0] : undefined);
    if (match !== undefined) map.set(svc, match);
  }
  return map;
}

/**
 * The Kubernetes namespaces a trace's processes declare (`k8s.namespace.name`, which OpenTelemetry's
 * k8sattributes processor adds). Not `service.namespace`: that is a logical grouping (the OpenTelemetry demo
 * sets `opentelemetry-demo` whatever namespace it runs in).
 */
export function declaredNamespaces(trace: JaegerTrace): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Object.values(trace.processes)) {
    const ns = p.tags?.find((t) => t.key === 'k8s.namespace.name');
    if (ns) out.set(p.serviceName, String(ns.value));
  }
  return out;
}

export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Which services to query, focus first, capped. */
export function chooseServices(all: readonly string[], focus: readonly string[], max: number): string[] {
  const first = all.filter((s) => focus.includes(s));
  const rest = [...all].sort().filter((s) => !first.includes(s));
  return [...first, ...rest].slice(0, max);
}
