/** The Trigger a run records and reports, from an alert or from a kubectl-style target. */
import type { Focus, Trigger } from '../core/trigger.js';
import type { ReceivedAlert } from './alertmanager.js';
import { quoteAlert } from './quote.js';
import { focusComponents, focusOfAlert } from './scope.js';

export function alertTrigger(received: ReceivedAlert): Trigger {
  const focus = focusOfAlert(received.alert);
  return { focus, components: focusComponents(focus), alert: quoteAlert(received) };
}

export function targetTrigger(focus: Focus): Trigger {
  return { focus, components: focusComponents(focus), alert: null };
}
