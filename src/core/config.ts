import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AoiError } from './errors.js';
import { normalizeOllamaHost } from './ollama-host.js';
import { loadYamlFile } from './yaml-file.js';

const Kube = z.strictObject({
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
});

const ReasonerBackend = z.enum(['auto', 'rules', 'ollama']);

/** A telemetry backend's own credential: it never gets the kubeconfig's token unless told so. */
const TelemetryBackend = z.strictObject({
  bearerTokenFile: z.string().min(1).optional(),
  useKubeToken: z.boolean().default(false),
});

// prefault (not default) so an omitted section still gets its inner defaults.
export const AoiConfig = z.strictObject({
  ollama: z
    .strictObject({
      host: z.string().min(1).default('http://127.0.0.1:11434'),
      // A 14B-class instruct model fits a 16 GB GPU quantised and follows JSON schemas well.
      model: z.string().min(1).default('qwen2.5:14b-instruct'),
      timeoutMs: z.int().min(1).default(120_000),
      // Unset: each request's num_ctx is sized to its prompt and answer, capped at the model's length.
      numCtx: z.int().min(256).optional(),
      // Longer than Ollama's 5m default, so an incident's turns (and a bench run) do not reload the model.
      keepAlive: z
        .string()
        .regex(/^(-1|0|\d+(\.\d+)?(ms|s|m|h))$/, 'a duration such as 30m, 1h, 0 or -1')
        .default('30m'),
    })
    .prefault({}),
  reasoner: z
    .strictObject({
      backend: ReasonerBackend.default('auto'),
      maxSteps: z.int().min(1).default(8),
      // The rules diagnosis goes to the model as a hypothesis to confirm or refute (false: --no-rules-prior).
      rulesPrior: z.boolean().default(true),
    })
    .prefault({}),
  observer: Kube.prefault({}),
  telemetry: z
    .strictObject({
      prometheus: TelemetryBackend.prefault({}),
      jaeger: TelemetryBackend.prefault({}),
    })
    .prefault({}),
  executor: Kube.extend({ policy: z.string().min(1).default('default') }).prefault({}),
  output: z.enum(['text', 'json', 'markdown']).default('text'),
});
export type AoiConfig = z.infer<typeof AoiConfig>;

// An empty YAML document parses to null; treat it like an empty mapping.
const AoiConfigFile = z.preprocess((value) => value ?? {}, AoiConfig);

export interface LoadConfigOptions {
  env: NodeJS.ProcessEnv;
  file?: string;
}

/** File (explicit, `$AOI_CONFIG`, or the XDG default), then environment overrides. */
export async function loadConfig(options: LoadConfigOptions): Promise<AoiConfig> {
  const { env } = options;
  const explicit = options.file ?? (env.AOI_CONFIG || undefined);
  const file = explicit ?? defaultConfigPath(env);
  let config: AoiConfig;
  try {
    config = await loadYamlFile(file, AoiConfigFile);
  } catch (error) {
    if (explicit !== undefined || !(error instanceof AoiError) || error.code !== 'not-found') throw error;
    config = AoiConfig.parse({});
  }
  return applyEnv(config, env);
}

export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'aoi', 'config.yaml');
}

function applyEnv(config: AoiConfig, env: NodeJS.ProcessEnv): AoiConfig {
  const ollama = { ...config.ollama, host: normalizeOllamaHost(env.OLLAMA_HOST || config.ollama.host) };
  if (env.AOI_MODEL) ollama.model = env.AOI_MODEL;
  const reasoner = { ...config.reasoner };
  if (env.AOI_REASONER) {
    const backend = ReasonerBackend.safeParse(env.AOI_REASONER);
    if (!backend.success) {
      throw new AoiError('config', `AOI_REASONER: expected one of ${ReasonerBackend.options.join(', ')}`, {
        hint: `got "${env.AOI_REASONER}"`,
      });
    }
    reasoner.backend = backend.data;
  }
  return { ...config, ollama, reasoner };
}

export { normalizeOllamaHost } from './ollama-host.js';

export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

export interface ConfigProvenance {
  config: AoiConfig;
  /** The file looked at, and whether it existed. */
  file: { path: string; found: boolean };
  /** Every leaf setting (`ollama.host`) with where its value came from (`env OLLAMA_HOST`, a file path…). */
  sources: Record<string, { source: ConfigSource; from?: string }>;
}

/** Per-command flags that override the config (the last layer of the precedence). */
export type ConfigFlags = Partial<Record<string, string | number>>;

/** `loadConfig` plus where each value came from: default < file < environment < flag. */
export async function loadConfigWithSources(
  options: LoadConfigOptions & { flags?: ConfigFlags },
): Promise<ConfigProvenance> {
  const { env } = options;
  const explicit = options.file ?? (env.AOI_CONFIG || undefined);
  const path = explicit ?? defaultConfigPath(env);
  let config = await loadConfig(options);
  let raw: unknown = undefined;
  try {
    raw = await loadYamlFile(path, z.unknown());
  } catch (error) {
    if (!(error instanceof AoiError) || error.code !== 'not-found') throw error;
  }
  const found = raw !== undefined;
  const inFile = new Set(leafPaths(raw));
  const sources: ConfigProvenance['sources'] = {};
  for (const key of leafPaths(config)) {
    sources[key] = inFile.has(key) ? { source: 'file', from: path } : { source: 'default' };
  }
  const fromEnv: [string, string | undefined][] = [
    ['ollama.host', env.OLLAMA_HOST ? 'OLLAMA_HOST' : undefined],
    ['ollama.model', env.AOI_MODEL ? 'AOI_MODEL' : undefined],
    ['reasoner.backend', env.AOI_REASONER ? 'AOI_REASONER' : undefined],
  ];
  for (const [key, name] of fromEnv) if (name) sources[key] = { source: 'env', from: name };
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    const next = AoiConfig.safeParse(setPath(structuredClone(config), key, value));
    if (!next.success) throw new AoiError('usage', `${key}: ${next.error.issues[0]?.message ?? 'invalid'}`);
    config = next.data;
    sources[key] = { source: 'flag' };
  }
  return { config, file: { path, found }, sources };
}

/** Dotted paths of every leaf of a plain object. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = next !== null && typeof next === 'object' ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
  return target;
}
