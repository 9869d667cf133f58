import { describe, expect, it } from 'vitest';
import { chooseNumCtx, estimatePrompt, loadTokenBudget } from '../../src/reasoner/context-window.js';
import { modelFacts } from '../../src/reasoner/ollama-model.js';
import { TOOLS } from '../../src/reasoner/ollama-tools.js';
import { keptPrompt, renderPrompt, tokensOf } from './ollama-contract.js';

describe('chooseNumCtx', () => {
  it.each([
    [
      { promptTokens: 300, answerTokens: 1024, window: 32768 },
      { numCtx: 2048, fits: true },
    ],
    [
      { promptTokens: 3000, answerTokens: 1024, window: 32768 },
      { numCtx: 4096, fits: true },
    ],
    [
      { promptTokens: 3000, answerTokens: 1024, window: 32768, previous: 8192 },
      { numCtx: 8192, fits: true },
    ],
    [
      { promptTokens: 3500, answerTokens: 1024, window: 4096 },
      { numCtx: 4096, fits: false },
    ],
    [
      { promptTokens: 3000, answerTokens: 1024, window: 32768, override: 3072 },
      { numCtx: 3072, fits: false },
    ],
  ])('%j → %j', (input, expected) => {
    expect(chooseNumCtx(input)).toEqual(expected);
  });
});

describe('estimatePrompt', () => {
  it('covers what the server renders, tools included, so a sized num_ctx never truncates', async () => {
    const { countTokens } = await loadTokenBudget();
    const messages = [
      { role: 'system', content: 'You are aoi.' },
      {
        role: 'user',
        content: 'Evidence:\n' + '{"id":"ev-1","summary":"pod restarted 7 times"}\n'.repeat(200),
      },
    ];
    const estimate = estimatePrompt(countTokens, messages, TOOLS);
    const rendered = tokensOf(renderPrompt(messages, TOOLS)).length;
    expect(estimate).toBeGreaterThanOrEqual(rendered);
    expect(estimate).toBeLessThan(rendered * 1.3);
    const { numCtx } = chooseNumCtx({ promptTokens: estimate, answerTokens: 1024, window: 32768 });
    expect(keptPrompt(messages, TOOLS, numCtx).truncatedTokens).toBe(0);
  });
});

describe('modelFacts', () => {
  it('reads capabilities and <arch>.context_length', () => {
    expect(
      modelFacts({
        capabilities: ['completion', 'tools', 'thinking'],
        model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 },
      }),
    ).toEqual({
      capabilities: ['completion', 'tools', 'thinking'],
      contextLength: 40960,
      tools: true,
      thinking: true,
    });
  });

  it('assumes tools and no known length from a server too old to say', () => {
    expect(modelFacts({ modelfile: '' })).toEqual({ tools: true, thinking: false });
    expect(
      modelFacts({ capabilities: ['completion'], model_info: { 'general.architecture': 'llama' } }),
    ).toEqual({
      capabilities: ['completion'],
      tools: false,
      thinking: false,
    });
  });
});
