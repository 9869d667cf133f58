import { describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import { describeAction } from '../../src/core/describe-action.js';
import type { Evidence } from '../../src/core/evidence.js';

const fix: ActionProposal = {
  kind: 'patchService',
  namespace: 'shop',
  name: 'user',
  ports: [{ name: 'http', port: 9090, targetPort: 9090 }],
  rationale: 'the pods listen on 9090',
  evidence: ['ev-1'],
};

const mismatch = (id: string, service: string, port: number, targetPort: string): Evidence => ({
  id,
  source: 'kubernetes',
  subject: { kind: 'Service', namespace: 'shop', name: service },
  signal: 'TargetPortMismatch',
  severity: 'critical',
  summary: `Service ${service} port ${port} targets ${targetPort}`,
  observedAt: '2026-12-03T09:00:00Z',
  component: service,
  attributes: { service, port, targetPort, containerPort: 9090 },
});

describe('describeAction for a Service patch', () => {
  it('says before → after from the evidence the action cites', () => {
    expect(describeAction(fix, 'full', [mismatch('ev-1', 'user', 9090, '9999')])).toBe(
      'patch service shop/user port 9090: targetPort 9999 → 9090',
    );
  });

  it('says only the new value when no cited item recorded the old one, never 9090→9090', () => {
    for (const evidence of [
      [],
      [mismatch('ev-2', 'user', 9090, '9999')],
      [mismatch('ev-1', 'other', 9090, '1')],
    ])
      expect(describeAction(fix, 'full', evidence)).toBe(
        'patch service shop/user port 9090: targetPort → 9090',
      );
    expect(describeAction(fix, 'brief')).toBe('patch service shop/user → 9090');
  });
});
