/**
 * Simulator benchmark: how long a cluster takes to come up, how fast the API answers lists over HTTP,
 * and what it costs in memory, for one app and for many copies of it. Prints its figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SimCluster } from '../aiopslab-harness/sim/cluster.js';
import { getApp } from '../aiopslab-harness/sim/apps/index.js';
import { SimServer } from '../aiopslab-harness/sim/server/http.js';

const app = getApp('hotel-reservation')!;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(copies: number): Promise<void> {
  const t0 = performance.now();
  // Pods request 100m of a node's 8 CPUs: sixty a node leaves room to spare, so every pod fits.
  const cluster = new SimCluster({
    seed: 1,
    workers: Math.max(3, Math.ceil((copies * app.components.length) / 60)),
  });
  for (let i = 0; i < copies; i++) cluster.deployApp(app, copies === 1 ? app.defaultNamespace : `hotel-${i}`);
  const settled = cluster.settle(600_000);
  const bringUpMs = performance.now() - t0;

  const t1 = performance.now();
  cluster.advance(60_000);
  const advanceMs = performance.now() - t1;

  const server = await SimServer.start({ cluster });
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'sim', server: server.url, skipTLSVerify: true },
    { name: 'bench-observer', token: server.tokens.observer },
  );
  const core = kc.makeApiClient(CoreV1Api);
  const rounds = copies === 1 ? 200 : 20;
  const listAll: number[] = [];
  const listOne: number[] = [];
  let podCount = 0;
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    podCount = (await core.listPodForAllNamespaces({})).items.length;
    listAll.push(performance.now() - t);
    t = performance.now();
    await core.listNamespacedPod({
      namespace: copies === 1 ? app.defaultNamespace : 'hotel-0',
      labelSelector: 'io.kompose.service=geo',
    });
    listOne.push(performance.now() - t);
  }
  listAll.sort((a, b) => a - b);
  listOne.sort((a, b) => a - b);
  await server.close();
  const fmt = (n: number) => n.toFixed(1);
  console.log(
    [
      `copies=${copies} pods=${podCount} settled=${settled}`,
      `bring-up ${fmt(bringUpMs)} ms`,
      `advance 60s simulated ${fmt(advanceMs)} ms`,
      `list all pods p50 ${fmt(quantile(listAll, 0.5))} ms p95 ${fmt(quantile(listAll, 0.95))} ms`,
      `list one service's pods p50 ${fmt(quantile(listOne, 0.5))} ms p95 ${fmt(quantile(listOne, 0.95))} ms`,
      `rss ${fmt(process.memoryUsage().rss / 1024 / 1024)} MiB`,
    ].join(' | '),
  );
}

for (const copies of [1, 10, 50]) await measure(copies);
