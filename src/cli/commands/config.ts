/** `aoi config show`: the effective configuration and where each value came from. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ConfigFlags } from '../../core/config.js';
import { normalizeOllamaHost } from '../../core/ollama-host.js';
import type { CliIO } from '../io.js';

export interface ConfigShowOptions {
  config?: string;
  json?: boolean;
  ollamaHost?: string;
  model?: string;
  reasoner?: string;
  policy?: string;
  context?: string;
  executorContext?: string;
  kubeconfig?: string;
  output?: string;
}

function valueAt(config: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], config);
}

export async function configShow(options: ConfigShowOptions, io: CliIO): Promise<number> {
  const flags: ConfigFlags = {
    'ollama.host': options.ollamaHost === undefined ? undefined : normalizeOllamaHost(options.ollamaHost),
    'ollama.model': options.model,
    'reasoner.backend': options.reasoner,
    'executor.policy': options.policy,
    'observer.context': options.context,
    'executor.context': options.executorContext,
    'observer.kubeconfig': options.kubeconfig,
    output: options.output,
  };
  const { leafPaths, loadConfigWithSources } = await import('../../core/config.js');
  const shown = await loadConfigWithSources({
    env: io.env,
    ...(options.config === undefined ? {} : { file: options.config }),
    flags,
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  const keys = leafPaths(shown.config);
  const width = Math.max(...keys.map((k) => k.length));
  const lines = [
    `# config file: ${shown.file.path}${shown.file.found ? '' : ' (not found; defaults apply)'}`,
  ];
  lines.push('# precedence: default < file < environment < flag');
  for (const key of keys) {
    const s = shown.sources[key] ?? { source: 'default' };
    const from = s.source === 'env' ? `env ${s.from ?? ''}` : s.source;
    lines.push(`${key.padEnd(width)}  ${JSON.stringify(valueAt(shown.config, key))}  (${from})`);
  }
  // Unset optional settings (kube contexts) are worth knowing about too.
  for (const key of ['observer.kubeconfig', 'observer.context', 'executor.kubeconfig', 'executor.context'])
    if (!keys.includes(key)) lines.push(`${key.padEnd(width)}  (unset: kubeconfig default)`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export function registerConfig(program: Command, io: CliIO): void {
  const config = program.command('config').description('Inspect the configuration');
  config
    .command('show')
    .description(
      'Print the effective configuration and where each value came from (default, file, env, flag)',
    )
    .option('--config <file>', 'config file (default: $AOI_CONFIG or ~/.config/aoi/config.yaml)')
    .option('--json', 'machine-readable output')
    .option('--ollama-host <url>', 'as the flag of diagnose/tui would set it')
    .option('--model <name>', 'as the flag of diagnose/tui would set it')
    .addOption(
      new Option('--reasoner <backend>', 'as the flag would set it').choices(['auto', 'rules', 'ollama']),
    )
    .option('--policy <name|file>', 'as the flag would set it')
    .option('--kubeconfig <path>', 'as the flag would set it')
    .option('--context <name>', 'as the flag would set it')
    .option('--executor-context <name>', 'as the flag would set it')
    .addOption(
      new Option('--output <format>', 'as the flag would set it').choices(['text', 'json', 'markdown']),
    )
    .addHelpText(
      'after',
      [
        '',
        'Environment: AOI_CONFIG (file), OLLAMA_HOST, AOI_MODEL, AOI_REASONER, AOI_STATE_DIR.',
        '',
        'Examples:',
        '  aoi config show',
        '  AOI_MODEL=llama3.1:8b aoi config show --policy standard',
        '  aoi config show --json',
        '',
      ].join('\n'),
    )
    .action(async (options: ConfigShowOptions) => {
      process.exitCode = await configShow(options, io);
    });
}
