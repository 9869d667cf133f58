import { execa } from 'execa';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { ClusterReader, ListOptions, ResourceKind, WatchEvent } from './cluster-reader.js';
import { CLUSTER_SCOPED } from './cluster-reader.js';
import { ListBodyParser, splitJsonValues } from './json-stream.js';
import type { KObject } from './k8s-types.js';
import { slimObject } from './k8s-types.js';
import type { RetryPolicy } from './retry.js';
import { DEFAULT_RETRY, withRetry } from './retry.js';

export interface KubectlReaderOptions {
  kubeconfig?: string;
  context?: string;
  /** The binary to run; `kubectl` on PATH by default. */
  binary?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  retry?: RetryPolicy;
  /** Runs one kubectl argv; the default spawns the binary. Injected to relay reads elsewhere (`aoi agent`). */
  runner?: KubectlRunner;
}

export interface KubectlRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * One kubectl invocation: argv after the program name, and how long it may take. With `onStdout`, a runner may
 * hand stdout over in chunks as it arrives (and return an empty `stdout`) instead of buffering it.
 */
export type KubectlRunner = (
  argv: string[],
  options: { timeoutMs: number; onStdout?: (chunk: Buffer) => void },
) => Promise<KubectlRun>;

/** The only kubectl verbs this reader may run. */
const READ_VERBS = new Set(['get', 'logs']);
const MAX_BUFFER = 64 * 1024 * 1024;

export function classifyKubectlError(stderr: string): string {
  if (/forbidden/i.test(stderr)) return 'forbidden';
  if (/unauthorized|must be logged in|provide credentials/i.test(stderr)) return 'unauthorized';
  if (/NotFound|not found/i.test(stderr)) return 'not-found';
  if (/connection refused|unable to connect|no such host|dial tcp|certificate/i.test(stderr))
    return 'unreachable';
  if (/timeout|deadline exceeded|i\/o timeout/i.test(stderr)) return 'timeout';
  if (/TooManyRequests|InternalError|ServiceUnavailable/i.test(stderr)) return 'server';
  return 'failed';
}

