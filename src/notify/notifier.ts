/**
 * Where diagnoses go besides the terminal: each --notify URL gets the Slack-format message, and every
 * delivery's outcome is appended to <state dir>/notifications.jsonl (URL redacted), so a failure is on
 * record even when nobody watched stderr.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { JsonlAppender } from '../core/jsonl.js';
import type { DiagnoseOutput } from '../core/diagnose-output.js';
import type { DeliveryOptions } from './deliver.js';
import { deliver } from './deliver.js';
import { slackMessage } from './slack-message.js';
import { redactUrl } from './webhook-url.js';

export const NotificationRecord = z.object({
  at: z.iso.datetime(),
  run: z.string(),
  to: z.string().describe('The URL with its secret parts redacted'),
  ok: z.boolean(),
  attempts: z.int().min(0),
  status: z.int().optional(),
  error: z.string().optional(),
  durationMs: z.number().min(0),
});
export type NotificationRecord = z.infer<typeof NotificationRecord>;

export const notificationsPath = (stateDir: string) => join(stateDir, 'notifications.jsonl');

export class Notifier {
  private constructor(
    private readonly urls: readonly string[],
    private readonly log: JsonlAppender | undefined,
    private readonly options: DeliveryOptions,
  ) {}

  /** Without a state dir, outcomes are only returned (and said by the caller). */
  static async open(urls: readonly string[], stateDir: string | undefined, options: DeliveryOptions = {}) {
    const log =
      urls.length > 0 && stateDir !== undefined
        ? await JsonlAppender.open(notificationsPath(stateDir))
        : undefined;
    return new Notifier(urls, log, options);
  }

  get targets(): string[] {
    return this.urls.map(redactUrl);
  }

  /** Posts to every URL (in parallel); never throws for a failed delivery. */
  async send(out: DiagnoseOutput): Promise<NotificationRecord[]> {
    const message = slackMessage(out);
    return Promise.all(
      this.urls.map(async (url) => {
        const delivery = await deliver(url, message, this.options);
        const record = NotificationRecord.parse({
          at: new Date().toISOString(),
          run: out.id,
          to: redactUrl(url),
          ...delivery,
        });
        await this.log?.append(record).catch(() => undefined);
        return record;
      }),
    );
  }

  async close(): Promise<void> {
    await this.log?.close();
  }
}

/** One stderr line per delivery, URL redacted. */
export function deliveryLine(r: NotificationRecord): string {
  return r.ok
    ? `aoi: notified ${r.to} (HTTP ${r.status ?? '?'}, ${r.attempts} attempt(s))`
    : `aoi: warning: could not notify ${r.to} after ${r.attempts} attempt(s): ${r.error ?? 'failed'} (recorded in notifications.jsonl)`;
}
