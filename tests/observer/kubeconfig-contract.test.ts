/**
 * Issue 14 item 4: the observer's own kubeconfig reader (src/observer/kubeconfig.ts) against its real
 * counterpart. For each kubeconfig shape the reader covers, what it resolves (server, CA, client certificate
 * and key, Authorization, rejectUnauthorized, servername, namespace) must equal what client-node's KubeConfig
 * and applyToHTTPSOptions produce from the same files. Shapes it does not cover (exec, auth-provider) must go
 * through client-node, and a read with the reader's own access must work against the simulator over HTTPS.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { SimServer } from '../../aiopslab-harness/sim/index.js';
import { createApiReader } from '../../src/observer/api-reader.js';
import type { PlainAccess } from '../../src/observer/kubeconfig.js';
import { applyPlainAccess, readKubeconfig } from '../../src/observer/kubeconfig.js';
import { prepareCluster } from './sim-helpers.js';

let dir: string;
let server: SimServer;
let namespace: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-kubeconfig-contract-'));
  const prepared = prepareCluster({ app: 'hotel-reservation', fault: 'noop' });
  namespace = prepared.namespace;
  server = await SimServer.start({ cluster: prepared.cluster });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';

interface Shape {
  cluster: Record<string, unknown>;
  user: Record<string, unknown>;
  namespace?: string;
  /** Files written beside the kubeconfig (relative paths), e.g. a CA or a client key. */
  files?: Record<string, string>;
}

function kubeconfigText(shape: Shape, names = { cluster: 'c', user: 'u', context: 'ctx' }, current = true) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: names.cluster, cluster: { server: 'https://api.example:6443', ...shape.cluster } }],
    users: [{ name: names.user, user: shape.user }],
    contexts: [
      {
        name: names.context,
        context: {
          cluster: names.cluster,
          user: names.user,
          ...(shape.namespace === undefined ? {} : { namespace: shape.namespace }),
        },
      },
    ],
    ...(current ? { 'current-context': names.context } : {}),
  });
}

let caseNo = 0;
async function writeShape(shape: Shape): Promise<string> {
  const caseDir = join(dir, `case-${++caseNo}`);
  await mkdir(join(caseDir, 'pki'), { recursive: true });
  for (const [name, text] of Object.entries(shape.files ?? {})) await writeFile(join(caseDir, name), text);
  const path = join(caseDir, 'config');
  await writeFile(path, kubeconfigText(shape), { mode: 0o600 });
  return path;
}

/** What a request would carry, in one comparable form. */
function resolved(server: string, opts: RequestOptions, namespace: string | undefined) {
  const text = (v: unknown) => (v === undefined ? undefined : Buffer.from(v as Buffer).toString('utf8'));
  const headers = (opts.headers ?? {}) as Record<string, string>;
  return {
    server,
    ca: text(opts.ca),
    cert: text(opts.cert),
    key: text(opts.key),
    authorization:
      headers['Authorization'] ?? (opts.auth === undefined ? undefined : `Basic ${b64(opts.auth as string)}`),
    rejectUnauthorized: opts.rejectUnauthorized,
    servername: opts.servername,
    namespace,
  };
}

async function byReader(kubeconfig?: string) {
  const access = readKubeconfig(kubeconfig === undefined ? {} : { kubeconfig });
  if (!access.ok) throw new Error(access.error.message);
  expect(access.value.fallback).toBeUndefined();
  const opts: RequestOptions = { headers: {} };
  await applyPlainAccess(access.value as typeof access.value & { plain: PlainAccess }, opts);
  return resolved(access.value.server, opts, access.value.namespace);
}

async function byClientNode(load: (kc: KubeConfig) => void) {
  const kc = new KubeConfig();
  load(kc);
  const opts: RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return resolved(kc.getCurrentCluster()?.server ?? '', opts, ns || undefined);
}

