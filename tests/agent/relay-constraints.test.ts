/**
 * The AIOpsLab relay has no API connection of its own: it decides a plan on facts read through the relayed
 * kubectl reader (src/agent/relay-facts.ts). Every proposal of the compromised-model suite, and every
 * combination, must get the same verdict there as in the executor, which reads with its own client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import { factClientsOver } from '../../src/agent/relay-facts.js';
import type { ActionProposal } from '../../src/core/actions.js';
import { ActionProposal as ActionSchema } from '../../src/core/actions.js';
import type { Policy } from '../../src/core/policy.js';
import { gatherContext } from '../../src/executor/context.js';
import { loadPolicy } from '../../src/executor/load-policy.js';
import { refusalsOf } from '../../src/executor/plan-check.js';
import { decide } from '../../src/executor/policy-engine.js';
import type { ClusterReader } from '../../src/observer/cluster-reader.js';
import { COMBINATIONS, proposals } from '../cli/compromised-model-proposals.js';
import { setStage } from '../cli/compromised-model-stage.js';
import { clientsFor, NS, startSim } from '../executor/sim-fixture.js';
import { apiReader } from '../observer/sim-helpers.js';

let server: SimServer;
let singles: ActionProposal[];
let policies: [string, Policy][];

/** The observer's reader, counting its list calls (each is one read of a relayed batch). */
function countingReader(): { reader: ClusterReader; lists: string[] } {
  const inner = apiReader(server);
  const lists: string[] = [];
  return {
    lists,
    reader: {
      ...inner,
      list: (kind, namespace, options) => {
        lists.push(`${kind}${namespace ? `/${namespace}` : ''}`);
        return inner.list(kind, namespace, options);
      },
    },
  };
}

beforeAll(async () => {
  server = await startSim(21);
  singles = proposals(await setStage(server)).map((p) => ActionSchema.parse(p.action));
  policies = [
    ['standard', await loadPolicy('standard')],
    ['bench', await loadPolicy('bench', undefined, { problemNamespace: NS })],
  ];
}, 60_000);

afterAll(async () => {
  await server.close();
});

describe('the relay decides on facts read through its reader', () => {
  it('gives every compromised-model proposal the verdict the executor gives it', async () => {
    const executor = clientsFor(server, 'executor');
    const { reader, lists } = countingReader();
    const relayed = await factClientsOver(reader, [NS]);
    // One round of lists, read together (the relay batches them into one orchestrator step).
    expect(lists.sort()).toEqual(
      [
        `configmaps/${NS}`,
        `deployments/${NS}`,
        'nodes',
        'persistentvolumes',
        `pods/${NS}`,
        `replicasets/${NS}`,
        `services/${NS}`,
        `statefulsets/${NS}`,
      ].sort(),
    );
    const differ: string[] = [];
    for (const [name, policy] of policies)
      for (const [i, action] of singles.entries()) {
        const direct = decide(action, policy, await gatherContext(action, executor, { actionsSoFar: 0 }));
        const viaRelay = decide(action, policy, await gatherContext(action, relayed, { actionsSoFar: 0 }));
        expect(direct.effect, `${name} ${i} ${action.kind}`).toBe('deny');
        if (viaRelay.effect !== direct.effect || viaRelay.ruleId !== direct.ruleId)
          differ.push(
            `${name} ${i} ${action.kind}: executor ${direct.effect} ${direct.ruleId ?? ''}, relay ${viaRelay.effect} ${viaRelay.ruleId ?? ''}: ${viaRelay.reason}`,
          );
      }
    expect(differ).toEqual([]);
    expect(lists).toHaveLength(8);
  }, 120_000);

  it('refuses each combination as the executor does, and passes a harmless plan', async () => {
    const relayed = await factClientsOver(apiReader(server), [NS]);
    const executor = clientsFor(server, 'executor');
    for (const [, policy] of policies) {
      for (const combo of COMBINATIONS) {
        const actions = combo.actions.map((a) => ActionSchema.parse(a));
        const summary = async (clients: Parameters<typeof refusalsOf>[2]) =>
          (await refusalsOf(actions, policy, clients)).map((r) => [r.index, r.decision.ruleId]);
        const viaRelay = await summary(relayed);
        expect(viaRelay, combo.name).toEqual(await summary(executor));
        expect(viaRelay).toContainEqual([combo.refused.index, `constraint:${combo.refused.constraint}`]);
      }
    }
    const harmless = ActionSchema.parse({
      kind: 'rolloutRestart',
      namespace: NS,
      name: 'geo',
      rationale: 'restart',
      evidence: ['ev-1'],
    });
    const [, bench] = policies[1]!;
    expect(await refusalsOf([harmless], bench, relayed)).toEqual([]);
  }, 120_000);

  it('refuses what it could not read, rather than passing it', async () => {
    const { reader } = countingReader();
    const blind: ClusterReader = {
      ...reader,
      list: (kind, namespace, options) =>
        kind === 'deployments'
          ? Promise.resolve({ ok: false, error: { code: 'forbidden', message: 'deployments is forbidden' } })
          : reader.list(kind, namespace, options),
    };
    const relayed = await factClientsOver(blind, [NS]);
    const [, bench] = policies[1]!;
    const rollback = ActionSchema.parse({
      kind: 'rollbackDeployment',
      namespace: NS,
      name: 'geo',
      rationale: 'undo',
      evidence: ['ev-1'],
    });
    const decision = decide(rollback, bench, await gatherContext(rollback, relayed, { actionsSoFar: 0 }));
    expect(decision.effect).toBe('deny');
    expect(decision.reason).toMatch(/could not|unread|not read/i);
  }, 60_000);
});
