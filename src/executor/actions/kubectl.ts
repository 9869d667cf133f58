import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { KubectlAction } from '../../core/actions.js';
import type { z } from 'zod';
import { classifyKubectlArgv } from '../kubectl-argv.js';
import type { ExecutorClients, HandlerFor, KubectlTarget } from './types.js';

type Kubectl = z.infer<typeof KubectlAction>;
const MAX_BUFFER = 4 * 1024 * 1024;
const PRE_IMAGE_BYTES = 64 * 1024;

export interface KubectlRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  failed: boolean;
}

/** Runs kubectl with an argv array (never a shell) as the executor: our kubeconfig and context, fixed env. */
export async function runKubectl(target: KubectlTarget, argv: readonly string[]): Promise<KubectlRun> {
  const env = target.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
  const result = await execa(
    'kubectl',
    ['--kubeconfig', target.kubeconfig, '--context', target.context, ...argv],
    {
      reject: false,
      extendEnv: false,
      env,
      stdin: 'ignore',
      cwd: target.cwd ?? tmpdir(),
      timeout: target.timeoutMs ?? 30_000,
      maxBuffer: MAX_BUFFER,
    },
  );
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    failed: result.failed,
  };
}

function classified(a: Kubectl) {
  const c = classifyKubectlArgv(a.argv);
  if (!c.ok) throw new Error(`kubectl argv refused: ${c.reason}`);
  return c;
}

async function run(clients: ExecutorClients, argv: readonly string[]): Promise<string> {
  if (!clients.kubectl) throw new Error('no kubectl target configured for the executor');
  const result = await runKubectl(clients.kubectl, argv);
  if (result.failed)
    throw new Error(`kubectl exited ${result.exitCode ?? 'abnormally'}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The kubectl action: dry run with --dry-run=server; no automatic rollback (the pre-image is audited). */
export const kubectl: HandlerFor<'kubectl'> = {
  blastRadius(_clients, a) {
    const c = classified(a);
    const ns = c.namespace ?? '*';
    return Promise.resolve({
      objects: c.write ? c.names.map((n) => `${c.resource ?? '?'}/${ns}/${n}`) : [],
      pods: c.write && c.resource === 'pod' ? c.names : [],
    });
  },
  async dryRun(clients, a) {
    const c = classified(a);
    // kubectl prints text, not the server's object: no object to diff (the TUI falls back to its local preview).
    if (!c.write) return { message: 'read-only: nothing to dry-run' };
    const out = await run(clients, [...a.argv, '--dry-run=server']);
    return { message: out.slice(0, 500) };
  },
  async preImage(clients, a) {
    const c = classified(a);
    if (!c.write || !c.resource || c.names.length !== 1 || !c.namespace) return { kind: 'none' };
    const text = await run(clients, ['get', c.resource, c.names[0]!, '-n', c.namespace, '-o', 'json']);
    return {
      kind: c.resource,
      object: text.length > PRE_IMAGE_BYTES ? `${text.slice(0, PRE_IMAGE_BYTES)}…` : text,
    };
  },
  async apply(clients, a) {
    return (await run(clients, a.argv)).slice(0, 2000);
  },
  check: () => Promise.resolve({ state: 'done', message: 'kubectl exited 0' }),
};