const SHAPES: [string, Shape][] = [
  ['token, inline CA', { cluster: { 'certificate-authority-data': b64(CA) }, user: { token: 'tok-1' } }],
  [
    'token file (absolute: client-node does not resolve it), CA file relative',
    {
      cluster: { 'certificate-authority': 'pki/ca.crt' },
      user: {},
      files: { 'pki/ca.crt': CA, token: 'tok-2' },
    },
  ],
  [
    'client certificate and key data',
    {
      cluster: { 'certificate-authority-data': b64(CA) },
      user: { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) },
    },
  ],
  [
    'client certificate and key files, relative, and a relative CA file',
    {
      cluster: { 'certificate-authority': 'pki/ca.crt' },
      user: { 'client-certificate': 'pki/client.crt', 'client-key': './pki/client.key' },
      files: { 'pki/ca.crt': CA, 'pki/client.crt': CERT, 'pki/client.key': KEY },
    },
  ],
  ['insecure-skip-tls-verify', { cluster: { 'insecure-skip-tls-verify': true }, user: { token: 'tok-3' } }],
  [
    'tls-server-name',
    {
      cluster: { 'certificate-authority-data': b64(CA), 'tls-server-name': 'kubernetes' },
      user: { token: 't' },
    },
  ],
  ['context namespace', { cluster: {}, user: { token: 'tok-4' }, namespace: 'shop' }],
  [
    'basic auth',
    { cluster: { 'certificate-authority-data': b64(CA) }, user: { username: 'ada', password: 'pw' } },
  ],
];

