/**
 * Start-up benchmark (issue 14): how long `aoi` takes to answer, as a ratio to a bare `node -e 0` measured
 * in the same run. Each command runs 5 times, round-robin so that a busy machine weighs on all of them
 * alike; the median counts. Measured: `aoi --help` built and from sources, and `aoi diagnose --reasoner
 * rules -n <ns>` (built) against a simulator serving ~100 pods in that namespace, with its peak RSS.
 * "Built" is a package laid out as `npm pack` ships it (dist/, bin/, policies/, …) in a temp dir, or the
 * package root given with --package DIR (e.g. an installed copy). Prints figures; asserts nothing.
 *
 *   npm run bench:startup [-- --package DIR] [-- --runs N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { AppSpec } from '../aiopslab-harness/sim/apps/types.js';
import { getApp } from '../aiopslab-harness/sim/apps/index.js';
import { SimCluster } from '../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../aiopslab-harness/sim/faults/index.js';
import { resourceByKind } from '../aiopslab-harness/sim/api/resources.js';
import { renderKubeconfig } from '../aiopslab-harness/sim/kubeconfig.js';
import { SimServer } from '../aiopslab-harness/sim/server/http.js';

const REPO = resolve(import.meta.dirname, '..');
const TIME = '/usr/bin/time';
const TARGET_PODS = 100;

const { values: flags } = parseArgs({
  options: { package: { type: 'string' }, runs: { type: 'string', default: '5' } },
});
const RUNS = Number(flags.runs);

interface Run {
  seconds: number;
  exitCode: number | null;
  rssKiB?: number;
  /** User plus system CPU seconds (GNU time): less swayed by a busy machine than the wall clock. */
  cpuSeconds?: number;
  stderr: string;
}

interface Probe {
  label: string;
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  expectExit: number;
  rss?: boolean;
}

