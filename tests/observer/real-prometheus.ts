/**
 * A real Prometheus (Debian's `prometheus` package) scraping the simulator's pods over HTTPS with the
 * observer's token, for tests: loopback only, a temp config and storage, 1 s scrapes, stopped after.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prometheus binary on PATH or where Debian puts it; undefined when neither exists. */
export function findPrometheus(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  return existsSync('/usr/bin/prometheus') ? '/usr/bin/prometheus' : undefined;
}

/** Prometheus needs a fixed --web.listen-address: take a port the kernel says is free. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ScrapeTarget {
  /** host:port of the simulator. */
  address: string;
  /** e.g. /metrics/pods/<ns>/<pod>. */
  path: string;
  /** Target labels, which metric_relabel_configs can read. */
  labels?: Record<string, string>;
}

export class RealPrometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly log: string[],
  ) {}

  /**
   * Starts Prometheus scraping `targets` (rewritable with setTargets) over HTTPS with `token`;
   * `metricRelabel` is the scrape job's metric_relabel_configs, as YAML list items indented by 6.
   */
  static async start(
    binary: string,
    caPem: string,
    token: string,
    targets: ScrapeTarget[],
    metricRelabel: string[] = [],
  ): Promise<RealPrometheus> {
    const dir = await mkdtemp(join(tmpdir(), 'aoi-prometheus-'));
    await writeFile(join(dir, 'ca.pem'), caPem);
    await writeFile(join(dir, 'token'), token, { mode: 0o600 });
    await writeTargets(dir, targets);
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: sim',
      '    scheme: https',
      '    tls_config:',
      `      ca_file: ${join(dir, 'ca.pem')}`,
      '    authorization:',
      '      type: Bearer',
      `      credentials_file: ${join(dir, 'token')}`,
      '    file_sd_configs:',
      `      - files: [${join(dir, 'targets.json')}]`,
      '        refresh_interval: 1s',
      '    relabel_configs:',
      // One address serves every pod: the path tells them apart, so it becomes the instance.
      '      - source_labels: [__metrics_path__]',
      '        target_label: instance',
      ...(metricRelabel.length > 0 ? ['    metric_relabel_configs:', ...metricRelabel] : []),
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const log: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const prometheus = new RealPrometheus(`http://127.0.0.1:${port}`, child, dir, log);
    await prometheus.waitFor('ready', async () => (await fetch(`${prometheus.url}/-/ready`)).ok, 30_000);
    return prometheus;
  }

  /** Target file writes, one after the other (each renames the same temporary file). */
  private writing: Promise<void> = Promise.resolve();
  private following: NodeJS.Timeout | undefined;

  async setTargets(targets: ScrapeTarget[]): Promise<void> {
    this.writing = this.writing.then(() => writeTargets(this.dir, targets));
    await this.writing;
  }

  /** Rewrites the targets from `list` every second until stop(), so pods created meanwhile are scraped. */
  follow(list: () => ScrapeTarget[]): void {
    this.following = setInterval(() => {
      this.writing = this.writing
        .then(() => writeTargets(this.dir, list()))
        .catch((error: unknown) => void this.log.push(`target file: ${String(error)}\n`));
    }, 1000);
  }

  /** An instant query's first value (NaN when the result is empty). */
  async value(promql: string): Promise<number> {
    const reply = await fetch(
      `${this.url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`,
    );
    const body = (await reply.json()) as { data?: { result?: { value?: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value?.[1] ?? NaN);
  }

  /**
   * Polls `check` until it holds. Scrapes happen on Prometheus' own 1 s schedule in real time, so tests
   * wait for them; the limit is generous because a busy two-core machine delays scrapes and queries.
   */
  async waitFor(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `Prometheus: gave up waiting for ${what}; its log: ${this.log.join('').slice(-2000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.following);
    await this.writing;
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function writeTargets(dir: string, targets: ScrapeTarget[]): Promise<void> {
  const groups = targets.map((t) => ({
    targets: [t.address],
    labels: { ...t.labels, __metrics_path__: t.path },
  }));
  // Written whole and renamed, so Prometheus never reads half a file.
  await writeFile(join(dir, 'targets.tmp'), JSON.stringify(groups));
  await rename(join(dir, 'targets.tmp'), join(dir, 'targets.json'));
}
