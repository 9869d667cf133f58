/**
 * A scrape of a realtime simulator on a busy machine: the ticker that moves simulated time comes late, and
 * a scrape is answered a while after the scraper sent it. What the exposition says must still be what a
 * real exporter says at that moment, so a rate() over two scrapes reads the simulated rate (a false
 * CpuHigh on the healthy namespace was seen under a load average above 15). The wall clock is a fake one
 * the test moves by hand, and the ticker is left idle, so every late tick and late answer is certain. A
 * twin cluster, advanced by hand, says what the values are at each moment.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceByKind } from '../../../aiopslab-harness/sim/api/resources.js';
import { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { SimServer } from '../../../aiopslab-harness/sim/server/http.js';
import { tinyApp } from '../fixtures.js';

const NS = 'tiny';

function build(): SimCluster {
  const cluster = new SimCluster({ seed: 5 });
  cluster.deployApp(tinyApp, NS);
  expect(cluster.settle()).toBe(true);
  cluster.advance(60_000);
  return cluster;
}

interface Sample {
  value: number;
  /** The exporter's own timestamp (ms), if it wrote one. */
  stamp?: number;
}

function get(server: SimServer, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { ca: server.caPem, headers: { Authorization: `Bearer ${server.tokens.observer}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A pod's exposition as `series → sample` (the series text up to its closing brace). */
async function scrape(server: SimServer, pod: string): Promise<Map<string, Sample>> {
  const out = new Map<string, Sample>();
  for (const line of (await get(server, `/metrics/pods/${NS}/${pod}`)).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const end = line.lastIndexOf('}');
    const [value, stamp, ...rest] = line.slice(end + 2).split(' ');
    expect(rest, line).toEqual([]);
    out.set(line.slice(0, end + 1), { value: Number(value), ...(stamp ? { stamp: Number(stamp) } : {}) });
  }
  return out;
}

const CPU = (pod: string) =>
  `container_cpu_usage_seconds_total{namespace="${NS}",pod="${pod}",container="web",node="`;

describe('a realtime simulator scraped on a busy machine', () => {
  let live: SimCluster;
  let twin: SimCluster;
  let server: SimServer;
  let twinServer: SimServer;
  let pod: string;
  /** The fake wall: where the scraper's clock is, and how late the simulator answers. */
  let wall = Date.now();
  let answerDelay = 0;

  beforeAll(async () => {
    live = build();
    twin = build();
    // An idle ticker: no tick comes during the test, the latest a tick can be.
    server = await SimServer.start({
      cluster: live,
      realtime: true,
      speed: 1,
      wall: () => wall + answerDelay,
      tickMs: 3_600_000,
    });
    twinServer = await SimServer.start({ cluster: twin });
    pod = live.store
      .peekAll(resourceByKind('Pod'), NS)
      .map((p) => (p['metadata'] as { name: string }).name)
      .find((n) => n.startsWith('web-'))!;
  });

  afterAll(async () => {
    await server?.close();
    await twinServer?.close();
  });

  /** The series of `pod` starting with `prefix` in a scrape. */
  const one = (samples: Map<string, Sample>, prefix: string): Sample => {
    const found = [...samples].filter(([k]) => k.startsWith(prefix));
    expect(found, prefix).toHaveLength(1);
    return found[0]![1];
  };

  it('reads the cluster as of the wall time it is answered at, however late the last tick', async () => {
    wall += 1000;
    const a = await scrape(server, pod);
    twin.advance(1000);
    const ta = await scrape(twinServer, pod);
    // Every series, the apps' request counters as much as cAdvisor's, has the value it has at that moment.
    expect(new Map([...a].map(([k, s]) => [k, s.value]))).toEqual(
      new Map([...ta].map(([k, s]) => [k, s.value])),
    );
    expect(live.clock.now()).toBe(twin.clock.now());
  });

  it('stamps cAdvisor’s samples with the time it read them, and only those', async () => {
    answerDelay = 700;
    const samples = await scrape(server, pod);
    answerDelay = 0;
    // The scraper's clock and the twin catch up with the late answer.
    wall += 700;
    twin.advance(700);
    const stamped = [...samples].filter(([, s]) => s.stamp !== undefined).map(([k]) => k.split('{')[0]);
    expect(new Set(stamped)).toEqual(
      new Set(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']),
    );
    for (const [, s] of samples) if (s.stamp !== undefined) expect(s.stamp).toBe(wall);
  });

  it('never lets a counter go down between two scrapes of a pod that did not restart', async () => {
    // Prometheus reads a counter that went down as a reset and counts its whole value again: a CPU counter
    // a few hundredths of a second lower at a 15 s boundary of the API's sample grid made rate() read 27×
    // the pod's CPU (a false CpuHigh on the healthy namespace).
    const counters = (samples: Map<string, Sample>) =>
      [...samples].filter(([k]) => /^\w+(?:_total|_bucket|_sum|_count)\{/.test(k));
    let last = new Map(counters(await scrape(server, pod)));
    const drops: string[] = [];
    for (let step = 0; step < 80; step++) {
      wall += 400;
      const now = new Map(counters(await scrape(server, pod)));
      for (const [k, s] of now) {
        const before = last.get(k)?.value;
        if (before !== undefined && s.value < before) drops.push(`${k}: ${before} → ${s.value}`);
      }
      last = now;
    }
    twin.advance(80 * 400);
    expect(last.size).toBeGreaterThan(5);
    expect(drops).toEqual([]);
  });

  it('gives rate() the simulated CPU rate across late ticks and late answers, as Prometheus computes it', async () => {
    /** Prometheus' sample: the exporter's timestamp if it wrote one (honor_timestamps), else its own scrape's start. */
    const scrapeAt = async (lateBy: number) => {
      const sentAt = wall;
      answerDelay = lateBy;
      const s = one(await scrape(server, pod), CPU(pod));
      answerDelay = 0;
      return { t: s.stamp ?? sentAt, v: s.value };
    };
    const truth = async () => one(await scrape(twinServer, pod), CPU(pod)).value;

    const first = await scrapeAt(0);
    const v0 = await truth();
    // The next scrape, sent 2 s later, is answered 900 ms late (a busy event loop), and no tick came.
    wall += 2000;
    const second = await scrapeAt(900);
    twin.advance(2900);
    const v1 = await truth();
    wall += 900;
    const simulated = (v1 - v0) / 2.9;
    const measured = (second.v - first.v) / ((second.t - first.t) / 1000);
    expect(simulated).toBeGreaterThan(0);
    expect(measured).toBeCloseTo(simulated, 9);
  });
});
