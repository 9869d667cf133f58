import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import { showsIncident } from '../../src/observer/incident-signs.js';

let n = 0;
function ev(
  severity: Evidence['severity'],
  source: Evidence['source'],
  component?: string,
  signal = 'X',
): Evidence {
  n += 1;
  return {
    id: `ev-${n}`,
    source,
    subject: { kind: 'Service', namespace: 'ns', name: component ?? 'svc' },
    signal,
    severity,
    summary: 's',
    observedAt: '2026-11-25T00:00:00.000Z',
    ...(component === undefined ? {} : { component }),
  };
}

describe('showsIncident', () => {
  it('is true for any error or critical item', () => {
    expect(showsIncident([ev('info', 'logs'), ev('error', 'metrics', 'a')])).toBe(true);
    expect(showsIncident([ev('critical', 'kubernetes')])).toBe(true);
  });

  it('is false for warnings from one source, or about different components', () => {
    expect(showsIncident([ev('warning', 'metrics', 'a'), ev('warning', 'metrics', 'a')])).toBe(false);
    expect(showsIncident([ev('warning', 'metrics', 'a'), ev('warning', 'logs', 'b')])).toBe(false);
    expect(showsIncident([])).toBe(false);
  });

  it('is true for warnings about one component from two sources', () => {
    expect(
      showsIncident([ev('warning', 'metrics', 'a'), ev('info', 'logs', 'a'), ev('warning', 'logs', 'a')]),
    ).toBe(true);
  });

  it('never counts gaps', () => {
    expect(showsIncident([ev('warning', 'metrics', 'a'), ev('warning', 'kubernetes', 'a', 'gap')])).toBe(
      false,
    );
  });
});
