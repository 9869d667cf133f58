import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import { previewVerdict, readTargetFacts } from '../../src/cli/policy-preview.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { apiReader, startScenario } from '../observer/sim-helpers.js';

let server: SimServer;
let namespace: string;
beforeAll(async () => {
  ({ server, namespace } = await startScenario({
    app: 'hotel-reservation',
    fault: 'scale_pods_to_zero',
    target: 'geo',
  }));
});
afterAll(() => server.close());

const scale = (replicas: number): ActionProposal => ({
  kind: 'scaleDeployment',
  namespace,
  name: 'geo',
  replicas,
  rationale: 'scaled to zero',
  evidence: ['ev-1'],
});

describe('policy preview with facts read by the observer', () => {
  it('reads the current replicas and labels, and decides replica limits as the executor would', async () => {
    const policy = await loadPolicy('standard');
    const reader = apiReader(server);
    const [facts] = await readTargetFacts(reader, [scale(1)]);
    expect(facts).toMatchObject({ currentReplicas: 0 });
    expect(facts?.labels).toBeDefined();
    expect(previewVerdict(scale(1), 0, policy, facts)).toMatchObject({
      effect: 'allow',
      rule: 'scale-within-limits',
    });
    // More than maxReplicaChange (3) away from the current count: denied, with the count known.
    const far = previewVerdict(scale(5), 0, policy, facts);
    expect(far.effect).toBe('deny');
    expect(far.reason).not.toContain('unknown');
    // Without the facts the limit cannot be checked and fails closed.
    expect(previewVerdict(scale(1), 0, policy).reason).toContain('current replica count unknown');
  });

  it('leaves facts unknown when the target cannot be read', async () => {
    const missing = { ...scale(1), name: 'no-such-deployment' };
    const [facts] = await readTargetFacts(apiReader(server), [missing]);
    expect(facts).toEqual({});
    expect(server.writesBy('observer')).toEqual([]);
  });
});
