/**
 * `aoi serve`'s HTTP side: POST /alertmanager takes Alertmanager's webhook (payload version 4), GET /healthz
 * and GET /metrics. Each firing alert not seen within the de-duplication window is queued for one
 * diagnosis; when the queue cannot take every new alert of a request, the request gets 503 and nothing of
 * it is queued, so Alertmanager's retry brings it back whole. Diagnoses and notifications run on separate
 * bounded queues, so a slow chat webhook never holds a diagnosis slot. Shutdown stops taking alerts and
 * waits for every queued and running diagnosis (each one's trajectory completes) and its notifications.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedAlert } from '../alert/alertmanager.js';
import { AlertmanagerWebhook, alertsOf } from '../alert/alertmanager.js';
import type { DiagnoseOutput } from '../core/diagnose-output.js';
import { formatIssues } from '../core/zod-issues.js';
import type { NotificationRecord } from '../notify/notifier.js';
import { Deduper } from './dedup.js';
import { ServeMetrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';

/** Alertmanager's payloads are small; anything bigger is not one. */
const MAX_BODY = 1024 * 1024;

export interface Answer {
  received: ReceivedAlert;
  output: DiagnoseOutput;
  timeToAnswerMs: number;
}

export interface ReceiverOptions {
  host: string;
  port: number;
  concurrency: number;
  maxQueue: number;
  dedupWindowMs: number;
  diagnose: (alert: ReceivedAlert) => Promise<DiagnoseOutput>;
  /** Called once per finished diagnosis (JSONL on stdout). */
  onAnswer?: (answer: Answer) => void;
  notifier?: { send(out: DiagnoseOutput): Promise<NotificationRecord[]> };
  /** One line per event for stderr; never holds a notify URL. */
  log: (line: string) => void;
  now?: () => number;
}

interface Job {
  received: ReceivedAlert;
  at: number;
}

export class AlertReceiver {
  readonly metrics = new ServeMetrics();
  readonly #dedup: Deduper;
  readonly #diagnoses: WorkQueue<Job>;
  readonly #notifications: WorkQueue<DiagnoseOutput>;
  readonly #server = createServer((req, res) => void this.#route(req, res));
  #closing = false;
  #url = '';

  constructor(private readonly options: ReceiverOptions) {
    const now = options.now ?? Date.now;
    this.#dedup = new Deduper(options.dedupWindowMs, 10_000, now);
    this.#diagnoses = new WorkQueue(options.concurrency, options.maxQueue, (job) => this.#diagnose(job));
    this.#notifications = new WorkQueue(2, 100, (out) => this.#notify(out));
  }

  /** Alerts remembered for de-duplication (bounded by the window and a cap). */
  get dedupKeys(): number {
    return this.#dedup.size;
  }

  get url(): string {
    return this.#url;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { address, port } = this.#server.address() as AddressInfo;
    this.#url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this.#url;
  }

  /** Stops taking alerts, finishes every queued and running diagnosis and notification, then closes. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await this.#diagnoses.idle();
    await this.#notifications.idle();
    this.#server.closeAllConnections();
    await closed;
  }

  #gauges() {
    return {
      queueDepth: this.#diagnoses.depth,
      inFlight: this.#diagnoses.running,
      notifyQueueDepth: this.#notifications.depth + this.#notifications.running,
    };
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/healthz')
        return reply(res, this.#closing ? 503 : 200, this.#closing ? 'shutting down\n' : 'ok\n');
      if (req.method === 'GET' && path === '/metrics')
        return reply(res, 200, this.metrics.render(this.#gauges()), 'text/plain; version=0.0.4');
      if (path === '/alertmanager') {
        if (req.method !== 'POST') return reply(res, 405, 'POST only\n');
        return await this.#take(req, res);
      }
      reply(res, 404, 'not found: POST /alertmanager, GET /healthz, GET /metrics\n');
    } catch (error) {
      this.options.log(`aoi: error: ${(error as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'internal error\n');
    }
  }

  async #take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#closing) return reply(res, 503, 'shutting down\n');
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, `body over ${MAX_BODY} bytes\n`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return reply(res, 400, 'not JSON: expected an Alertmanager webhook payload (version 4)\n');
    }
    const parsed = AlertmanagerWebhook.safeParse(json);
    if (!parsed.success)
      return reply(
        res,
        400,
        `not an Alertmanager webhook payload (version 4): ${formatIssues(parsed.error).join('; ')}\n`,
      );
    const alerts = alertsOf(parsed.data);
    const firing = alerts.filter((a) => a.alert.status === 'firing');
    const fresh: ReceivedAlert[] = [];
    const keys = new Set<string>();
    for (const a of firing) {
      const key = Deduper.key(a.groupKey, a.fingerprint);
      if (!this.#dedup.isDuplicate(key) && !keys.has(key)) {
        keys.add(key);
        fresh.push(a);
      }
    }
    if (!this.#diagnoses.hasRoom(fresh.length)) {
      // Nothing of this request is taken or marked seen: Alertmanager retries it whole.
      this.metrics.alertsRejected += fresh.length;
      res.setHeader('retry-after', '10');
      return reply(res, 503, 'queue full; retry later\n');
    }
    this.metrics.alertsReceived += alerts.length;
    this.metrics.alertsResolved += alerts.length - firing.length;
    this.metrics.alertsDeduplicated += firing.length - fresh.length;
    const at = (this.options.now ?? Date.now)();
    for (const a of fresh) {
      this.#dedup.mark(Deduper.key(a.groupKey, a.fingerprint));
      this.#diagnoses.offer({ received: a, at });
    }
    if (fresh.length > 0)
      this.options.log(
        `aoi: queued ${fresh.length} alert(s) (${firing.length - fresh.length} duplicate(s)); queue ${this.#diagnoses.depth}, running ${this.#diagnoses.running}`,
      );
    reply(res, 200, `queued ${fresh.length}\n`);
  }

  async #diagnose(job: Job): Promise<void> {
    const labels = job.received.alert.labels;
    const what = `${labels['alertname'] ?? 'alert'} ${job.received.fingerprint}`;
    try {
      const output = await this.options.diagnose(job.received);
      const timeToAnswerMs = (this.options.now ?? Date.now)() - job.at;
      this.metrics.diagnosed(output.verdict, timeToAnswerMs / 1000);
      this.options.log(
        `aoi: ${what}: ${output.verdict}${output.faultyComponents.length ? ` (${output.faultyComponents.join(', ')})` : ''} in ${timeToAnswerMs} ms, run ${output.id}`,
      );
      this.options.onAnswer?.({ received: job.received, output, timeToAnswerMs });
      if (this.options.notifier && !this.#notifications.offer(output)) {
        this.metrics.notified(false);
        this.options.log(`aoi: warning: notification of run ${output.id} dropped: the notify queue is full`);
      }
    } catch (error) {
      this.metrics.diagnosisErrors++;
      this.options.log(`aoi: error: diagnosis of ${what} failed: ${(error as Error).message}`);
    }
  }

  async #notify(out: DiagnoseOutput): Promise<void> {
    for (const record of (await this.options.notifier?.send(out)) ?? []) {
      this.metrics.notified(record.ok);
      if (!record.ok)
        this.options.log(
          `aoi: warning: could not notify ${record.to} of run ${out.id} after ${record.attempts} attempt(s): ${record.error ?? 'failed'}`,
        );
    }
  }
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
