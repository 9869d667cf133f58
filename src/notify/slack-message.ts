/**
 * A diagnosis as a Slack incoming-webhook message (https://api.slack.com/messaging/webhooks): `text` is the
 * notification fallback, `blocks` are Block Kit sections with mrkdwn text
 * (https://api.slack.com/reference/block-kit/blocks#section, at most 3000 characters each). Concise by
 * design: verdict, root cause, the cited evidence and the proposals with their policy verdicts.
 * Anything that takes the same JSON (Mattermost, Rocket.Chat, a relay) can be wired the same way.
 */
import { z } from 'zod';
import { triggerLine } from '../alert/quote.js';
import type { DiagnoseOutput } from '../core/diagnose-output.js';
import { describeAction } from '../core/describe-action.js';

const MAX_SECTION = 3000;
const MAX_EVIDENCE = 5;

export const SlackMessage = z.object({
  text: z.string(),
  blocks: z.array(
    z.object({ type: z.literal('section'), text: z.object({ type: z.literal('mrkdwn'), text: z.string() }) }),
  ),
});
export type SlackMessage = z.infer<typeof SlackMessage>;

/** Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const section = (text: string) => ({
  type: 'section' as const,
  text: { type: 'mrkdwn' as const, text: text.slice(0, MAX_SECTION) },
});

function headline(out: DiagnoseOutput): string {
  const scope = out.namespace ?? 'all namespaces';
  if (out.verdict === 'incident')
    return `INCIDENT in ${scope}: ${out.rootCause?.summary ?? out.faultyComponents.join(', ')}`;
  if (out.verdict === 'incomplete') return `INCOMPLETE in ${scope}: no fault found, but some reads failed`;
  return `HEALTHY ${scope}: no fault found`;
}

export function slackMessage(out: DiagnoseOutput): SlackMessage {
  const blocks = [section(`*${escape(headline(out))}*`)];
  if (out.trigger)
    blocks.push(
      section(`${out.trigger.alert ? 'Alert' : 'Asked about'}: ${escape(triggerLine(out.trigger))}`),
    );
  if (out.verdict === 'incident') {
    const cause = out.rootCause ? ` (${out.rootCause.systemLevel} / ${out.rootCause.faultType})` : '';
    blocks.push(section(`*Faulty:* ${escape(out.faultyComponents.join(', ') || 'unknown')}${escape(cause)}`));
  }
  const cited = new Set(out.hypotheses.flatMap((h) => h.evidence));
  const evidence = out.evidence.filter((ev) => cited.has(ev.id)).slice(0, MAX_EVIDENCE);
  if (evidence.length > 0)
    blocks.push(
      section(
        [
          '*Evidence:*',
          ...evidence.map((ev) => `• \`${ev.id}\` ${ev.severity} ${ev.signal}: ${escape(ev.summary)}`),
        ].join('\n'),
      ),
    );
  if (out.proposals.length > 0)
    blocks.push(
      section(
        [
          '*Proposed:*',
          ...out.proposals.map(
            (p, i) =>
              `${i + 1}. ${escape(describeAction(p.action, 'full', out.evidence))} [policy: ${p.policy.effect}${p.policy.rule ? ` by ${p.policy.rule}` : ''}]`,
          ),
        ].join('\n'),
      ),
    );
  if (out.verdict === 'incomplete')
    blocks.push(section(`*Could not read:* ${escape(out.coverage.gaps.map((g) => g.what).join(', '))}`));
  blocks.push(
    section(
      `run \`${out.id}\` (reasoner ${out.reasoner}, ${out.stats.durationMs} ms): \`aoi runs show ${out.id}\``,
    ),
  );
  return { text: headline(out).slice(0, MAX_SECTION), blocks };
}
