import { Box, Text } from 'ink';
import { useTheme } from '../theme.js';

/** Every key the TUI understands; the help overlay lists them all and tests check the list is complete. */
export const KEYS: readonly { keys: string; does: string }[] = [
  { keys: 'a / y', does: 'approve the action waiting for approval (through the executor)' },
  { keys: 'd / n', does: 'reject the action waiting for approval' },
  { keys: 'r', does: 're-run the incident (observe, reason, act, verify) when the run is over' },
  { keys: 'tab', does: 'switch focus between evidence and actions' },
  { keys: '↑ ↓ / k j', does: 'move the selection in the focused list' },
  { keys: 's', does: 'sort evidence by severity or by id' },
  { keys: 'enter / v', does: 'show the dry run and diff of the selected action' },
  { keys: '?', does: 'show or hide this help' },
  { keys: 'q / ctrl-c', does: 'quit (a pending approval is rejected)' },
];

export function HelpOverlay({ width, rows }: { width: number; rows: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} height={rows}>
      <Text {...theme.strong()}>aoi tui · keys</Text>
      <Text> </Text>
      {KEYS.map((k) => (
        <Text key={k.keys} wrap="truncate-end">
          {'  '}
          <Text {...theme.tone('cyan')}>{k.keys.padEnd(12)}</Text>
          {k.does}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate-end">
        Actions the policy allows run without asking; denied ones never run. Press ? or esc to close.
      </Text>
    </Box>
  );
}
