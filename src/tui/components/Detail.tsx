/** The lower half: the approval prompt or the selected action's dry run and diff, the excerpt, the audit tail. */
import { Text } from 'ink';
import type { ActionProposal } from '../../core/actions.js';
import type { Evidence } from '../../core/evidence.js';
import type { DryRunOutcome } from '../../executor/actions/types.js';
import type { DiffLine } from '../format.js';
import { describeAuditEntry, describeProposal, diffLines, dryRunDiff } from '../format.js';
import type { TuiState } from '../model.js';
import { shownVerdict } from '../model.js';
import { useTheme } from '../theme.js';
import { Title } from './Panels.js';

export type PreviewState =
  | { state: 'loading' }
  /** `dryRun`: the server's dry run, when the backend could ask for one (never for a denied action). */
  | { state: 'ready'; current: Record<string, unknown>; dryRun?: DryRunOutcome }
  | { state: 'error'; message: string };

/** The server's dry run as a diff when it gave an object, else the local preview against the pre-image. */
export function detailDiff(
  action: ActionProposal,
  preview: PreviewState | undefined,
  requested: DryRunOutcome | undefined,
): { source: 'server dry run' | 'local preview'; lines: DiffLine[] } {
  const dryRun = requested ?? (preview?.state === 'ready' ? preview.dryRun : undefined);
  const server = dryRunDiff(action, dryRun);
  if (server) return { source: 'server dry run', lines: server };
  const local =
    preview?.state === 'ready'
      ? diffLines(action, preview.current)
      : preview?.state === 'error'
        ? [
            { sign: ' ' as const, text: `current state unreadable: ${preview.message}` },
            ...diffLines(action, undefined),
          ]
        : diffLines(action, undefined);
  const failed =
    dryRun && !dryRun.ok && !requested
      ? [{ sign: ' ' as const, text: `server dry run failed: ${dryRun.message ?? ''}` }]
      : [];
  return { source: 'local preview', lines: [...failed, ...local] };
}

function Pad({ count }: { count: number }) {
  return (
    <>
      {Array.from({ length: Math.max(0, count) }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </>
  );
}

function DiffRows({ lines, rows }: { lines: DiffLine[]; rows: number }) {
  const theme = useTheme();
  const shown = lines.slice(0, rows);
  return (
    <>
      {shown.map((line, i) => (
        <Text
          key={i}
          wrap="truncate-end"
          {...(line.sign === '-' ? theme.tone('red') : line.sign === '+' ? theme.tone('green') : {})}
        >
          {'  '}
          {line.sign} {line.text}
        </Text>
      ))}
    </>
  );
}

export function ActionDetail(props: {
  state: TuiState;
  index: number;
  action: ActionProposal | undefined;
  preview: PreviewState | undefined;
  rows: number;
}) {
  const theme = useTheme();
  const { state, index, action, preview, rows } = props;
  if (!action)
    return (
      <>
        <Title>Dry run / diff</Title>
        <Text wrap="truncate-end" {...theme.tone('gray')}>
          {'  '}no action selected
        </Text>
        <Pad count={rows - 1} />
      </>
    );
  const pending = state.pending?.index === index ? state.pending.request : undefined;
  const verdict = shownVerdict(state, index);
  const outcome = state.outcomes[index];
  const head: { text: string; tone?: 'yellow' | 'green' | 'red' }[] = [];
  if (pending) {
    head.push({ text: `APPROVE? [a] yes  [d] no: ${describeProposal(action)}`, tone: 'yellow' });
    head.push({
      text: `dry run ${pending.dryRun.ok ? 'ok' : 'FAILED'}${pending.dryRun.message ? `: ${pending.dryRun.message}` : ''}; touches ${[...pending.blastRadius.objects, ...pending.blastRadius.pods.map((p) => `pod/${p}`)].join(', ') || 'nothing'}`,
    });
  } else if (verdict) {
    head.push({
      text: `policy ${verdict.effect}${verdict.rule ? ` (${verdict.rule})` : ''}: ${verdict.reason}`,
      tone: verdict.effect === 'deny' ? 'red' : verdict.effect === 'approve' ? 'yellow' : 'green',
    });
  }
  if (outcome)
    head.push({
      text: `${outcome.status}: ${outcome.message}`,
      tone: outcome.status === 'verified' ? 'green' : 'red',
    });
  if (!pending) head.push({ text: `why: ${action.rationale}` });
  const { source, lines: body } = detailDiff(action, preview, pending?.dryRun);
  const headShown = head.slice(0, rows);
  const bodyRows = Math.max(0, rows - headShown.length);
  return (
    <>
      <Title>
        {pending
          ? `Approval needed · action ${index + 1} · ${source}`
          : `Dry run / diff · action ${index + 1} · ${preview?.state === 'loading' ? 'reading…' : source}`}
      </Title>
      {headShown.map((line, i) => (
        <Text key={i} wrap="truncate-end" {...(line.tone ? theme.tone(line.tone) : {})}>
          {'  '}
          {line.text}
        </Text>
      ))}
      <DiffRows lines={body} rows={bodyRows} />
      <Pad count={bodyRows - Math.min(body.length, bodyRows)} />
    </>
  );
}

/** The selected evidence item's excerpt, wrapped to the panel. */
export function ExcerptDetail({
  evidence,
  rows,
  width,
}: {
  evidence: Evidence | undefined;
  rows: number;
  width: number;
}) {
  const theme = useTheme();
  const text = evidence ? (evidence.excerpt ?? '(no excerpt)') : '';
  const inner = Math.max(10, width - 2);
  const lines = text
    .split('\n')
    .flatMap((line) => (line.length === 0 ? [''] : (line.match(new RegExp(`.{1,${inner}}`, 'g')) ?? [])))
    .slice(0, rows);
  return (
    <>
      <Title>
        {evidence ? `Excerpt · ${evidence.id} ${evidence.signal} (${evidence.source})` : 'Excerpt'}
      </Title>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end" {...theme.tone('gray')}>
          {'  '}
          {line}
        </Text>
      ))}
      <Pad count={rows - lines.length} />
    </>
  );
}

export function AuditTail({ state, rows }: { state: TuiState; rows: number }) {
  const theme = useTheme();
  const entries = state.audit.slice(-rows);
  return (
    <>
      <Title>{`Audit tail (${state.audit.length === 0 ? 'empty' : `last ${entries.length}`})`}</Title>
      {entries.map((entry) => (
        <Text key={entry.seq} wrap="truncate-end" {...theme.tone('gray')}>
          {'  '}
          {describeAuditEntry(entry)}
        </Text>
      ))}
      <Pad count={rows - entries.length} />
    </>
  );
}
