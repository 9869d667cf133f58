/**
 * The observer's own kubeconfig reader, so that a read-only run need not load @kubernetes/client-node (about
 * 800 modules, 0.65 s of CPU and 70 MB at start-up: issue 14 item 4). It covers what most kubeconfigs use —
 * a server with a CA (inline or a file), a bearer token (inline or a file), a client certificate (inline or
 * files), basic auth, insecure-skip-tls-verify, tls-server-name, a context namespace, $KUBECONFIG lists and
 * the in-cluster service account — resolved as kubectl resolves them. Any other field (exec plugins,
 * auth-provider, proxy-url, impersonation, extensions) marks the access `fallback`, and the caller then uses
 * client-node's KubeConfig exactly as before: an auth mechanism is never silently dropped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import type { RequestOptions } from 'node:https';
import { Agent } from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';

/** Where a pod's service account is mounted (client-go's and client-node's in-cluster paths). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

// The fields this reader understands; strict objects make anything else a parse failure, i.e. a fallback.
const Cluster = z.strictObject({
  server: z.string().min(1),
  'certificate-authority-data': z.string().optional(),
  'certificate-authority': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
});
const User = z.strictObject({
  token: z.string().optional(),
  // kubectl's spelling is tokenFile; client-node 1.x reads token-file.
  tokenFile: z.string().optional(),
  'token-file': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key-data': z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-key': z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
});
const Context = z.strictObject({
  cluster: z.string(),
  user: z.string().optional(),
  namespace: z.string().optional(),
});
/** A named list (clusters, users, contexts); each entry's body is parsed strictly only when it is used. */
const Named = z.array(z.looseObject({ name: z.string().min(1) })).nullish();

/** The top level: only the lists' names and shapes are checked here; an entry is parsed strictly when used. */
export const KubeconfigFile = z.looseObject({
  'current-context': z.string().nullish(),
  clusters: Named,
  users: Named,
  contexts: Named,
});
export type KubeconfigFile = z.infer<typeof KubeconfigFile>;

/** What a request needs, with file paths already made absolute (relative to the kubeconfig that names them). */
export interface PlainAccess {
  caData?: string;
  caFile?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  insecure: boolean;
  servername?: string;
  token?: string;
  tokenFile?: string;
  basic?: { username: string; password: string };
}

export interface KubeAccess {
  /** The kubeconfig files read, in order; empty for the in-cluster service account. */
  files: string[];
  context: string;
  server: string;
  namespace?: string;
  /** Undefined when the user or cluster uses something only client-node handles (then `fallback` says what). */
  plain?: PlainAccess;
  fallback?: string;
}

export interface KubeconfigOptions {
  kubeconfig?: string;
  context?: string;
}

interface Entry {
  name: string;
  value: unknown;
  dir: string;
}

/** Reads and resolves the kubeconfig as kubectl would; never throws. */
export function readKubeconfig(options: KubeconfigOptions, env = process.env): Result<KubeAccess> {
  const files = kubeconfigFiles(options, env);
  if (typeof files === 'string') return fail('no-kubeconfig', files);
  if (!Array.isArray(files)) return inCluster(options, env);
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, Entry>();
  let current: string | undefined;
  for (const file of files) {
    let parsed: KubeconfigFile;
    try {
      const text = readFileSync(file, 'utf8');
      const result = KubeconfigFile.safeParse(parse(text) ?? {});
      if (!result.success)
        return fail('config', `cannot load the kubeconfig ${file}: ${result.error.message}`);
      parsed = result.data;
    } catch (error) {
      const cause = error as NodeJS.ErrnoException;
      if (cause.code === 'ENOENT')
        return fail('config', `cannot load the kubeconfig: ${file} does not exist`);
      return fail('config', `cannot load the kubeconfig: ${cause.message}`);
    }
    // kubectl's merge: the first file to set a name (or the current context) wins.
    current ??= parsed['current-context'] || undefined;
    const dir = dirname(file);
    for (const [into, list, key] of [
      [clusters, parsed.clusters, 'cluster'],
      [users, parsed.users, 'user'],
      [contexts, parsed.contexts, 'context'],
    ] as const)
      for (const item of list ?? [])
        if (!into.has(item.name))
          into.set(item.name, { name: item.name, value: (item as Record<string, unknown>)[key], dir });
  }
  const name = options.context ?? current;
  if (options.context !== undefined && !contexts.has(options.context))
    return fail('config', `context "${options.context}" is not in the kubeconfig`);
  if (name === undefined || !contexts.has(name))
    return fail(
      'no-context',
      `the kubeconfig has no current context (contexts: ${[...contexts.keys()].join(', ') || 'none'})`,
    );
  const context = Context.safeParse(contexts.get(name)!.value ?? {});
  const clusterName = (contexts.get(name)!.value as { cluster?: unknown } | null)?.cluster;
  const clusterEntry = typeof clusterName === 'string' ? clusters.get(clusterName) : undefined;
  if (!clusterEntry) return fail('config', `context "${name}" names a cluster the kubeconfig does not have`);
  const server = (clusterEntry.value as { server?: unknown } | null)?.server;
  if (typeof server !== 'string' || server === '')
    return fail('config', 'the kubeconfig cluster has no server');
  const base = { files, context: name, server };
  if (!context.success)
    return ok({ ...base, fallback: `context "${name}" has fields this reader does not read` });
  const namespace = context.data.namespace || undefined;
  const withNs = namespace === undefined ? base : { ...base, namespace };
  const cluster = Cluster.safeParse(clusterEntry.value);
  const userEntry = context.data.user === undefined ? undefined : users.get(context.data.user);
  const user = User.safeParse(userEntry?.value ?? {});
  if (!cluster.success) return ok({ ...withNs, fallback: `cluster of context "${name}" needs client-node` });
  if (!user.success) return ok({ ...withNs, fallback: `user of context "${name}" needs client-node` });
  return ok({
    ...withNs,
    plain: plainAccess(cluster.data, clusterEntry.dir, user.data, userEntry?.dir ?? ''),
  });
}

