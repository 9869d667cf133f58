/** Every error a user meets first: exit 2, one line saying what failed, one saying what to do, no stack. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAoi } from './spawn-aoi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import { prepareCluster } from '../observer/sim-helpers.js';

const NS = 'test-hotel-reservation';
let dir: string;
let sim: SimServer;
let ollama: Server;
let closedPort: number;

function aoi(args: string[]) {
  return spawnAoi(args, dir, { env: { OLLAMA_HOST: `http://127.0.0.1:${closedPort}` } });
}

/** Ollama as it answers when the model was never pulled: it runs, lists other models, 404s the chat. */
function startFakeOllama(): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/version') res.end(JSON.stringify({ version: '0.12.0' }));
    else if (req.url === '/api/tags')
      res.end(JSON.stringify({ models: [{ name: 'llama3.2:1b', model: 'llama3.2:1b' }] }));
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'model "qwen3:8b" not found, try pulling it first' }));
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** The error block: `aoi: error: <cause>` then `  <hint>` (progress lines before it are allowed). */
function errorLines(stderr: string): { cause: string; hint: string | undefined } {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('aoi: error: '));
  expect(at, stderr).toBeGreaterThanOrEqual(0);
  return {
    cause: lines[at]!.slice('aoi: error: '.length),
    hint: lines.slice(at + 1).find((l) => /^ {2}\S/.test(l)),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-errors-'));
  closedPort = await freePort();
  sim = await SimServer.start(prepareCluster({ app: 'hotel-reservation', fault: 'noop' }));
  ollama = await startFakeOllama();
  await writeFile(
    join(dir, 'closed.kubeconfig'),
    renderKubeconfig(`https://127.0.0.1:${closedPort}`, sim.tokens, sim.caPem),
  );
  await writeFile(
    join(dir, 'wrong-token.kubeconfig'),
    renderKubeconfig(sim.url, { observer: 'expired', executor: 'expired' }, sim.caPem),
  );
  await writeFile(
    join(dir, 'bad-policy.yaml'),
    'rules:\n  - id: a\n    match: { actions: [scaleDeployment] }\n    effect: maybe\n',
  );
});

afterAll(async () => {
  await sim.close();
  await new Promise((done) => ollama.close(done));
  await rm(dir, { recursive: true, force: true });
});

describe('errors say what failed and what to do, with exit code 2', () => {
  const cases: [string, () => string[], RegExp, RegExp][] = [
    [
      'unreachable cluster (diagnose)',
      () => ['diagnose', '--kubeconfig', join(dir, 'closed.kubeconfig'), '-n', NS, '--reasoner', 'rules'],
      /^cannot reach the cluster: .*ECONNREFUSED/,
      /kubeconfig/,
    ],
    [
      'unreachable cluster (observe)',
      () => ['observe', '--kubeconfig', join(dir, 'closed.kubeconfig'), '-n', NS],
      /^cannot reach the cluster: /,
      /kubeconfig/,
    ],
    [
      'Ollama down',
      () => [
        'diagnose',
        '--sim',
        'noop_detection_hotel_reservation-1',
        '--reasoner',
        'ollama',
        '--ollama-host',
        `http://127.0.0.1:${closedPort}`,
      ],
      /^Ollama is not reachable at http:\/\/127\.0\.0\.1:\d+$/,
      /ollama serve.*--reasoner rules/,
    ],
    [
      'model missing',
      () => {
        const { port } = ollama.address() as AddressInfo;
        return [
          'diagnose',
          '--sim',
          'noop_detection_hotel_reservation-1',
          '--reasoner',
          'ollama',
          '--ollama-host',
          `http://127.0.0.1:${port}`,
          '--model',
          'qwen3:8b',
        ];
      },
      /^model qwen3:8b is not installed/,
      /ollama pull qwen3:8b/,
    ],
    [
      'missing policy file',
      () => ['diagnose', '--sim', 'noop_detection_hotel_reservation-1', '--policy', join(dir, 'nope.yaml')],
      /nope\.yaml: no such policy file/,
      /Shipped policies/,
    ],
    [
      'unknown problem id (diagnose --sim)',
      () => ['diagnose', '--sim', 'no_such_problem-1'],
      /^unknown problem "no_such_problem-1"/,
      /aoi sim problems/,
    ],
    [
      'unknown problem id (sim start --problem)',
      () => ['sim', 'start', '--problem', 'no_such_problem-1', '--port', '0'],
      /^unknown problem "no_such_problem-1"/,
      /aoi sim problems/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, cause, hint) => {
    const result = await aoi(args());
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/^\s+at |Error:|node:internal/m);
    const lines = errorLines(result.stderr);
    expect(lines.cause).toMatch(cause);
    expect(lines.hint).toMatch(hint);
  });

  it('bad policy file: exit 2, each invalid field on its own line under the cause', async () => {
    const file = join(dir, 'bad-policy.yaml');
    const result = await aoi(['diagnose', '--sim', 'noop_detection_hotel_reservation-1', '--policy', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at |node:internal/m);
    expect(result.stderr).toContain(`aoi: error: ${file}:4:13: rules[0].effect: Invalid option`);
    expect(errorLines(result.stderr).hint).toMatch(/docs\/policy-reference\.md.*aoi policy check /);
  });

  // A 401 is the credential refused outright (not one kind refused): the observation stops, not a gap.
  it.each([
    ['observe', 'api'],
    ['observe', 'kubectl'],
    ['diagnose', 'api'],
  ])('expired or invalid credentials (%s via %s)', async (command, transport) => {
    const result = await aoi([
      command,
      '--kubeconfig',
      join(dir, 'wrong-token.kubeconfig'),
      '-n',
      NS,
      ...(transport === 'kubectl' ? ['--transport', 'kubectl'] : []),
    ]);
    expect(result.exitCode, result.stdout).toBe(2);
    expect(result.stdout).toBe('');
    const lines = errorLines(result.stderr);
    expect(lines.cause).toMatch(/credentials|401|unauthorized/i);
    expect(lines.hint).toMatch(/token|credentials|kubeconfig/i);
  });
});