describe('the reader resolves what client-node resolves', () => {
  it.each(SHAPES)('%s', async (_name, shape) => {
    const path = await writeShape(shape);
    if (shape.files?.['token'] !== undefined) {
      // client-node reads `token-file` as given (relative to the process's cwd), so the contract uses a full path.
      shape.user['token-file'] = join(path, '..', 'token');
      await writeFile(path, kubeconfigText(shape));
    }
    const mine = await byReader(path);
    expect(mine).toEqual(await byClientNode((kc) => kc.loadFromFile(path)));
    expect(mine.server).toBe('https://api.example:6443');
  });

  it("a token file's trailing newline is trimmed (client-go does; client-node would send it in the header)", async () => {
    const path = await writeShape({ cluster: {}, user: { tokenFile: 'token' }, files: { token: 'tok-5\n' } });
    expect(await byReader(path)).toMatchObject({ authorization: 'Bearer tok-5' });
  });

  it('$KUBECONFIG lists merge: names from the first file, files resolved beside the file that names them', async () => {
    const first = join(dir, 'merge-a');
    const second = join(dir, 'merge-b');
    await mkdir(join(second, 'pki'), { recursive: true });
    await mkdir(first, { recursive: true });
    await writeFile(join(second, 'pki', 'ca.crt'), CA);
    // The first file has the current context and its user; the second the cluster with a relative CA.
    await writeFile(
      join(first, 'config'),
      stringify({
        users: [{ name: 'u', user: { token: 'from-a' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'ns-a' } }],
        'current-context': 'ctx',
      }),
    );
    await writeFile(
      join(second, 'config'),
      stringify({
        clusters: [
          { name: 'c', cluster: { server: 'https://b:6443', 'certificate-authority': 'pki/ca.crt' } },
        ],
      }),
    );
    vi.stubEnv('KUBECONFIG', `${join(first, 'config')}:${join(second, 'config')}`);
    try {
      const mine = await byReader();
      expect(mine).toEqual(await byClientNode((kc) => kc.loadFromDefault()));
      expect(mine).toMatchObject({ server: 'https://b:6443', ca: CA, authorization: 'Bearer from-a' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('$KUBECONFIG lists: like kubectl, the first file to set a name or the current context wins', async () => {
    const a = join(dir, 'first-wins-a');
    const b = join(dir, 'first-wins-b');
    await writeFile(
      a,
      kubeconfigText({ cluster: {}, user: { token: 'a' } }, { cluster: 'c', user: 'u', context: 'x' }),
    );
    await writeFile(
      b,
      kubeconfigText({ cluster: {}, user: { token: 'b' } }, { cluster: 'c2', user: 'u', context: 'y' }),
    );
    // client-node throws "Duplicate user" here and takes the last file's current context: kubectl's rules win.
    const read = readKubeconfig({}, { KUBECONFIG: `${a}:${b}` });
    expect(read).toMatchObject({ ok: true, value: { context: 'x', files: [a, b] } });
    const other = readKubeconfig({ context: 'y' }, { KUBECONFIG: `${a}:${b}` });
    expect(other.ok && other.value.plain?.token).toBe('a');
  });
});

describe('what the reader does not read goes to client-node', () => {
  /** A kubeconfig for the simulator whose observer user is `user`. */
  async function simKubeconfig(name: string, user: Record<string, unknown>) {
    const path = join(dir, name);
    await writeFile(
      path,
      stringify({
        clusters: [
          { name: 'sim', cluster: { server: server.url, 'certificate-authority-data': b64(server.caPem) } },
        ],
        users: [{ name: 'observer', user }],
        contexts: [{ name: 'observer', context: { cluster: 'sim', user: 'observer' } }],
        'current-context': 'observer',
      }),
    );
    return path;
  }

  it('an exec plugin: marked fallback, and client-node runs it for the read', async () => {
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: server.tokens.observer },
    });
    const path = await simKubeconfig('exec.kubeconfig', {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
      },
    });
    const read = readKubeconfig({ kubeconfig: path });
    expect(read.ok && read.value.fallback).toMatch(/user .* needs client-node/);
    const reader = createApiReader({ kubeconfig: path });
    if (!reader.ok) throw new Error(reader.error.message);
    const pods = await reader.value.list('pods', namespace);
    expect(pods.ok && pods.value.length).toBeGreaterThan(0);
  });

  it('an auth-provider: marked fallback, and client-node applies it for the read', async () => {
    const tokenPath = join(dir, 'provider-token');
    await writeFile(tokenPath, server.tokens.observer);
    const path = await simKubeconfig('provider.kubeconfig', {
      'auth-provider': { name: 'file', config: { tokenFile: tokenPath } },
    });
    const read = readKubeconfig({ kubeconfig: path });
    expect(read.ok && read.value.fallback).toMatch(/needs client-node/);
    const reader = createApiReader({ kubeconfig: path });
    if (!reader.ok) throw new Error(reader.error.message);
    const pods = await reader.value.list('pods', namespace);
    expect(pods.ok && pods.value.length).toBeGreaterThan(0);
  });
});

describe("a read with the reader's own access, over HTTPS", () => {
  it('a relative tokenFile (read per request) and a relative CA file read the simulated cluster', async () => {
    const caseDir = join(dir, 'https');
    await mkdir(join(caseDir, 'secrets'), { recursive: true });
    await writeFile(join(caseDir, 'secrets', 'ca.crt'), server.caPem);
    await writeFile(join(caseDir, 'secrets', 'token'), 'not-a-token\n');
    const path = join(caseDir, 'config');
    await writeFile(
      path,
      stringify({
        clusters: [
          { name: 'sim', cluster: { server: server.url, 'certificate-authority': 'secrets/ca.crt' } },
        ],
        users: [{ name: 'observer', user: { tokenFile: 'secrets/token' } }],
        contexts: [{ name: 'observer', context: { cluster: 'sim', user: 'observer', namespace } }],
        'current-context': 'observer',
      }),
    );
    const read = readKubeconfig({ kubeconfig: path });
    expect(read.ok && read.value.plain).toMatchObject({ tokenFile: join(caseDir, 'secrets', 'token') });
    const reader = createApiReader({ kubeconfig: path });
    if (!reader.ok) throw new Error(reader.error.message);
    expect(await reader.value.list('pods', namespace)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    // A rotated token is picked up by the next request, as a projected service-account token must be.
    await writeFile(join(caseDir, 'secrets', 'token'), `${server.tokens.observer}\n`);
    const pods = await reader.value.list('pods', namespace);
    expect(pods.ok && pods.value.length).toBeGreaterThan(0);
  });
});
