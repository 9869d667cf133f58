/**
 * One compact line saying what a look read (kinds with counts, logs, Prometheus and Jaeger) and one line per
 * thing it could not read, shared by `aoi diagnose` and `aoi observe`: a reader knows how far "no fault
 * found" reaches.
 */
import type { ObservationCoverage, TelemetryCoverage } from '../core/observation-report.js';

/** kubectl's short names, most telling first. */
const SHORT: readonly (readonly [string, string])[] = [
  ['pods', 'pods'],
  ['deployments', 'deploy'],
  ['statefulsets', 'sts'],
  ['replicasets', 'rs'],
  ['services', 'svc'],
  ['endpoints', 'ep'],
  ['events', 'events'],
  ['configmaps', 'cm'],
  ['persistentvolumeclaims', 'pvc'],
  ['persistentvolumes', 'pv'],
  ['nodes', 'nodes'],
  ['horizontalpodautoscalers', 'hpa'],
  ['jobs', 'jobs'],
  ['cronjobs', 'cj'],
  ['resourcequotas', 'quota'],
  ['limitranges', 'limits'],
];

const VIA: Record<NonNullable<TelemetryCoverage['via']>, string> = {
  flag: '--{name}-url',
  discovered: 'found in the cluster',
  endpoint: "the target's",
};

function telemetry(name: string, t: TelemetryCoverage): string {
  if (!t.found || t.via === null) return `${name} not found`;
  const failed = t.gaps > 0 ? `, ${t.gaps} failed read(s)` : '';
  return `${name} (${VIA[t.via].replace('{name}', name)}${failed})`;
}

export function coverageLine(c: ObservationCoverage): string {
  const codes = new Map(c.gaps.map((g) => [g.what, g.code]));
  const kinds = SHORT.filter(([kind]) => kind in c.kinds).map(([kind, short]) => {
    const count = c.kinds[kind];
    return `${short} ${count === null || count === undefined ? (codes.get(kind) ?? 'unread') : count}`;
  });
  const logExtra = [
    ...(c.logs.forbidden > 0 ? [`${c.logs.forbidden} forbidden`] : []),
    ...(c.logs.failed > 0 ? [`${c.logs.failed} failed`] : []),
  ];
  const logs = `logs ${c.logs.read}${logExtra.length > 0 ? ` (${logExtra.join(', ')})` : ''}`;
  return `${kinds.join(', ')}; ${logs}; ${telemetry('prometheus', c.telemetry.prometheus)}, ${telemetry('jaeger', c.telemetry.jaeger)}`;
}

/** What could not be read, by name, for a verdict line: `events, configmaps`. */
export function unreadList(c: ObservationCoverage, max = 6): string {
  const names = c.gaps.map((g) => g.what);
  return names.length > max
    ? `${names.slice(0, max).join(', ')} and ${names.length - max} more`
    : names.join(', ');
}

/** One line per gap (at most `max`), each `what: code (message)`, the message cut to fit a terminal. */
export function gapLines(c: ObservationCoverage, max = 5): string[] {
  const lines = c.gaps
    .slice(0, max)
    .map(
      (g) => `${g.what}: ${g.code} (${g.message.length > 140 ? `${g.message.slice(0, 139)}…` : g.message})`,
    );
  if (c.gaps.length > max) lines.push(`… and ${c.gaps.length - max} more`);
  return lines;
}
