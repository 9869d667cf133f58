import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, normalizeOllamaHost } from '../../src/core/config.js';
import { AoiError } from '../../src/core/errors.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-config-'));
  env = { HOME: join(dir, 'home') };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DEFAULTS = {
  ollama: {
    host: 'http://127.0.0.1:11434',
    model: 'qwen2.5:14b-instruct',
    timeoutMs: 120000,
    keepAlive: '30m',
  },
  reasoner: { backend: 'auto', maxSteps: 8, rulesPrior: true },
  observer: {},
  telemetry: { prometheus: { useKubeToken: false }, jaeger: { useKubeToken: false } },
  executor: { policy: 'default' },
  output: 'text',
};

async function write(path: string, text: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

describe('loadConfig', () => {
  it('uses defaults when the default file is missing', async () => {
    expect(await loadConfig({ env })).toEqual(DEFAULTS);
  });

  it('uses defaults for an empty file', async () => {
    const file = await write(join(dir, 'empty.yaml'), '');
    expect(await loadConfig({ env, file })).toEqual(DEFAULTS);
  });

  it.each([
    ['the explicit file', (d: string) => ({ file: join(d, 'nope.yaml') })],
    ['$AOI_CONFIG', (d: string) => ({ env: { AOI_CONFIG: join(d, 'nope.yaml') } })],
  ])('fails when %s is missing', async (_label, options) => {
    const { file, env: extra } = { env: {}, file: undefined, ...options(dir) };
    const error: unknown = await loadConfig({ env: { ...env, ...extra }, ...(file ? { file } : {}) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AoiError);
    expect(error).toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('nope.yaml') as string,
    });
  });

  it.each([
    ['XDG_CONFIG_HOME', (d: string) => ({ XDG_CONFIG_HOME: join(d, 'xdg') }), 'xdg/aoi/config.yaml'],
    ['HOME', () => ({}), 'home/.config/aoi/config.yaml'],
  ])('reads the default file under %s and fills the rest', async (_label, extra, rel) => {
    await write(join(dir, rel), 'reasoner:\n  backend: ollama\nexecutor:\n  context: sim-executor\n');
    const config = await loadConfig({ env: { ...env, ...extra(dir) } });
    expect(config.reasoner).toEqual({ backend: 'ollama', maxSteps: 8, rulesPrior: true });
    expect(config.executor).toEqual({ context: 'sim-executor', policy: 'default' });
    expect(config.ollama).toEqual(DEFAULTS.ollama);
  });

  it.each([
    ['a bad enum', 'reasoner:\n  backend: gpt\n', 'reasoner.backend: Invalid option'],
    ['an unknown key', 'ollama:\n  hots: x\n', 'ollama: Unrecognized key: "hots"'],
    ['a wrong type', 'ollama:\n  timeoutMs: soon\n', 'ollama.timeoutMs: Invalid input'],
    ['a list at the top', '- a\n', 'Invalid input'],
  ])('names the file and path for %s', async (_label, text, expected) => {
    const file = await write(join(dir, 'bad.yaml'), text);
    await expect(loadConfig({ env, file })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining(`${file}: invalid contents`) as string,
    });
    await expect(loadConfig({ env, file })).rejects.toThrow(expected);
  });

  it('applies env overrides after the file', async () => {
    const file = await write(join(dir, 'c.yaml'), 'ollama:\n  host: http://gpu:11434\n  model: llama3\n');
    const config = await loadConfig({
      env: { ...env, OLLAMA_HOST: 'gpu2:8080', AOI_MODEL: 'qwen3:8b', AOI_REASONER: 'ollama' },
      file,
    });
    expect(config.ollama).toEqual({
      host: 'http://gpu2:8080',
      model: 'qwen3:8b',
      timeoutMs: 120000,
      keepAlive: '30m',
    });
    expect(config.reasoner.backend).toBe('ollama');
  });

  it('rejects an unknown AOI_REASONER', async () => {
    await expect(loadConfig({ env: { ...env, AOI_REASONER: 'gpt' } })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('AOI_REASONER') as string,
    });
  });

  it('ignores empty env values', async () => {
    const config = await loadConfig({ env: { ...env, OLLAMA_HOST: '', AOI_MODEL: '', AOI_REASONER: '' } });
    expect(config).toEqual(DEFAULTS);
  });
});

describe('normalizeOllamaHost', () => {
  it.each([
    ['http://127.0.0.1:11434', 'http://127.0.0.1:11434'],
    ['https://ollama.example.com/', 'https://ollama.example.com'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    [':9000', 'http://127.0.0.1:9000'],
    ['gpu-box', 'http://gpu-box:11434'],
    ['0.0.0.0:11434', 'http://0.0.0.0:11434'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeOllamaHost(input)).toBe(expected);
  });

  it('rejects what is neither host:port nor a URL', () => {
    expect(() => normalizeOllamaHost('ftp://x/y:z')).toThrow(AoiError);
  });
});
