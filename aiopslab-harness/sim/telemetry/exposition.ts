/**
 * Series in the Prometheus text exposition format (version 0.0.4), as a scrape target would serve them:
 * `# HELP` and `# TYPE` per family, histograms as `_bucket`/`_sum`/`_count`, no timestamps. Values are read
 * at the exact moment of the scrape (GridSeries.exactAt), so a scraper polling every second sees counters
 * grow at every scrape rather than in steps of the API's 15 s grid. A pod's own series: scrapes.ts.
 */
import { METRICS } from './catalog.js';
import type { ClusterSeriesSource } from './series.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function familyOf(name: string): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return METRICS[base]?.type === 'histogram' ? base : name;
}

/** A series' name and labels as its exposition line starts: `name{k="v",…}`. */
export function seriesText(labels: Readonly<Record<string, string>>): string {
  const text = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${escapeValue(v)}"`)
    .join(',');
  return `${labels['__name__'] ?? ''}{${text}}`;
}

/** A family's `# HELP` and `# TYPE` lines ('' for a family the catalog does not know). */
export function familyHeader(family: string): string {
  const info = METRICS[family];
  return info ? `# HELP ${family} ${info.help}\n# TYPE ${family} ${info.type}\n` : '';
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
    const family = familyOf(s.labels['__name__'] ?? '');
    const lines = families.get(family) ?? [];
    lines.push(`${seriesText(s.labels)} ${formatValue(v)}`);
    families.set(family, lines);
  }
  let out = '';
  for (const [family, lines] of families) out += `${familyHeader(family)}${lines.join('\n')}\n`;
  return out;
}
