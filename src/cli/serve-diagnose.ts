/**
 * One alert's diagnosis for `aoi serve` (and the MCP server): the run `aoi diagnose --alert` makes, on a
 * cluster target and reasoner opened once for the process. Read-only unless the context carries `act`.
 */
import type { ReceivedAlert } from '../alert/alertmanager.js';
import { alertTrigger } from '../alert/trigger.js';
import type { DiagnoseOutput } from '../core/diagnose-output.js';
import type { Policy } from '../core/policy.js';
import type { Trigger } from '../core/trigger.js';
import type { GuidanceNote, Reasoner } from '../reasoner/reasoner.js';
import type { IncidentOptions } from '../incident/run-incident.js';
import { newIncidentId, runIncident } from '../incident/run-incident.js';
import type { Evidence } from '../core/evidence.js';
import type { ClusterTarget } from './cluster-target.js';
import type { IncidentCliOptions } from './incident-setup.js';
import { sharedIncidentOptions } from './incident-setup.js';
import { previewVerdict, readTargetFacts } from './policy-preview.js';
import { toOutput } from './render-diagnosis.js';

export interface DiagnoseContext {
  target: ClusterTarget;
  reasoner: Reasoner;
  policy: Policy;
  options: IncidentCliOptions;
  trajectoriesDir: string;
  /** The namespace for alerts without a `namespace` label. */
  defaultNamespace: string;
  selectGuidance?: (evidence: Evidence[]) => GuidanceNote[];
  /** Set only by `aoi serve --apply --policy P`: the executor acts on what the policy lets through. */
  act?: IncidentOptions['act'];
}

/** Diagnoses the namespace the trigger names (else the default), its focus ranked first. */
export async function diagnoseTriggered(context: DiagnoseContext, trigger: Trigger): Promise<DiagnoseOutput> {
  const namespace = trigger.focus.namespace ?? context.defaultNamespace;
  const scoped: Trigger = { ...trigger, focus: { ...trigger.focus, namespace } };
  const report = await runIncident({
    ...sharedIncidentOptions(context.target, context.options, namespace, context.trajectoriesDir),
    ...(context.selectGuidance === undefined ? {} : { selectGuidance: context.selectGuidance }),
    reasoner: context.reasoner,
    focus: scoped.components,
    trigger: scoped,
    ...(context.act === undefined ? {} : { act: context.act }),
    id: newIncidentId(),
  });
  const proposals = report.reasoning.diagnosis.proposals;
  const facts = await readTargetFacts(context.target.reader, proposals);
  const verdicts = proposals.map((action, i) => previewVerdict(action, i, context.policy, facts[i]));
  return toOutput(report, context.reasoner.name, verdicts, scoped);
}

export function diagnoseAlert(context: DiagnoseContext, received: ReceivedAlert): Promise<DiagnoseOutput> {
  return diagnoseTriggered(context, alertTrigger(received));
}
