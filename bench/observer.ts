/**
 * Observer benchmark: clusters of about 100, 1,000 and 10,000 pods (copies of hotel-reservation) with one
 * fault (geo's targetPort in the first copy). `aoi observe -A` runs as its own process, so its peak RSS is
 * its own; `kubectl get pods,events -A -o json` against the same server is the reference (also timed unpaged,
 * `--chunk-size=0`). Prints figures.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { resourceByKind } from '../aiopslab-harness/sim/api/resources.js';
import { getApp } from '../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../aiopslab-harness/sim/faults/index.js';
import { renderKubeconfig } from '../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../aiopslab-harness/sim/server/http.js';

const BIN = resolve(import.meta.dirname, '../bin/aoi.js');
const TIME = '/usr/bin/time';
const app = getApp('hotel-reservation')!;
const sizes = (process.argv[2] ?? '100,1000,10000').split(',').map(Number);

interface Evidence {
  signal: string;
  subject: { namespace?: string; name: string };
}

async function measure(targetPods: number, dir: string): Promise<void> {
  const copies = Math.max(1, Math.round(targetPods / app.components.length));
  let t = performance.now();
  // Pods request 100m of a node's 8 CPUs: sixty a node leaves room to spare.
  const cluster = new SimCluster({
    seed: 1,
    workers: Math.max(3, Math.ceil((copies * app.components.length) / 60)),
  });
  for (let i = 0; i < copies; i++) cluster.deployApp(app, `hotel-${i}`);
  const settled = cluster.settle(900_000);
  cluster.advance(5 * 60_000);
  injectFault(cluster, 'hotel-0', { kind: 'misconfig_k8s_target_port', target: 'geo', params: {} });
  cluster.advance(3 * 60_000);
  const setupS = (performance.now() - t) / 1000;
  const server = await SimServer.start({ cluster });
  const kubeconfig = join(dir, `kubeconfig-${targetPods}`);
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  const env = { HOME: dir, KUBECACHEDIR: join(dir, 'cache'), PATH: process.env['PATH'] ?? '' };

  const before = server.requestLog.length;
  const argv = [BIN, 'observe', '-A', '--output', 'json', '--kubeconfig', kubeconfig];
  const timed = existsSync(TIME);
  t = performance.now();
  const run = timed
    ? await execa(TIME, ['-f', 'maxrss=%M', process.execPath, ...argv], {
        reject: false,
        env,
        extendEnv: false,
        maxBuffer: 64 << 20,
      })
    : await execa(process.execPath, argv, { reject: false, env, extendEnv: false, maxBuffer: 64 << 20 });
  const observeS = (performance.now() - t) / 1000;
  const requests = server.requestLog.length - before;
  const rssKb = Number(/maxrss=(\d+)/.exec(run.stderr)?.[1] ?? NaN);
  const report = JSON.parse(run.stdout) as {
    evidence: Evidence[];
    stats: { tokens: number; objects: number };
  };
  const rank =
    report.evidence.findIndex((e) => e.subject.name === 'geo' && e.subject.namespace === 'hotel-0') + 1;

  t = performance.now();
  const reference = await execa(
    'kubectl',
    ['--kubeconfig', kubeconfig, 'get', 'pods,events', '-A', '-o', 'json'],
    { reject: false, env, extendEnv: false, maxBuffer: 1 << 30 },
  );
  const kubectlS = (performance.now() - t) / 1000;
  // The simulator sorts the whole collection for every page, so kubectl's 500-item pages cost it O(n²) at
  // 10,000 pods; one unpaged read shows what the reference costs without that.
  t = performance.now();
  const unpaged = await execa(
    'kubectl',
    ['--kubeconfig', kubeconfig, 'get', 'pods,events', '-A', '-o', 'json', '--chunk-size=0'],
    { reject: false, env, extendEnv: false, maxBuffer: 1 << 30 },
  );
  const unpagedS = (performance.now() - t) / 1000;
  await server.close();

  const pods = cluster.store.peekAll(resourceByKind('Pod')).length;
  console.log(
    [
      `pods=${pods} (settled=${settled}, setup ${setupS.toFixed(1)} s)`,
      `observe ${observeS.toFixed(2)} s (exit ${run.exitCode})`,
      `requests ${requests}`,
      `peak RSS ${Number.isNaN(rssKb) ? 'n/a' : `${(rssKb / 1024).toFixed(0)} MiB`}`,
      `evidence ${report.evidence.length} items, ${report.stats.tokens} tokens`,
      `fault evidence rank ${rank || 'absent'} (${report.evidence[rank - 1]?.signal ?? '-'})`,
      `kubectl get pods,events -A -o json ${kubectlS.toFixed(2)} s (exit ${reference.exitCode})`,
      `ratio ${(observeS / kubectlS).toFixed(2)}`,
      `unpaged kubectl ${unpagedS.toFixed(2)} s (exit ${unpaged.exitCode}), ratio ${(observeS / unpagedS).toFixed(2)}`,
    ].join(' | '),
  );
}

const dir = await mkdtemp(join(tmpdir(), 'aoi-bench-observer-'));
try {
  for (const size of sizes) await measure(size, dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
