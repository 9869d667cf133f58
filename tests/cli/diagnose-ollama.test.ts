/**
 * `aoi diagnose --reasoner ollama` end to end: the real binary against the faithful Ollama server started
 * here, on a simulated problem. The scripted model calls two tools, then answers; the trajectory shows both
 * phases, the num_ctx of every request and the tokens. Under `--reasoner auto` a model that never answers
 * validly falls back to the rules diagnosis and says so; under `--reasoner ollama` that is an error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrajectory } from '../../src/core/trajectory-recorder.js';
import type { ReasonerStep } from '../../src/reasoner/reasoner.js';
import { content, startFaithfulOllama, toolCalls } from '../reasoner/faithful-ollama.js';
import type { FaithfulOllama, ModelScript, SeenChat } from '../reasoner/faithful-ollama.js';
import { spawnAoi } from './spawn-aoi.js';

const PROBLEM = 'k8s_target_port-misconfig-localization-1';
let dir: string;
let ollama: FaithfulOllama;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-ollama-'));
  ollama = await startFaithfulOllama();
});
afterAll(async () => {
  await ollama.close();
  await rm(dir, { recursive: true, force: true });
});

function aoi(args: string[]) {
  return spawnAoi(
    ['diagnose', '--sim', PROBLEM, '--model', 'test-model', '--ollama-host', ollama.host, ...args],
    dir,
    {
      timeoutMs: 120_000,
    },
  );
}

interface Shown {
  id: string;
  severity: string;
  subject: string;
}

function firstError(seen: SeenChat): Shown {
  const user = seen.body.messages[1]!.content;
  return user
    .split('\n')
    .filter((l) => l.startsWith('{"id":"ev-'))
    .map((l) => JSON.parse(l) as Shown)
    .find((e) => e.severity === 'error' || e.severity === 'critical')!;
}

/** Two tool calls (events of the namespace, then a describe of the first error's subject), findings, answer. */
const investigator: ModelScript = (seen) => {
  const namespace = /Namespace: (\S+)/.exec(seen.body.messages[1]!.content)![1]!;
  const error = firstError(seen);
  if (seen.body.format)
    return content({
      detected: true,
      faultyComponents: [],
      hypotheses: [{ statement: 'the first error is the cause', confidence: 0.6, evidence: [error.id] }],
      proposals: [],
    });
  const tools = seen.body.messages.filter((m) => m.role === 'tool').length;
  if (tools === 0) return toolCalls({ name: 'get_events', arguments: { namespace } });
  if (tools === 1) {
    const [kind, path] = error.subject.split(' ');
    return toolCalls({
      name: 'describe',
      arguments: { kind: kind!, namespace, name: path!.split('/').pop()! },
    });
  }
  return content('The events and the description agree with the first error.');
};

const shape = (s: SeenChat) =>
  [s.body.tools ? 'tools' : '', s.body.format ? 'format' : ''].filter(Boolean).join('+');

describe('aoi diagnose --reasoner ollama on the faithful server', () => {
  it('investigates with two tools, answers with the schema, and records phases, num_ctx and tokens', async () => {
    ollama.seen.length = 0;
    ollama.script(investigator);
    const result = await aoi(['--reasoner', 'ollama', '--output', 'json']);
    expect(result.exitCode, result.stderr).toBe(1);
    const out = JSON.parse(result.stdout) as {
      reasoner: string;
      trajectory: string;
      stats: { tokensIn: number };
    };
    expect(out.reasoner).toBe('ollama');
    expect(ollama.seen.map(shape)).toEqual(['tools', 'tools', 'tools', 'format']);
    for (const s of ollama.seen) {
      expect(shape(s)).not.toBe('tools+format');
      expect(s.kept.truncatedTokens).toBe(0);
      expect(s.body.keep_alive).toBe('30m');
    }
    const trajectory = await readTrajectory(out.trajectory);
    const reason = trajectory.steps.find((s) => s.phase === 'reason')!;
    const steps = (reason.output as { steps: ReasonerStep[] }).steps;
    expect(steps.map((s) => s.phase ?? s.kind)).toEqual([
      'investigate',
      'tool',
      'investigate',
      'tool',
      'investigate',
      'answer',
    ]);
    expect(steps.filter((s) => s.kind === 'tool').map((s) => s.summary.split(':')[0])).toEqual([
      'get_events',
      'describe',
    ]);
    for (const [i, s] of steps.filter((x) => x.kind === 'model').entries()) {
      expect(s.numCtx).toBe(ollama.seen[i]!.body.options?.num_ctx);
      expect(s.tokens.in).toBe(ollama.seen[i]!.kept.tokens);
      expect(s.tokens.out).toBeGreaterThan(0);
    }
    expect(reason.tokens?.in).toBe(out.stats.tokensIn);
    expect(out.stats.tokensIn).toBe(ollama.seen.reduce((n, s) => n + s.kept.tokens, 0));
  });

  it('--reasoner auto falls back to the rules diagnosis when the model never answers validly, and says so', async () => {
    ollama.script((seen) => (seen.body.format ? content('I think it is the network.') : content('done')));
    const result = await aoi(['--reasoner', 'auto', '--output', 'json']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /aoi: reasoner: ollama gave no valid answer \(model test-model gave no valid diagnosis after 3 attempts: not JSON.*\); using the rules diagnosis/,
    );
    const out = JSON.parse(result.stdout) as { reasoner: string; faultyComponents: string[] };
    expect(out.reasoner).toBe('rules');
    expect(out.faultyComponents.length).toBeGreaterThan(0);
  });

  it('--reasoner ollama keeps the same failure an error', async () => {
    ollama.script((seen) => (seen.body.format ? content('I think it is the network.') : content('done')));
    const result = await aoi(['--reasoner', 'ollama']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/model test-model gave no valid diagnosis after 3 attempts/);
    expect(result.stdout).toBe('');
  });
});
