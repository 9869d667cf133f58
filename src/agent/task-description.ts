/**
 * What the agent learns from AIOpsLab's task description. The orchestrator's four templates open with "You are
 * an expert DevOps engineer assigned to detect anomalies / localize faults / do root cause analysis / mitigate
 * anomalies in a deployed service", and the app summary under "Service Details" carries a "Namespace: <ns>"
 * line. Parsing, first match wins:
 *   task: those four phrases; then the answer format the text asks for ("system_level" → analysis, "list of
 *     faulty components" → localization, "Yes" or "No" → detection, "mitigat" → mitigation); else detection.
 *   namespace: "Namespace: <ns>"; then "namespace <ns>" / "namespace `<ns>`"; then the app's name (Hotel
 *     Reservation, Social Network, Astronomy Shop) mapped to the namespace AIOpsLab deploys it in.
 */
import type { TaskType } from '../core/aiopslab.js';

export interface ParsedProblem {
  task: TaskType;
  /** Undefined when the text names neither a namespace nor a known app: the agent then reads all namespaces. */
  namespace: string | undefined;
  /** How each field was found, for the log. */
  notes: string[];
}

const TASK_PHRASES: [RegExp, TaskType][] = [
  [/assigned to detect anomal/i, 'detection'],
  [/assigned to locali[sz]e/i, 'localization'],
  [/assigned to (?:do |perform )?root cause analysis/i, 'analysis'],
  [/assigned to mitigate/i, 'mitigation'],
];

const TASK_HINTS: [RegExp, TaskType][] = [
  [/system_level|fault_type|root cause analysis/i, 'analysis'],
  [/faulty components|locali[sz]ation/i, 'localization'],
  [/"Yes" or "No"|anomal(?:y|ies) detect/i, 'detection'],
  [/mitigat/i, 'mitigation'],
];

const APP_NAMESPACES: [RegExp, string][] = [
  [/hotel[\s_-]?reservation/i, 'test-hotel-reservation'],
  [/social[\s_-]?network/i, 'test-social-network'],
  [/astronomy[\s_-]?shop|opentelemetry demo/i, 'astronomy-shop'],
];

const NAMESPACE_LINE = /\bnamespace\s*:\s*[`'"]?([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\b/i;
const NAMESPACE_WORD = /\bnamespace\s+[`'"]?([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)[`'"]?/i;

export function parseProblem(text: string): ParsedProblem {
  const notes: string[] = [];
  let task: TaskType | undefined;
  for (const [re, t] of TASK_PHRASES) {
    if (re.test(text)) {
      task = t;
      notes.push(`task ${t} from "${re.source}"`);
      break;
    }
  }
  if (task === undefined) {
    for (const [re, t] of TASK_HINTS) {
      if (re.test(text)) {
        task = t;
        notes.push(`task ${t} from the hint "${re.source}"`);
        break;
      }
    }
  }
  if (task === undefined) {
    task = 'detection';
    notes.push('task not named: detection assumed');
  }
  let namespace = NAMESPACE_LINE.exec(text)?.[1] ?? NAMESPACE_WORD.exec(text)?.[1];
  if (namespace !== undefined) notes.push(`namespace ${namespace} named in the text`);
  else {
    const app = APP_NAMESPACES.find(([re]) => re.test(text));
    if (app) {
      namespace = app[1];
      notes.push(`namespace ${namespace} from the app name`);
    } else notes.push('no namespace named: reading all namespaces');
  }
  return { task, namespace: namespace?.toLowerCase(), notes };
}