/** The observer's reader through `kubectl ... -o json`: argv only, no shell, a minimal environment. */
export function createKubectlReader(options: KubectlReaderOptions = {}): ClusterReader {
  const env = options.env ?? process.env;
  const childEnv: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'KUBECONFIG'] as const) {
    const value = env[key];
    if (value !== undefined) childEnv[key] = value;
  }
  const common = [
    ...(options.kubeconfig === undefined ? [] : ['--kubeconfig', options.kubeconfig]),
    ...(options.context === undefined ? [] : ['--context', options.context]),
    `--request-timeout=${Math.ceil((options.timeoutMs ?? 20_000) / 1000)}s`,
  ];
  let requests = 0;
  const runner: KubectlRunner =
    options.runner ??
    (async (argv, { timeoutMs, onStdout }) => {
      const subprocess = execa(options.binary ?? 'kubectl', argv, {
        reject: false,
        extendEnv: false,
        env: childEnv,
        timeout: timeoutMs,
        maxBuffer: MAX_BUFFER,
        stdin: 'ignore',
        buffer: { stdout: onStdout === undefined, stderr: true },
      });
      if (onStdout) subprocess.stdout?.on('data', (chunk: Buffer) => onStdout(chunk));
      const result = await subprocess;
      return {
        exitCode: result.exitCode ?? 1,
        stdout: typeof result.stdout === 'string' ? result.stdout : '',
        stderr: result.stderr || result.shortMessage || '',
        timedOut: result.timedOut,
      };
    });

  /** Runs a read; with `onStart`, stdout is streamed to the sink it returns (called again on each retry). */
  async function run(argv: string[], onStart?: () => (chunk: Buffer) => void): Promise<Result<string>> {
    if (!READ_VERBS.has(argv[0] ?? '')) return fail('failed', `refusing kubectl verb "${argv[0]}"`);
    return withRetry(async () => {
      requests++;
      const onStdout = onStart?.();
      const result = await runner([...argv, ...common], {
        timeoutMs: (options.timeoutMs ?? 20_000) + 5_000,
        ...(onStdout === undefined ? {} : { onStdout }),
      });
      if (result.timedOut) return fail<string>('timeout', 'kubectl timed out');
      if (result.exitCode !== 0) {
        const message = (result.stderr || 'kubectl failed').trim().slice(0, 500);
        return fail<string>(classifyKubectlError(message), message);
      }
      return ok(result.stdout);
    }, options.retry ?? DEFAULT_RETRY);
  }

  /** Fully qualified where kubectl's preferred version may be an older one (autoscaling/v1 on some servers). */
  function kubectlResource(kind: ResourceKind): string {
    return kind === 'horizontalpodautoscalers' ? 'horizontalpodautoscalers.v2.autoscaling' : kind;
  }

  function scope(kind: ResourceKind, namespace: string | undefined): string[] {
    if (CLUSTER_SCOPED.has(kind)) return [];
    return namespace === undefined ? ['--all-namespaces'] : ['--namespace', namespace];
  }

  function parse(stdout: string): Result<KObject & { items?: unknown[] }> {
    try {
      return ok(JSON.parse(stdout) as KObject & { items?: unknown[] });
    } catch {
      return fail('failed', 'kubectl printed something that is not JSON');
    }
  }

  return {
    transport: 'kubectl',
    requestCount: () => requests,
    async list(kind, namespace, listOptions: ListOptions = {}) {
      // kubectl's JSON is parsed as it is printed, each item cut down as it arrives (as in the API reader).
      const intern = new Map<string, string>();
      const max = listOptions.maxItems ?? Infinity;
      let items: KObject[] = [];
      let parser = new ListBodyParser(() => undefined);
      let streamed = false;
      const start = () => {
        items = [];
        streamed = false;
        parser = new ListBodyParser((item) => {
          if (items.length < max)
            items.push(
              listOptions.slim || kind === 'secrets' ? slimObject(kind, item, intern) : (item as KObject),
            );
        });
        return (chunk: Buffer) => {
          streamed = true;
          parser.write(chunk);
        };
      };
      const out = await run(
        [
          'get',
          kubectlResource(kind),
          ...scope(kind, namespace),
          ...(listOptions.fieldSelector === undefined ? [] : ['--field-selector', listOptions.fieldSelector]),
          '--output',
          'json',
          '--chunk-size=500',
        ],
        start,
      );
      if (!out.ok) return out;
      // A runner that does not stream (a relay) returns stdout whole.
      if (!streamed) parser.write(Buffer.from(out.value, 'utf8'));
      if (!parser.end().ok) return fail('failed', 'kubectl printed something that is not JSON');
      return ok(items);
    },
    async get(kind, name, namespace) {
      const out = await run([
        'get',
        kubectlResource(kind),
        name,
        ...scope(kind, namespace ?? 'default'),
        '--output',
        'json',
      ]);
      if (!out.ok) return out;
      const parsed = parse(out.value);
      return parsed.ok && kind === 'secrets' ? ok(slimObject(kind, parsed.value)) : parsed;
    },
    async watch(kind, namespace, watchOptions) {
      requests++;
      // Ended by the timeout on purpose: what kubectl printed until then is the answer.
      const result = await runner(
        [
          'get',
          kubectlResource(kind),
          ...scope(kind, namespace),
          '--watch',
          '--output-watch-events',
          '--output',
          'json',
          ...common,
        ],
        { timeoutMs: watchOptions.durationMs },
      );
      if (!result.timedOut && result.exitCode !== 0) {
        const message = (result.stderr || 'kubectl failed').trim().slice(0, 500);
        return fail(classifyKubectlError(message), message);
      }
      const events: WatchEvent[] = [];
      for (const value of splitJsonValues(result.stdout)) {
        const e = value as { type?: unknown; object?: unknown };
        if (typeof e.type === 'string' && e.object && typeof e.object === 'object')
          events.push({ type: e.type, object: e.object });
      }
      return ok(watchOptions.maxEvents === undefined ? events : events.slice(0, watchOptions.maxEvents));
    },
    async log(namespace, pod, logOptions) {
      return run([
        'logs',
        pod,
        '--namespace',
        namespace,
        `--tail=${logOptions.tailLines}`,
        `--limit-bytes=${logOptions.limitBytes ?? 256 * 1024}`,
        ...(logOptions.container === undefined ? [] : ['--container', logOptions.container]),
        ...(logOptions.previous ? ['--previous'] : []),
        ...(logOptions.sinceSeconds === undefined ? [] : [`--since=${logOptions.sinceSeconds}s`]),
      ]);
    },
  };
}
