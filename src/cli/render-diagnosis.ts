/**
 * `aoi diagnose` output: text an on-call engineer reads in ten seconds, Markdown for a ticket, and JSON with a
 * versioned schema (docs/diagnose-output.md). All three are built from the same DiagnoseOutput value.
 */
import type { DiagnoseOutput, PolicyVerdict } from '../core/diagnose-output.js';
import { DIAGNOSE_SCHEMA_ID, DiagnoseOutput as DiagnoseOutputSchema } from '../core/diagnose-output.js';
import { describeAction } from '../core/describe-action.js';
import type { Evidence } from '../core/evidence.js';
import type { IncidentReport } from '../incident/run-incident.js';
import { coverageLine, gapLines, unreadList } from './render-coverage.js';
import type { Trigger } from '../core/trigger.js';
import { triggerLine } from '../alert/quote.js';

export type { DiagnoseOutput, PolicyVerdict };
export const DIAGNOSE_SCHEMA = DIAGNOSE_SCHEMA_ID;

const label = (ev: Evidence) =>
  `${ev.subject.kind}/${ev.subject.namespace ? `${ev.subject.namespace}/` : ''}${ev.subject.name}`;

export function toOutput(
  report: IncidentReport,
  reasoner: string,
  verdicts: readonly PolicyVerdict[],
  trigger?: Trigger,
): DiagnoseOutput {
  const d = report.reasoning.diagnosis;
  const cited = new Set([
    ...d.hypotheses.flatMap((h) => h.evidence),
    ...d.proposals.flatMap((p) => p.evidence),
  ]);
  const evidence = report.observation.evidence.filter((ev) => cited.has(ev.id) || ev.severity !== 'info');
  return {
    schema: DIAGNOSE_SCHEMA,
    id: report.id,
    namespace: report.observation.namespace ?? null,
    reasoner: DiagnoseOutputSchema.shape.reasoner.parse(reasoner),
    verdict: d.detected ? 'incident' : report.observation.coverage.complete ? 'healthy' : 'incomplete',
    detected: d.detected,
    rootCause: d.rootCause ?? null,
    faultyComponents: d.faultyComponents,
    hypotheses: d.hypotheses,
    evidence,
    proposals: d.proposals.map((action, i) => ({
      action,
      policy: verdicts[i] ?? { effect: 'deny', rule: null, reason: 'not evaluated' },
    })),
    actions: report.actions.map((a) => ({
      action: a.proposal,
      status: a.result.status,
      message: a.result.message,
    })),
    verification: report.verification
      ? {
          resolved: report.verification.resolved,
          rounds: report.verification.rounds,
          remaining: report.verification.remaining.length,
          still: report.verification.remaining.slice(0, 5).map((ev) => `${ev.signal} ${label(ev)}`),
          unread: report.verification.unread,
        }
      : null,
    coverage: report.observation.coverage,
    rejectedClaims: report.reasoning.rejected,
    stats: {
      evidence: report.observation.evidence.length,
      dropped: report.observation.dropped,
      durationMs: report.durationMs,
      tokensIn: report.reasoning.tokens.in,
      tokensOut: report.reasoning.tokens.out,
    },
    trajectory: report.trajectoryPath ?? null,
    ...(trigger === undefined ? {} : { trigger }),
  };
}