/** The files to read, `in-cluster`, or why there is no kubeconfig at all (not client-node's localhost:8080). */
function kubeconfigFiles(
  options: KubeconfigOptions,
  env: NodeJS.ProcessEnv,
): string[] | { inCluster: true } | string {
  if (options.kubeconfig !== undefined) return [options.kubeconfig];
  const list = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  if (list.length > 0) return list;
  const home = join(env['HOME'] || homedir(), '.kube', 'config');
  if (existsSync(home)) return [home];
  if (existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) return { inCluster: true };
  return `no kubeconfig: $KUBECONFIG is not set and ${home} does not exist (nor is this a pod with a service account)`;
}

const absolute = (dir: string, file: string | undefined) =>
  file === undefined || file === '' ? undefined : isAbsolute(file) || dir === '' ? file : join(dir, file);

function plainAccess(
  cluster: z.infer<typeof Cluster>,
  clusterDir: string,
  user: z.infer<typeof User>,
  userDir: string,
): PlainAccess {
  const entries: [keyof PlainAccess, unknown][] = [
    ['caData', cluster['certificate-authority-data']],
    ['caFile', absolute(clusterDir, cluster['certificate-authority'])],
    ['servername', cluster['tls-server-name']],
    ['certData', user['client-certificate-data']],
    ['keyData', user['client-key-data']],
    ['certFile', absolute(userDir, user['client-certificate'])],
    ['keyFile', absolute(userDir, user['client-key'])],
    ['token', user.token],
    ['tokenFile', absolute(userDir, user.tokenFile ?? user['token-file'])],
    ['basic', user.username ? { username: user.username, password: user.password ?? '' } : undefined],
  ];
  return {
    insecure: cluster['insecure-skip-tls-verify'] === true,
    ...Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== '')),
  };
}

/** A pod's own service account, as client-go's InClusterConfig reads it. */
function inCluster(options: KubeconfigOptions, env: NodeJS.ProcessEnv): Result<KubeAccess> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port)
    return fail(
      'no-kubeconfig',
      'in a pod, but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
    );
  if (options.context !== undefined && options.context !== 'inClusterContext')
    return fail('config', `context "${options.context}" is not in the kubeconfig`);
  const nsFile = join(SERVICE_ACCOUNT_DIR, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '';
  return ok({
    files: [],
    context: 'inClusterContext',
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    ...(namespace === '' ? {} : { namespace }),
    // The token is a projected, rotating one: read per request (tokenFile), never cached for the run.
    plain: {
      caFile: join(SERVICE_ACCOUNT_DIR, 'ca.crt'),
      tokenFile: join(SERVICE_ACCOUNT_DIR, 'token'),
      insecure: false,
    },
  });
}

const fileOrData = async (file: string | undefined, data: string | undefined) =>
  file !== undefined ? readFile(file) : data !== undefined ? Buffer.from(data, 'base64') : undefined;

/**
 * Fills one request's TLS options, Authorization header and Agent. Files (CA, client certificate, token) are
 * read per request, as client-node reads them, so a rotated certificate or service-account token is picked up
 * by a long run; the keep-alive Agent is rebuilt only when their contents change.
 */
export async function applyPlainAccess(access: KubeAccess & { plain: PlainAccess }, opts: RequestOptions) {
  const plain = access.plain;
  if (access.server.startsWith('http:') && !plain.insecure)
    throw new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
  const [ca, cert, key, tokenText] = await Promise.all([
    fileOrData(plain.caFile, plain.caData),
    fileOrData(plain.certFile, plain.certData),
    fileOrData(plain.keyFile, plain.keyData),
    plain.tokenFile === undefined ? undefined : readFile(plain.tokenFile, 'utf8'),
  ]);
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (plain.insecure) opts.rejectUnauthorized = false;
  if (plain.servername !== undefined) opts.servername = plain.servername;
  const headers = (opts.headers ??= {}) as Record<string, string>;
  // kubectl sends the inline token when both are set; the file's content is trimmed as client-go does.
  const token = plain.token ?? tokenText?.trim();
  if (token) headers['Authorization'] = `Bearer ${token}`;
  else if (plain.basic) opts.auth = `${plain.basic.username}:${plain.basic.password}`;
  const agentOptions = {
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.cert ? { cert: opts.cert } : {}),
    ...(opts.key ? { key: opts.key } : {}),
    ...(opts.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    ...(opts.servername === undefined ? {} : { servername: opts.servername }),
  };
  opts.agent = access.server.startsWith('http:') ? new HttpAgent() : new Agent(agentOptions);
}

/** The bearer token and CA (PEM) of a plain access, for telemetry APIs served with the same credentials. */
export function plainCredentials(plain: PlainAccess): { token?: string; caPem?: string } {
  let token = plain.token;
  if (token === undefined && plain.tokenFile !== undefined && existsSync(plain.tokenFile))
    token = readFileSync(plain.tokenFile, 'utf8').trim();
  const ca =
    plain.caFile !== undefined && existsSync(plain.caFile)
      ? readFileSync(plain.caFile, 'utf8')
      : plain.caData !== undefined
        ? Buffer.from(plain.caData, 'base64').toString('utf8')
        : undefined;
  return { ...(token ? { token } : {}), ...(ca ? { caPem: ca } : {}) };
}
