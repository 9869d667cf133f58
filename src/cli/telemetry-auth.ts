/**
 * The telemetry credential options (--prometheus-token-file, --jaeger-token-file, --prometheus-use-kube-token,
 * --jaeger-use-kube-token, --allow-insecure-token-to-loopback, and `telemetry.*.bearerTokenFile` in config),
 * read into what src/observer/telemetry-credentials.ts decides with. Token files are read once, here; the
 * token never reaches a log or an error message.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AoiConfig } from '../core/config.js';
import { AoiError } from '../core/errors.js';
import type { TelemetryAuth } from '../observer/telemetry-credentials.js';

export interface TelemetryAuthFlags {
  prometheusTokenFile?: string;
  jaegerTokenFile?: string;
  prometheusUseKubeToken?: boolean;
  jaegerUseKubeToken?: boolean;
  allowInsecureTokenToLoopback?: boolean;
}

export interface TelemetryAuthOptions {
  prometheus: TelemetryAuth;
  jaeger: TelemetryAuth;
  allowInsecureLoopback: boolean;
}

export function addTelemetryAuthOptions(command: Command): Command {
  return command
    .option('--prometheus-token-file <file>', 'bearer token for --prometheus-url, read from FILE')
    .option('--jaeger-token-file <file>', 'bearer token for --jaeger-url, read from FILE')
    .option(
      '--prometheus-use-kube-token',
      "send the kubeconfig's token to --prometheus-url too (by default it goes to the API server only)",
    )
    .option(
      '--jaeger-use-kube-token',
      "send the kubeconfig's token to --jaeger-url too (by default it goes to the API server only)",
    )
    .option(
      '--allow-insecure-token-to-loopback',
      'allow a token over plain http, to 127.0.0.1/localhost only (never elsewhere)',
    );
}

async function readToken(file: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AoiError(
      'config',
      `cannot read the ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        hint: 'Give a readable file holding only the bearer token.',
      },
    );
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token))
    throw new AoiError('config', `the ${flag} ${file} does not hold a single token`, {
      hint: 'The file must hold only the bearer token, on one line.',
    });
  return token;
}

/** The flags over config, token files read. */
export async function telemetryAuth(
  flags: TelemetryAuthFlags,
  config?: Pick<AoiConfig, 'telemetry'>,
): Promise<TelemetryAuthOptions> {
  const promFile = flags.prometheusTokenFile ?? config?.telemetry.prometheus.bearerTokenFile;
  const jaegerFile = flags.jaegerTokenFile ?? config?.telemetry.jaeger.bearerTokenFile;
  const [promToken, jaegerToken] = await Promise.all([
    promFile === undefined ? undefined : readToken(promFile, 'Prometheus token file'),
    jaegerFile === undefined ? undefined : readToken(jaegerFile, 'Jaeger token file'),
  ]);
  return {
    prometheus: {
      ...(promToken === undefined ? {} : { token: promToken }),
      ...(flags.prometheusUseKubeToken || config?.telemetry.prometheus.useKubeToken
        ? { useKubeToken: true }
        : {}),
    },
    jaeger: {
      ...(jaegerToken === undefined ? {} : { token: jaegerToken }),
      ...(flags.jaegerUseKubeToken || config?.telemetry.jaeger.useKubeToken ? { useKubeToken: true } : {}),
    },
    allowInsecureLoopback: flags.allowInsecureTokenToLoopback === true,
  };
}
