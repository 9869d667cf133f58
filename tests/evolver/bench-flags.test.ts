/** `aoi bench --disable-rules` weakens the agent; `--guidance DIR` lets it retrieve promoted guidance. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGuidance } from '../../src/core/guidance.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';

const BIN = BUILT_AOI_BIN;
let dir: string;

function bench(args: string[]) {
  return execa(
    process.execPath,
    [BIN, 'bench', '--reasoner', 'rules', '--filter', '^user_unregistered_mongodb-analysis-2$', ...args],
    {
      reject: false,
      timeout: 60_000,
      env: { HOME: dir, AOI_STATE_DIR: join(dir, 'state') },
      extendEnv: false,
    },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-bench-flags-'));
  await mkdir(join(dir, 'guidance'));
  await writeFile(
    join(dir, 'guidance', 'user-gone.md'),
    renderGuidance({
      frontMatter: {
        id: 'user-gone',
        title: 'A missing database user is a storage issue',
        signals: ['AuthErrors'],
        faultTypes: ['Network/Storage Issue'],
        createdFrom: [],
        version: 1,
        status: 'promoted',
        hints: [
          {
            kind: 'classify',
            signals: ['AuthErrors'],
            logPattern: '\\bUserNotFound\\b',
            systemLevel: 'Application',
            faultType: 'Network/Storage Issue',
          },
        ],
      },
      body: '\nThe user is gone from the store, not merely unauthorised.\n',
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aoi bench weakening and guidance flags', () => {
  it('fails with log classification off and passes again with the guidance directory', async () => {
    const weak = await bench(['--disable-rules', 'log-classification']);
    expect(weak.exitCode, weak.stderr).toBe(0);
    expect(weak.stderr).toContain('rules off: log-classification');
    expect(weak.stdout).toMatch(
      /^user_unregistered_mongodb-analysis-2\s+analysis\s+0\/1\s+.*fault_type "Authentication Issue" wrong/m,
    );
    const helped = await bench([
      '--disable-rules',
      'log-classification',
      '--guidance',
      join(dir, 'guidance'),
    ]);
    expect(helped.exitCode, helped.stderr).toBe(0);
    expect(helped.stdout).toMatch(/^user_unregistered_mongodb-analysis-2\s+analysis\s+1\/1\s/m);
  }, 90_000);

  it('refuses the agent-only flags for reference solvers', async () => {
    const result = await bench(['--solver', 'oracle', '--disable-rules', 'log-classification']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('apply to the aoi solver, not oracle');
  }, 60_000);
});
