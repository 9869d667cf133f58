/**
 * Debian's real `prometheus` and `prometheus-alertmanager` wired for the alert chain test: Prometheus scrapes
 * the simulator's pods over HTTPS (as tests/observer/real-prometheus.ts does) and evaluates one rule file
 * every second; what fires goes to an Alertmanager that routes every alert to one webhook URL. Loopback
 * only, temp dirs, stopped after.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPrometheus } from '../observer/real-prometheus.js';
import type { ScrapeTarget } from '../observer/real-prometheus.js';

export { findPrometheus };

export function findAlertmanager(): string | undefined {
  return ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One child process with its stderr kept for failure messages. */
class Daemon {
  readonly log: string[] = [];
  constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => this.log.push(chunk.toString()));
  }

  /**
   * Polls until `check` holds. These daemons run on their own wall-clock schedules (1 s scrapes and rule
   * evaluations, group waits), so the test waits for them; the limit is generous for a busy two-core machine.
   */
  async waitFor(what: string, check: () => Promise<boolean>, limitMs = 90_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new Error(
          `${this.name}: gave up waiting for ${what}; its log: ${this.log.join('').slice(-2000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Alertmanager routing every alert to `webhookUrl` right away (1 s group wait and interval). */
export async function startAlertmanager(binary: string, webhookUrl: string): Promise<Daemon> {
  const dir = await mkdtemp(join(tmpdir(), 'aoi-alertmanager-'));
  await writeFile(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: aoi',
      '  group_by: [alertname, namespace, deployment]',
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: aoi',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip with peers: one instance, no cluster port to bind.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const daemon = new Daemon('Alertmanager', `http://127.0.0.1:${port}`, child, dir);
  await daemon.waitFor('ready', async () => (await fetch(`${daemon.url}/-/ready`)).ok, 30_000);
  return daemon;
}

/** Prometheus scraping `targets` every second and evaluating `rules` every second for `alertmanager`. */
export async function startPrometheus(
  binary: string,
  sim: { caPem: string; token: string },
  targets: ScrapeTarget[],
  rules: string,
  alertmanager: string,
): Promise<Daemon & { value(promql: string): Promise<number> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aoi-prometheus-alerting-'));
  await writeFile(join(dir, 'ca.pem'), sim.caPem);
  await writeFile(join(dir, 'token'), sim.token, { mode: 0o600 });
  await writeFile(join(dir, 'rules.yml'), rules);
  await writeFile(
    join(dir, 'targets.json'),
    JSON.stringify(targets.map((t) => ({ targets: [t.address], labels: { __metrics_path__: t.path } }))),
  );
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      `rule_files: [${join(dir, 'rules.yml')}]`,
      'alerting:',
      '  alertmanagers:',
      `    - static_configs: [{ targets: ['${new URL(alertmanager).host}'] }]`,
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
      '    relabel_configs:',
      '      - source_labels: [__metrics_path__]',
      '        target_label: instance',
      '',
    ].join('\n'),
  );
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
  const daemon = new Daemon('Prometheus', `http://127.0.0.1:${port}`, child, dir);
  await daemon.waitFor('ready', async () => (await fetch(`${daemon.url}/-/ready`)).ok, 30_000);
  return Object.assign(daemon, {
    async value(promql: string): Promise<number> {
      const reply = await fetch(
        `${daemon.url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`,
      );
      const body = (await reply.json()) as { data?: { result?: { value?: [number, string] }[] } };
      return Number(body.data?.result?.[0]?.value?.[1] ?? NaN);
    },
  });
}