export function renderText(out: DiagnoseOutput): string {
  const lines: string[] = [];
  const scope = out.namespace ?? 'all namespaces';
  const checked = `${out.stats.evidence} evidence item(s) checked, reasoner ${out.reasoner}`;
  if (out.verdict === 'incomplete') {
    lines.push(
      `INCOMPLETE ${scope}: no fault found in what was read; could not read ${unreadList(out.coverage)} (${checked})`,
    );
  } else if (!out.detected) {
    lines.push(`HEALTHY  ${scope}: no fault found (${checked})`);
  } else {
    lines.push(`INCIDENT ${scope}: ${out.rootCause?.summary ?? out.faultyComponents.join(', ')}`);
    if (out.rootCause) lines.push(`  cause      ${out.rootCause.systemLevel} / ${out.rootCause.faultType}`);
    lines.push(`  faulty     ${out.faultyComponents.join(', ') || '(unknown)'}`);
  }
  if (out.trigger)
    lines.push(`  ${out.trigger.alert ? 'alert   ' : 'asked   '}   ${triggerLine(out.trigger)}`);
  const byId = new Map(out.evidence.map((ev) => [ev.id, ev]));
  for (const h of out.hypotheses) {
    lines.push(`  why        ${h.statement} (confidence ${Math.round(h.confidence * 100)}%)`);
    for (const id of h.evidence) {
      const ev = byId.get(id);
      if (ev)
        lines.push(`    ${id.padEnd(6)} ${ev.severity.padEnd(8)} ${ev.signal} ${label(ev)}: ${ev.summary}`);
    }
  }
  if (out.proposals.length > 0) {
    lines.push('  proposed');
    out.proposals.forEach((p, i) =>
      lines.push(
        `    ${i + 1}. ${describeAction(p.action, 'full', out.evidence)}  [policy: ${p.policy.effect}${p.policy.rule ? ` by ${p.policy.rule}` : ''}]`,
      ),
    );
  }
  for (const a of out.actions)
    lines.push(`  applied    ${describeAction(a.action, 'full', out.evidence)}: ${a.status} (${a.message})`);
  if (out.verification)
    lines.push(
      `  verified   ${out.verification.resolved ? 'incident cleared' : `${out.verification.remaining} severe item(s) remain`} after ${out.verification.rounds} look(s)`,
    );
  for (const item of out.verification?.still ?? []) lines.push(`    still    ${item}`);
  if (out.verification && out.verification.unread.length > 0)
    lines.push(`    unread   ${out.verification.unread.join(', ')}`);
  for (const r of out.rejectedClaims) lines.push(`  dropped    ${r.claim}: ${r.reason}`);
  lines.push(`  coverage   ${coverageLine(out.coverage)}`);
  for (const gap of gapLines(out.coverage)) lines.push(`  unread     ${gap}`);
  lines.push(
    `  run        ${out.id} in ${out.stats.durationMs} ms${out.trajectory ? `, trajectory ${out.trajectory}` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

const md = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(out: DiagnoseOutput): string {
  const lines = [`## aoi diagnose: ${out.verdict} in ${out.namespace ?? 'all namespaces'}`, ''];
  if (out.verdict === 'incomplete')
    lines.push(
      `**INCOMPLETE:** no fault found in what was read; could not read ${md(unreadList(out.coverage))}  `,
    );
  if (out.rootCause) {
    lines.push(`**Root cause:** ${md(out.rootCause.summary)}  `);
    lines.push(`**Classification:** ${out.rootCause.systemLevel} / ${out.rootCause.faultType}  `);
  }
  lines.push(`**Faulty components:** ${out.faultyComponents.join(', ') || 'none'}  `);
  if (out.trigger)
    lines.push(`**${out.trigger.alert ? 'Alert' : 'Asked about'}:** ${md(triggerLine(out.trigger))}  `);
  lines.push(`**Reasoner:** ${out.reasoner} · run \`${out.id}\`  `);
  lines.push(`**Coverage:** ${md(coverageLine(out.coverage))}`, '');
  if (out.coverage.gaps.length > 0) {
    lines.push('### Could not read', '');
    for (const gap of gapLines(out.coverage, 20)) lines.push(`- ${md(gap)}`);
    lines.push('');
  }
  if (out.hypotheses.length > 0) {
    lines.push('### Hypotheses', '');
    for (const h of out.hypotheses)
      lines.push(
        `- ${md(h.statement)} (confidence ${Math.round(h.confidence * 100)}%; evidence ${h.evidence.join(', ')})`,
      );
    lines.push('');
  }
  if (out.evidence.length > 0) {
    lines.push('### Evidence', '', '| id | severity | signal | subject | summary |', '|---|---|---|---|---|');
    for (const ev of out.evidence)
      lines.push(`| ${ev.id} | ${ev.severity} | ${ev.signal} | ${md(label(ev))} | ${md(ev.summary)} |`);
    lines.push('');
  }
  if (out.proposals.length > 0) {
    lines.push('### Proposed actions', '', '| # | action | policy |', '|---|---|---|');
    out.proposals.forEach((p, i) =>
      lines.push(
        `| ${i + 1} | ${md(describeAction(p.action, 'full', out.evidence))} | ${p.policy.effect}${p.policy.rule ? ` (${p.policy.rule})` : ''} |`,
      ),
    );
    lines.push('');
  }
  if (out.actions.length > 0) {
    lines.push('### Applied', '');
    for (const a of out.actions)
      lines.push(
        `- ${md(describeAction(a.action, 'full', out.evidence))}: **${a.status}**, ${md(a.message)}`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
