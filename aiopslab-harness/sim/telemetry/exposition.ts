/**
 * One pod's series in the Prometheus text exposition format (version 0.0.4), as a scrape target would
 * serve them: `# HELP` and `# TYPE` per family, histograms as `_bucket`/`_sum`/`_count`, no timestamps.
 */
import { METRICS } from './catalog.js';
import { LOOKBACK_MS } from './promql-eval.js';
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
  const series = source.seriesIn(namespace, pod);
  if (series.length === 0) return undefined;
  const families = new Map<string, string[]>();
  for (const s of series) {
    const sample = s.samples(source.now - LOOKBACK_MS, source.now).at(-1);
    if (!sample) continue;
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
