/**
 * What Alertmanager POSTs to a webhook receiver (payload version 4) and the single alert objects inside it.
 * Shape from Alertmanager's docs, https://prometheus.io/docs/alerting/latest/configuration/#webhook_config:
 * version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels, commonAnnotations,
 * externalURL and alerts (status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint).
 * Unknown fields are kept out (zod strips them); labels and annotations are string maps there.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AoiError } from '../core/errors.js';
import { formatIssues } from '../core/zod-issues.js';

const StringMap = z.record(z.string(), z.string());

export const AlertStatus = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const Alert = z.object({
  status: AlertStatus.default('firing'),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  /** Alertmanager's hash of the labels; a lone alert without one gets ours (fingerprintOf). */
  fingerprint: z.string().optional(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertmanagerWebhook = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.int().min(0).default(0),
  status: AlertStatus,
  receiver: z.string(),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(Alert),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

/** One alert as aoi handles it: the alert, the group it came in, and a fingerprint for de-duplication. */
export interface ReceivedAlert {
  alert: Alert;
  groupKey: string;
  fingerprint: string;
}

/** Alertmanager's fingerprint when given, else a hash of the sorted labels (the same alert hashes alike). */
export function fingerprintOf(alert: Alert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const labels = Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
}

/** A webhook payload's alerts, each with its group key and fingerprint. */
export function alertsOf(payload: AlertmanagerWebhook): ReceivedAlert[] {
  return payload.alerts.map((alert) => ({
    alert,
    groupKey: payload.groupKey,
    fingerprint: fingerprintOf(alert),
  }));
}

/**
 * Reads either a version-4 webhook payload or one alert object (JSON). A payload is told apart by its
 * `alerts` array; anything else must be an alert.
 */
export function parseAlertInput(text: string, source: string): ReceivedAlert[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AoiError('usage', `${source} is not JSON: ${(error as Error).message}`, {
      hint: 'pass an Alertmanager webhook payload (version 4) or one alert object with labels',
    });
  }
  const isPayload = typeof json === 'object' && json !== null && 'alerts' in json;
  const parsed = isPayload ? AlertmanagerWebhook.safeParse(json) : Alert.safeParse(json);
  if (!parsed.success)
    throw new AoiError(
      'usage',
      `${source} is not ${isPayload ? 'an Alertmanager webhook payload (version 4)' : 'an alert object'}: ${formatIssues(parsed.error).join('; ')}`,
      {
        hint: 'an alert needs labels (namespace, alertname, …); a payload needs version "4", groupKey, status, receiver and alerts',
      },
    );
  if (isPayload) return alertsOf(parsed.data as AlertmanagerWebhook);
  const alert = parsed.data as Alert;
  return [{ alert, groupKey: '', fingerprint: fingerprintOf(alert) }];
}
