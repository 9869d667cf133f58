/**
 * The alert as the trajectory and the report quote it. Annotations are written by whoever wrote the alert
 * rule and filled from label values, so they are untrusted text as log lines are: secrets redacted, length
 * bounded, and text that reads like an instruction flagged. They are quoted for people and never handed
 * to the reasoner, which sees only the focus taken from the labels.
 */
import type { AlertQuote, Trigger } from '../core/trigger.js';
import { redactText } from '../observer/redact.js';
import { readsLikeInstruction } from '../reasoner/untrusted.js';
import type { ReceivedAlert } from './alertmanager.js';

const MAX_VALUE = 500;
const MAX_ENTRIES = 40;

function bounded(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map)
      .slice(0, MAX_ENTRIES)
      .map(([k, v]) => [k.slice(0, 100), redactText(v).slice(0, MAX_VALUE)]),
  );
}

export function quoteAlert(received: ReceivedAlert): AlertQuote {
  const annotations = bounded(received.alert.annotations);
  return {
    status: received.alert.status,
    fingerprint: received.fingerprint,
    groupKey: received.groupKey.slice(0, 500),
    startsAt: received.alert.startsAt ?? null,
    labels: bounded(received.alert.labels),
    annotations,
    untrusted: Object.entries(annotations)
      .filter(([, v]) => readsLikeInstruction(v))
      .map(([k]) => k),
  };
}

/**
 * One line for people: `HighErrorRate (critical) firing on Deployment/cart in shop: "<summary>"`, or the
 * scoped question `Deployment/cart in shop`.
 */
export function triggerLine(trigger: Trigger): string {
  const { focus, alert } = trigger;
  const what = focus.name ? `${focus.kind ?? 'object'}/${focus.name}` : 'the namespace';
  const where = focus.namespace ? ` in ${focus.namespace}` : '';
  if (alert === null) return `${what}${where}`;
  const l = alert.labels;
  const key = alert.annotations['summary'] !== undefined ? 'summary' : 'description';
  const summary = alert.annotations[key];
  const flagged = alert.untrusted.includes(key)
    ? ' [untrusted: reads like an instruction, not followed]'
    : '';
  return (
    `${l['alertname'] ?? 'alert'}${l['severity'] ? ` (${l['severity']})` : ''} ${alert.status} on ${what}${where}` +
    (summary === undefined ? '' : `: "${summary.slice(0, 200)}"${flagged}`)
  );
}
