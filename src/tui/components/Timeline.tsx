import { Text } from 'ink';
import type { IncidentPhase } from '../../incident/run-incident.js';
import { formatDuration } from '../format.js';
import type { TuiState } from '../model.js';
import { PHASES, phaseSteps } from '../model.js';
import { useTheme } from '../theme.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One line: each phase with a spinner or a mark, its duration and its step count. */
export function Timeline({
  state,
  now,
  tick,
  width,
}: {
  state: TuiState;
  now: number;
  tick: number;
  width: number;
}) {
  const theme = useTheme();
  const cell = (phase: IncidentPhase) => {
    const p = state.phases[phase];
    const steps = phaseSteps(state, phase);
    const mark =
      p.status === 'running'
        ? (SPINNER[tick % SPINNER.length] ?? '*')
        : p.status === 'done'
          ? '✓'
          : p.status === 'failed'
            ? '✗'
            : '·';
    const ms = p.status === 'running' ? now - (p.startedAt ?? now) : p.durationMs;
    const tone =
      p.status === 'done'
        ? theme.tone('green')
        : p.status === 'failed'
          ? theme.tone('red')
          : p.status === 'running'
            ? theme.tone('cyan')
            : theme.tone('gray');
    return (
      <Text key={phase}>
        <Text {...tone}>{mark}</Text> {phase}
        {ms === undefined ? '' : ` ${formatDuration(ms)}`}
        {steps === undefined ? '' : ` ${steps}`}
      </Text>
    );
  };
  return (
    <Text wrap="truncate-end">
      {PHASES.map((phase, i) => (
        <Text key={phase}>
          {i > 0 ? (width >= 90 ? ' │ ' : '  ') : ''}
          {cell(phase)}
        </Text>
      ))}
    </Text>
  );
}