/** One run: wall time from spawn to exit; CPU and peak RSS from GNU time when present, else RSS from a preload. */
function runOnce(probe: Probe, rssProbe: string, rssFile: string): Promise<Run> {
  const timed = existsSync(TIME);
  const preload = probe.rss === true && !timed;
  const argv = preload ? ['--import', rssProbe, ...probe.argv] : probe.argv;
  const [file, args] = timed
    ? [TIME, ['-f', 'aoi-bench=%M %U %S', process.execPath, ...argv]]
    : [process.execPath, argv];
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(file, args, {
      cwd: probe.cwd ?? REPO,
      env: { ...(probe.env ?? process.env), AOI_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (exitCode) => {
      const seconds = (performance.now() - start) / 1000;
      void (async () => {
        let rssKiB: number | undefined;
        let cpuSeconds: number | undefined;
        const figures = /aoi-bench=(\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
        if (timed && figures) {
          if (probe.rss === true) rssKiB = Number(figures[1]);
          cpuSeconds = Number(figures[2]) + Number(figures[3]);
        }
        if (preload) rssKiB = Number(await readFile(rssFile, 'utf8'));
        done({
          seconds,
          exitCode,
          stderr,
          ...(rssKiB === undefined ? {} : { rssKiB }),
          ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
        });
      })().catch(fail);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A package as `npm pack` lays it out (package.json, its `files`, dist/), built with tsc into `dir`. */
async function buildPackage(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  for (const entry of manifest.files) {
    if (entry === 'dist' || entry.startsWith('!') || entry.startsWith('dist/')) continue;
    if (existsSync(join(REPO, entry))) await cp(join(REPO, entry), join(dir, entry), { recursive: true });
  }
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  // tsc emits despite type errors; a half-edited tree can still be measured, with a warning.
  if (build.status !== 0) {
    if (!existsSync(join(dir, 'dist', 'src', 'cli', 'main.js')))
      throw new Error(`tsc failed:\n${build.stdout}`);
    console.log(
      `warning: tsc reported type errors; measuring what it emitted:\n${build.stdout.slice(0, 600)}`,
    );
  }
  return dir;
}

/** hotel-reservation with its stateless services scaled so that its namespace holds ~100 pods, one fault. */
function scaledApp(): AppSpec {
  const app = getApp('hotel-reservation')!;
  const stateless = app.components.filter((c) => c.workload === 'Deployment' && c.role !== 'database');
  const fixed = app.components.length - stateless.length;
  const replicas = Math.max(1, Math.round((TARGET_PODS - fixed) / stateless.length));
  return {
    ...app,
    components: app.components.map((c) => (stateless.includes(c) ? { ...c, replicas } : c)),
  };
}

async function startSimulator(
  dir: string,
): Promise<{ kubeconfig: string; namespace: string; pods: number; close: () => Promise<void> }> {
  const app = scaledApp();
  const cluster = new SimCluster({ seed: 1, workers: 3 });
  cluster.deployApp(app);
  cluster.settle(900_000);
  cluster.advance(5 * 60_000);
  injectFault(cluster, app.defaultNamespace, {
    kind: 'misconfig_k8s_target_port',
    target: 'geo',
    params: {},
  });
  cluster.advance(3 * 60_000);
  const server = await SimServer.start({ cluster });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
  const pods = cluster.store.peekAll(resourceByKind('Pod'), app.defaultNamespace).length;
  return { kubeconfig, namespace: app.defaultNamespace, pods, close: () => server.close() };
}

const work = await mkdtemp(join(tmpdir(), 'aoi-bench-startup-'));
try {
  let root = flags.package === undefined ? undefined : resolve(flags.package);
  if (root === undefined) {
    const t = performance.now();
    root = await buildPackage(join(work, 'package'));
    console.log(`built a package with tsc in ${((performance.now() - t) / 1000).toFixed(1)} s: ${root}`);
  }
  const sim = await startSimulator(work);
  const state = join(work, 'state');
  const env = { PATH: process.env['PATH'] ?? '', HOME: work, AOI_STATE_DIR: state };
  const bin = join(root, 'bin', 'aoi.js');
  const rssProbe = join(work, 'rss-probe.mjs');
  // The fallback when GNU time is absent: the process reports its own peak RSS (getrusage) as it exits.
  await writeFile(
    rssProbe,
    "import { writeFileSync } from 'node:fs';\n" +
      "process.on('exit', () => writeFileSync(process.env.AOI_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  const probes: Probe[] = [
    { label: 'node -e 0 (reference)', argv: ['-e', '0'], expectExit: 0 },
    { label: 'aoi --help (built)', argv: [bin, '--help'], env, expectExit: 0 },
    {
      label: 'aoi --help (sources, node --import tsx)',
      argv: ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), '--help'],
      env,
      expectExit: 0,
    },
    {
      label: `aoi diagnose (built, ${sim.pods} pods)`,
      argv: [bin, 'diagnose', '--kubeconfig', sim.kubeconfig, '--reasoner', 'rules', '-n', sim.namespace],
      env,
      expectExit: 1,
      rss: true,
    },
  ];
  const runs = new Map<Probe, Run[]>(probes.map((p) => [p, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const probe of probes) {
      const run = await runOnce(probe, rssProbe, join(work, 'rss'));
      if (run.exitCode !== probe.expectExit)
        throw new Error(`${probe.label}: exit ${run.exitCode}, expected ${probe.expectExit}\n${run.stderr}`);
      runs.get(probe)!.push(run);
    }
  }
  const reference = median(runs.get(probes[0]!)!.map((r) => r.seconds));
  console.log(`median of ${RUNS} runs each, round-robin; ratio to the reference measured in this run`);
  for (const probe of probes) {
    const these = runs.get(probe)!;
    const seconds = median(these.map((r) => r.seconds));
    const rss = these.flatMap((r) => (r.rssKiB === undefined ? [] : [r.rssKiB]));
    const rssText =
      rss.length === 0
        ? ''
        : ` | peak RSS median ${(median(rss) / 1024).toFixed(0)} MiB, max ${(Math.max(...rss) / 1024).toFixed(0)} MiB (${existsSync(TIME) ? 'GNU time %M' : 'process.resourceUsage().maxRSS'})`;
    const cpu = these.flatMap((r) => (r.cpuSeconds === undefined ? [] : [r.cpuSeconds]));
    const cpuText = cpu.length === 0 ? '' : ` | CPU ${median(cpu).toFixed(2)} s`;
    console.log(
      `${probe.label.padEnd(44)} ${seconds.toFixed(3)} s  ×${(seconds / reference).toFixed(1)}  [${these.map((r) => r.seconds.toFixed(2)).join(' ')}]${cpuText}${rssText}`,
    );
  }
  console.log('targets: --help ≤ 3× node -e 0; diagnose ≤ 1.5 s at ~100 pods; peak RSS ≤ 150 MiB');
  await sim.close();
} finally {
  await rm(work, { recursive: true, force: true });
}
