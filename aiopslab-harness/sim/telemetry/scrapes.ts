/**
 * One pod's exposition at the moment of a scrape, from series built once: which series a pod has, their
 * labels and how each value follows from time change only when the pod, the app's health or the dialects
 * do, so between such changes a scrape only reads values. A real Prometheus scraping a few dozen pods every
 * second would otherwise have the simulator rebuild every series of every pod each second (about 25 ms of
 * CPU per pod in three dialects, more than the one core a test may use).
 */
import { resourceByKind } from '../api/resources.js';
import type { JsonObject } from '../api/json.js';
import type { AppHealth } from '../health.js';
import type { SimWorld } from '../runtime.js';
import { METRICS } from './catalog.js';
import { familyHeader, familyOf, formatValue, seriesText } from './exposition.js';
import type { SampleFn } from './samplers.js';
import { ClusterSeriesSource } from './series.js';

interface Line {
  prefix: string;
  fn: SampleFn;
  end: number;
  /** Its exporter stamps the sample with the time it read it (MetricInfo.timestamped). */
  stamped: boolean;
}

interface Template {
  /** What the series were built from: the store's version, the dialects and the health timeline. */
  version: string;
  lastHealth: AppHealth | undefined;
  families: { header: string; lines: Line[] }[];
}

const cache = new WeakMap<SimWorld, Map<string, Template>>();
const MAX_PODS = 2000;

const PODS = resourceByKind('Pod');

/**
 * What a pod's series are built from: the pod object (its containers, restarts, readiness), its earlier
 * incarnations of the same name (a StatefulSet's), the app's health timeline and the dialects.
 */
function versionOf(world: SimWorld, namespace: string, pod: string, now: number) {
  const live = world.store.peek(PODS, namespace, pod)?.['metadata'] as
    { resourceVersion?: string } | undefined;
  const gone = world.graveyard?.list(namespace).filter((t) => nameOf(t.pod) === pod).length ?? 0;
  const changes = world.healthTimeline?.changes(namespace);
  // Without a timeline the health model at `now` stands for every time: nothing can be kept.
  const timeline = changes ? `${changes.length}@${changes.at(-1)?.at ?? ''}` : `now ${now}`;
  return {
    version: `${live?.resourceVersion ?? '-'}/${gone}/${(world.metricDialects ?? []).join(',')}/${timeline}`,
    lastHealth: changes?.at(-1)?.health,
  };
}

const nameOf = (pod: JsonObject) => (pod['metadata'] as { name?: string } | undefined)?.name;

function build(world: SimWorld, now: number, namespace: string, pod: string): Template['families'] {
  const families = new Map<string, Line[]>();
  for (const def of new ClusterSeriesSource(world, now).podDefs(namespace, pod)) {
    const family = familyOf(def.labels['__name__'] ?? '');
    const lines = families.get(family) ?? [];
    const stamped = METRICS[family]?.timestamped === true;
    lines.push({ prefix: `${seriesText(def.labels)} `, fn: def.fn, end: def.end, stamped });
    families.set(family, lines);
  }
  return [...families].map(([family, lines]) => ({ header: familyHeader(family), lines }));
}

/**
 * The exposition text for a pod at `now`, or undefined when the pod has no series (it does not exist).
 * `scraperTime`: the scraper's clock at `now`, when simulated time follows the wall: the samples of
 * exporters that stamp theirs carry it (without it, nothing is stamped: simulated time is not the
 * scraper's).
 */
export function scrapePod(
  world: SimWorld,
  now: number,
  namespace: string,
  pod: string,
  scraperTime?: number,
): string | undefined {
  let byPod = cache.get(world);
  // Pods come and go in a long `aoi sim start`: start afresh rather than keep the gone ones' series.
  if (!byPod || byPod.size > MAX_PODS) cache.set(world, (byPod = new Map<string, Template>()));
  const { version, lastHealth } = versionOf(world, namespace, pod, now);
  const key = `${namespace}/${pod}`;
  let template = byPod.get(key);
  if (!template || template.version !== version || template.lastHealth !== lastHealth) {
    template = { version, lastHealth, families: build(world, now, namespace, pod) };
    byPod.set(key, template);
  }
  if (template.families.length === 0) return undefined;
  const stamp = scraperTime === undefined ? '' : ` ${Math.round(scraperTime)}`;
  let out = '';
  for (const { header, lines } of template.families) {
    let text = '';
    for (const line of lines) {
      const v = now > line.end ? undefined : line.fn(now, true);
      if (v !== undefined) text += `${line.prefix}${formatValue(v)}${line.stamped ? stamp : ''}\n`;
    }
    if (text) out += `${header}${text}`;
  }
  return out;
}
