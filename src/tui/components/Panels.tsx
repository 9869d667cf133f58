/** The evidence list, the diagnosis and the proposed actions: fixed-height blocks of one-line rows. */
import { Text } from 'ink';
import type { Evidence } from '../../core/evidence.js';
import { describeProposal } from '../format.js';
import type { SortMode, TuiState } from '../model.js';
import { citedIds, shownVerdict } from '../model.js';
import { useTheme } from '../theme.js';

export function Title({ children, focused = false }: { children: string; focused?: boolean }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end" {...theme.strong()} {...(focused ? theme.tone('cyan') : {})}>
      {focused ? '▶ ' : '─ '}
      {children}
    </Text>
  );
}

/** Keeps the selected row in view: the first row of a window of `rows` over `count` items. */
export function windowStart(selected: number, count: number, rows: number): number {
  if (count <= rows) return 0;
  return Math.min(Math.max(0, selected - Math.floor(rows / 2)), count - rows);
}

const SEV: Record<Evidence['severity'], string> = {
  critical: 'CRIT',
  error: 'ERR ',
  warning: 'WARN',
  info: 'info',
};

const subject = (ev: Evidence) => `${ev.subject.kind}/${ev.subject.name}`;

export function EvidencePanel(props: {
  evidence: Evidence[];
  state: TuiState;
  selected: number;
  focused: boolean;
  sort: SortMode;
  rows: number;
}) {
  const theme = useTheme();
  const { evidence, state, selected, focused, rows } = props;
  const cited = citedIds(state.diagnosis);
  const start = windowStart(selected, evidence.length, rows);
  const shown = evidence.slice(start, start + rows);
  return (
    <>
      <Title focused={focused}>{`Evidence (${evidence.length}, by ${props.sort}, * cited)`}</Title>
      {shown.length === 0 ? (
        <Text wrap="truncate-end" {...theme.tone('gray')}>
          {state.phases.observe.status === 'running' ? '  observing…' : '  (none yet)'}
        </Text>
      ) : null}
      {shown.map((ev, i) => {
        const isSelected = focused && start + i === selected;
        const isCited = cited.has(ev.id);
        return (
          <Text key={ev.id} wrap="truncate-end" inverse={isSelected && theme.color}>
            {isSelected ? '▸' : ' '}
            {isCited ? '*' : ' '}
            <Text {...(isCited ? theme.strong() : {})}>{ev.id.padEnd(6)}</Text>
            <Text {...theme.severity(ev.severity)}>{SEV[ev.severity]}</Text> {ev.signal} {subject(ev)}:{' '}
            {ev.summary}
          </Text>
        );
      })}
      {Array.from({ length: Math.max(0, rows - Math.max(1, shown.length)) }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </>
  );
}

export function DiagnosisPanel({ state, rows }: { state: TuiState; rows: number }) {
  const theme = useTheme();
  const d = state.diagnosis;
  const head = !d
    ? state.phases.reason.status === 'running'
      ? 'reasoning…'
      : 'not yet'
    : !d.detected
      ? 'healthy: no fault found'
      : `${d.faultyComponents.join(', ') || 'unknown component'}${d.rootCause ? ` · ${d.rootCause.systemLevel} / ${d.rootCause.faultType}` : ''}`;
  const lines = (d?.hypotheses ?? []).slice(0, rows);
  return (
    <>
      <Title>{`Diagnosis: ${head}`}</Title>
      {lines.map((h, i) => (
        <Text key={i} wrap="truncate-end">
          {'  '}
          <Text {...theme.strong()}>{`${Math.round(h.confidence * 100)}%`.padStart(4)}</Text> {h.statement}{' '}
          <Text {...theme.tone('cyan')}>[{h.evidence.map((id) => `*${id}`).join(' ')}]</Text>
        </Text>
      ))}
      {Array.from({ length: Math.max(0, rows - lines.length) }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </>
  );
}

const EFFECT_TONE = { allow: 'green', approve: 'yellow', deny: 'red' } as const;

export function ActionsPanel(props: { state: TuiState; selected: number; focused: boolean; rows: number }) {
  const theme = useTheme();
  const { state, selected, focused, rows } = props;
  const proposals = state.diagnosis?.proposals ?? [];
  const start = windowStart(selected, proposals.length, rows);
  const shown = proposals.slice(start, start + rows);
  return (
    <>
      <Title
        focused={focused}
      >{`Proposed actions (${proposals.length})${state.pending ? ' · APPROVAL NEEDED' : ''}`}</Title>
      {shown.length === 0 ? (
        <Text wrap="truncate-end" {...theme.tone('gray')}>
          {state.diagnosis ? '  (none)' : '  (waiting for the diagnosis)'}
        </Text>
      ) : null}
      {shown.map((action, i) => {
        const index = start + i;
        const verdict = shownVerdict(state, index);
        const outcome = state.outcomes[index];
        const isSelected = focused && index === selected;
        const waiting = state.pending?.index === index;
        return (
          <Text key={index} wrap="truncate-end" inverse={isSelected && theme.color}>
            {isSelected ? '▸' : ' '}
            {index + 1}. {describeProposal(action)}{' '}
            {outcome ? (
              <Text {...theme.tone(outcome.status === 'verified' ? 'green' : 'red')}>
                → {outcome.status}{' '}
              </Text>
            ) : null}
            {waiting ? <Text {...theme.tone('yellow')}>→ awaiting approval </Text> : null}
            {verdict ? <Text {...theme.tone(EFFECT_TONE[verdict.effect])}>[{verdict.effect}]</Text> : null}
          </Text>
        );
      })}
      {Array.from({ length: Math.max(0, rows - Math.max(1, shown.length)) }, (_, i) => (
        <Text key={`pad-${i}`}> </Text>
      ))}
    </>
  );
}
