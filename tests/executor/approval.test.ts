import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ActionProposal } from '../../src/core/actions.js';
import type { ApprovalRequest } from '../../src/executor/approval.js';
import { denyingApprover, preApprovedApprover, promptApprover } from '../../src/executor/approval.js';

const action: ActionProposal = {
  kind: 'setImage',
  namespace: 'shop',
  name: 'web',
  container: 'web',
  image: 'web:2',
  rationale: 'bad image',
  evidence: ['ev-1'],
};
const request = (effect: 'allow' | 'approve' | 'deny'): ApprovalRequest => ({
  action,
  decision: { effect, ruleId: 'r', reason: 'because' },
  dryRun: { ok: true, message: 'fine' },
  blastRadius: { objects: ['deployment/shop/web'], pods: ['web-1'] },
});

async function prompt(answer: string | null, effect: 'approve' | 'deny' = 'approve') {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const pending = promptApprover(input, output).approve(request(effect));
  if (answer === null) input.end();
  else input.write(answer);
  return { answer: await pending, shown };
}

describe('approvers', () => {
  it('denyingApprover rejects everything', async () => {
    expect(await denyingApprover.approve(request('approve'))).toBe('rejected');
  });

  it.each<[readonly ('setImage' | 'deletePod' | '*')[], 'allow' | 'approve' | 'deny', string]>([
    [['setImage'], 'approve', 'approved'],
    [['*'], 'approve', 'approved'],
    [['deletePod'], 'approve', 'rejected'],
    [['*'], 'deny', 'rejected'],
    [['setImage'], 'allow', 'rejected'],
  ])('preApprovedApprover(%j) on %s → %s', async (kinds, effect, expected) => {
    expect(await preApprovedApprover(kinds).approve(request(effect))).toBe(expected);
  });

  it.each([
    ['y\n', 'approved'],
    ['YES\n', 'approved'],
    ['n\n', 'rejected'],
    ['\n', 'rejected'],
    ['sure\n', 'rejected'],
  ])('the prompt approver reads %j as %s', async (line, expected) => {
    const { answer, shown } = await prompt(line);
    expect(answer).toBe(expected);
    expect(shown).toContain('Policy: approve (rule r): because');
    expect(shown).toContain('Touches: deployment/shop/web, pod/web-1');
    expect(shown).toContain('Apply? [y/N] ');
  });

  it('the prompt approver rejects on end of input and never asks about a deny', async () => {
    expect((await prompt(null)).answer).toBe('rejected');
    const denied = await prompt('y\n', 'deny');
    expect(denied).toEqual({ answer: 'rejected', shown: '' });
  });
});
