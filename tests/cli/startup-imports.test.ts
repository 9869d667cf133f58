/**
 * Start-up (issue 14, item 4): heavy modules load only on the paths that use them. The real binary runs
 * with a resolve hook that records every module it resolves; `aoi --help` must load nothing but commander,
 * and a read-only `aoi diagnose --reasoner rules` against a token kubeconfig neither client-node, the TUI
 * (ink, react), the Ollama client, execa, the executor nor the simulator. Wall-clock figures are
 * bench/startup.ts's job, not a test's.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import { prepareCluster } from '../observer/sim-helpers.js';
import { AOI_BIN } from './spawn-aoi.js';
import { execa } from 'execa';

let dir: string;
let server: SimServer;
let kubeconfig: string;
let namespace: string;

// Each spawn starts node (through tsx from the sources): seconds when quiet, more on a busy machine.
const SPAWN_MS = 120_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-startup-imports-'));
  await writeFile(
    join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context);',
      '  appendFileSync(process.env.AOI_TRACE_FILE, `${result.url}\\n`);',
      '  return result;',
      '}',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  const prepared = prepareCluster({
    app: 'hotel-reservation',
    fault: 'misconfig_k8s_target_port',
    target: 'geo',
  });
  namespace = prepared.namespace;
  server = await SimServer.start({ cluster: prepared.cluster });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs aoi with the resolve hook; returns its exit code, output and the modules it resolved. */
async function traced(args: string[], name: string) {
  const traceFile = join(dir, `${name}.trace`);
  await writeFile(traceFile, '');
  const run = await execa(process.execPath, ['--import', join(dir, 'register.mjs'), AOI_BIN, ...args], {
    reject: false,
    timeout: SPAWN_MS,
    env: {
      AOI_TRACE_FILE: traceFile,
      AOI_STATE_DIR: join(dir, `state-${name}`),
      HOME: dir,
      PATH: process.env.PATH ?? '',
      OLLAMA_HOST: 'http://127.0.0.1:9',
    },
    extendEnv: false,
  });
  const urls = (await readFile(traceFile, 'utf8')).split('\n').filter((u) => u !== '');
  const packages = new Set(
    urls.flatMap((u) => {
      const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      return match ? [match[1]!] : [];
    }),
  );
  return { run, urls, packages };
}

const HEAVY = ['zod', 'yaml', '@kubernetes/client-node', 'ink', 'react', 'gpt-tokenizer', 'ollama', 'execa'];

describe('what start-up loads', () => {
  it('aoi --help loads commander and no other package, nor the simulator', async () => {
    const { run, urls, packages } = await traced(['--help'], 'help');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/diagnose/);
    for (const heavy of HEAVY) expect(packages, heavy).not.toContain(heavy);
    expect(packages).toContain('commander');
    expect(urls.filter((u) => u.includes('/aiopslab-harness/sim/'))).toEqual([]);
  });

  it('a read-only diagnose with the rules loads the observer, not client-node, the TUI, Ollama, execa, the executor or the simulator', async () => {
    const { run, urls, packages } = await traced(
      ['diagnose', '--kubeconfig', kubeconfig, '--reasoner', 'rules', '-n', namespace, '--no-record'],
      'diagnose',
    );
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^INCIDENT/);
    expect(packages).toContain('zod');
    // A token kubeconfig is read by the observer's own reader: none of client-node's ~800 modules load.
    for (const unused of ['ink', 'react', 'ollama', 'execa', '@kubernetes/client-node'])
      expect(packages, unused).not.toContain(unused);
    expect(urls.filter((u) => /\/src\/executor\/executor\.(ts|js)$/.test(u))).toEqual([]);
    expect(urls.filter((u) => u.includes('/aiopslab-harness/sim/'))).toEqual([]);
  });
});
