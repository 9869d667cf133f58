/**
 * One pod's series in the Prometheus text exposition format (version 0.0.4), as a scrape target would
 * serve them: `# HELP` and `# TYPE` per family, histograms as `_bucket`/`_sum`/`_count`, no timestamps.
 * Values are read at the exact moment of the scrape (GridSeries.exactAt), so a scraper polling every
 * second sees counters grow at every scrape rather than in steps of the API's 15 s grid.
 */
import { METRICS } from './catalog.js';
import type { ClusterSeriesSource } from './series.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function familyOf(name: string): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return METRICS[base]?.type === 'histogram' ? base : name;
}

/** The exposition text for a pod, or undefined when the pod has no series (it does not exist). */
export function exposePod(source: ClusterSeriesSource, namespace: string, pod: string): string | undefined {
  return expose(source, source.seriesIn(namespace, pod));
}

/** kube-state-metrics' workload series of a namespace (those without a pod), as its own pod serves them. */
export function exposeKubeState(source: ClusterSeriesSource, namespace: string): string | undefined {
  return expose(source, source.workloadSeriesIn(namespace));
}

function expose(
  source: ClusterSeriesSource,
  series: ReturnType<ClusterSeriesSource['seriesIn']>,
): string | undefined {
  if (series.length === 0) return undefined;
  const families = new Map<string, string[]>();
  for (const s of series) {
    const v = s.exactAt(source.now);
    if (v === undefined) continue;
    const sample = { v };
    const name = s.labels['__name__'] ?? '';
    const labels = Object.entries(s.labels)
      .filter(([k]) => k !== '__name__')
      .map(([k, v]) => `${k}="${escapeValue(v)}"`)
      .join(',');
    const family = familyOf(name);
    const lines = families.get(family) ?? [];
    lines.push(`${name}{${labels}} ${formatValue(sample.v)}`);
    families.set(family, lines);
  }
  let out = '';
  for (const [family, lines] of families) {
    const info = METRICS[family];
    if (info) out += `# HELP ${family} ${info.help}\n# TYPE ${family} ${info.type}\n`;
    out += `${lines.join('\n')}\n`;
  }
  return out;
}
