import { describe, expect, it } from 'vitest';
import { renderKubectl } from '../../src/agent/render-kubectl.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { brokenProbeBound } from '../../src/executor/probe-bounds.js';

type SetProbe = Extract<ActionProposal, { kind: 'setProbe' }>;
const probe = (change: Partial<SetProbe>): SetProbe => ({
  kind: 'setProbe',
  namespace: 'shop',
  name: 'ad',
  container: 'ad',
  probe: 'liveness',
  rationale: 'test',
  evidence: ['ev-1'],
  ...change,
});

describe('brokenProbeBound', () => {
  it('leaves a port or path change alone, with or without the limit', () => {
    expect(brokenProbeBound({}, probe({ port: 8080 }))).toBeUndefined();
  });

  it('refuses any timing change under a rule without maxProbeStartSeconds', () => {
    expect(brokenProbeBound({}, probe({ timeoutSeconds: 5 }))).toMatch(
      /only with limits.maxProbeStartSeconds/,
    );
  });

  it('bounds the start a probe grants and its timeout', () => {
    const limits = { maxProbeStartSeconds: 300 };
    expect(
      brokenProbeBound(limits, probe({ initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 30 })),
    ).toBeUndefined();
    expect(
      brokenProbeBound(limits, probe({ initialDelaySeconds: 1, periodSeconds: 10, failureThreshold: 30 })),
    ).toMatch(/grants 301s to start/);
    expect(brokenProbeBound(limits, probe({ timeoutSeconds: 301 }))).toMatch(/timeoutSeconds 301/);
    expect(brokenProbeBound(limits, probe({ initialDelaySeconds: 60 }))).toMatch(/together/);
  });
});

describe('renderKubectl for setProbe', () => {
  it('leaves a startup probe to the executor (it is built from the liveness probe a read gives)', () => {
    const rendered = renderKubectl(
      probe({ probe: 'startup', initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 30 }),
    );
    expect(rendered).toMatchObject({ ok: false, reason: expect.stringMatching(/startup probe/) as unknown });
  });

  it('renders a liveness timing change as a strategic patch', () => {
    const rendered = renderKubectl(
      probe({ initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 3 }),
    );
    expect(rendered.ok).toBe(true);
  });
});
