import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { renderKubeconfig, SimServer } from '../../aiopslab-harness/sim/index.js';
import type { DiagnoseOutput as ProducedDiagnoseOutput } from '../../src/cli/render-diagnosis.js';
import { SCHEMA_DOCS, toPublishedJsonSchema } from '../../src/cli/schema-docs.js';
import { DiagnoseOutput } from '../../src/core/diagnose-output.js';
import { ObservationReport } from '../../src/core/observation-report.js';
import { prepareCluster } from '../observer/sim-helpers.js';
import { runCli } from './cli-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-cli-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Valid, and nothing the schema does not know about (zod strips unknown keys, so a stripped copy differs). */
function expectConforms(schema: z.ZodType, document: unknown) {
  const parsed = schema.safeParse(document);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data, 'the output has fields the schema lacks').toEqual(document);
}

describe('docs/schema/*.json', () => {
  it.each(SCHEMA_DOCS.map((doc) => [doc.file, doc] as const))(
    '%s is what its zod record generates (run npm run schema)',
    async (file, doc) => {
      const committed = JSON.parse(await readFile(join(ROOT, file), 'utf8')) as unknown;
      expect(committed).toEqual(toPublishedJsonSchema(doc.schema));
    },
  );

  it("describes no more than the producer builds (checked by tsc: the record fits render-diagnosis.ts's type)", () => {
    expectTypeOf<DiagnoseOutput>().toExtend<ProducedDiagnoseOutput>();
  });

  it('lets v2 documents gain fields: no object forbids unknown properties', () => {
    for (const doc of SCHEMA_DOCS)
      expect(JSON.stringify(toPublishedJsonSchema(doc.schema))).not.toContain('"additionalProperties":false');
  });
});

describe('aoi diagnose --output json conforms to aoi.diagnose/v2', () => {
  it.each([
    ['an incident with proposals', ['--sim', 'k8s_target_port-misconfig-localization-1'], 1],
    ['a healthy run without a trajectory', ['--sim', 'noop_detection_hotel_reservation-1', '--no-record'], 0],
    [
      'an applied and verified mitigation',
      ['--sim', 'scale_pod_zero_social_net-mitigation-1', '--apply', '--policy', 'bench'],
      0,
    ],
  ])(
    '%s',
    async (_name, args, exitCode) => {
      const result = await runCli(['diagnose', ...args, '--reasoner', 'rules', '--output', 'json'], {
        AOI_STATE_DIR: join(dir, 'state'),
        HOME: dir,
      });
      expect(result.exitCode, result.stderr).toBe(exitCode);
      const document = JSON.parse(result.stdout) as DiagnoseOutput;
      expectConforms(DiagnoseOutput, document);
      if (args.includes('--apply')) expect(document.actions.length).toBeGreaterThan(0);
    },
    60_000,
  );
});

describe('aoi observe --output json conforms to its schema', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await SimServer.start(
      prepareCluster({ app: 'hotel-reservation', fault: 'revoke_auth_mongodb', target: 'mongodb-geo' }),
    );
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each([
    ['one namespace', ['-n', 'test-hotel-reservation']],
    ['all namespaces', ['-A', '--max-evidence-tokens', '300']],
  ])('%s', async (_name, args) => {
    const kubeconfig = join(dir, 'sim.kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig(sim.url, sim.tokens, sim.caPem), { mode: 0o600 });
    const result = await runCli(['observe', '--kubeconfig', kubeconfig, ...args, '--output', 'json'], {
      HOME: dir,
    });
    // The telemetry discovery line and perhaps progress: no error.
    expect(result.stderr).toMatch(/^aoi: telemetry: /);
    expect(result.stderr).not.toMatch(/error/i);
    expectConforms(ObservationReport, JSON.parse(result.stdout));
  });
});
