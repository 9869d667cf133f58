import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress-line.js';

function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = Object.assign(new PassThrough(), { isTTY, text: () => chunks.join('') });
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  return s;
}

describe('progressLine', () => {
  it('draws phase, step and tokens/s in place on a terminal and clears it when done', async () => {
    const err = stream(true);
    const line = progressLine(err)!;
    line({ phase: 'investigate', step: 2, maxSteps: 8, tokensPerSecond: 14.25 });
    line({ phase: 'done', step: 0, maxSteps: 0, tokensPerSecond: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(err.text()).toBe('\r\x1b[2Kaoi: reason: investigate, step 2/8, 14.3 tokens/s\r\x1b[2K');
  });

  it('draws nothing when stderr is not a terminal', () => {
    expect(progressLine(stream(false))).toBeUndefined();
  });
});
