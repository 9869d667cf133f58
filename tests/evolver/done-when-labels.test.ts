/**
 * Issue 20's "done when": the evolver learns from real incidents with no bench verdicts. On the simulator, a
 * weakened rules backend (log-text classification off) diagnoses a first set of incidents, recorded as
 * `aoi diagnose` records them; an engineer labels them (`aoi runs label`); `aoi evolve` learns from the older
 * labelled runs and judges by replaying the newer ones. A later, different set of incidents (the app renamed,
 * another namespace, other targets) is then diagnosed better with the promoted guidance than without it.
 * Finally new wrong labels contradict the guidance and the next `aoi evolve` retires it. In-process, the
 * simulator's clock driven by hand.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolveCommand } from '../../src/cli/commands/evolve.js';
import { runsLabel } from '../../src/cli/commands/runs.js';
import type { Guidance } from '../../src/core/guidance.js';
import { parseGuidance } from '../../src/core/guidance.js';
import { loadGuidanceDir } from '../../src/evolver/guidance-files.js';
import type { SimIncident } from './sim-incidents.js';
import { diagnoseSimIncident, nameIn } from './sim-incidents.js';
import { captureIO } from '../cli/cli-harness.js';

let dir: string;
let stateDir: string;
const WEAK = ['log-classification'] as const;

const bufferedIO = () =>
  captureIO({ HOME: dir, AOI_USER: 'oncall-engineer', OLLAMA_HOST: 'http://127.0.0.1:9' });

/** An incident and what its postmortem found (the engineer's label, not anything the agent is told). */
interface Case extends SimIncident {
  truth: { component: string; level: 'Application' | 'Virtualization'; type: string };
}

const hotel = (
  fault: string,
  target: string,
  type: string,
  where: { prefix?: string; namespace?: string } = {},
): Case => ({
  app: 'hotel-reservation',
  fault,
  target,
  ...where,
  truth: { component: `${where.prefix ?? ''}${target}`, level: 'Application', type },
});
const GONE = 'Network/Storage Issue';
const AUTH = 'Authentication Issue';

/** The first set, in the order it happened: learned from (older half) and judged on (newer half). */
const FIRST: Case[] = [
  hotel('user_unregistered_mongodb', 'mongodb-geo', GONE),
  hotel('revoke_auth_mongodb', 'mongodb-rate', AUTH),
  {
    app: 'social-network',
    fault: 'misconfig_k8s_target_port',
    target: 'text-service',
    truth: { component: 'text-service', level: 'Virtualization', type: 'Misconfiguration' },
  },
  hotel('user_unregistered_mongodb', 'mongodb-rate', GONE),
];

/** Later and different: other databases in another namespace, and the whole app renamed. */
const PAYMENTS = { namespace: 'payments-prod' };
const ZETA = { prefix: 'zeta-' };
const LATER: Case[] = [
  hotel('user_unregistered_mongodb', 'mongodb-profile', GONE, PAYMENTS),
  hotel('user_unregistered_mongodb', 'mongodb-user', GONE, PAYMENTS),
  hotel('user_unregistered_mongodb', 'mongodb-reservation', GONE, PAYMENTS),
  hotel('user_unregistered_mongodb', 'mongodb-rate', GONE, ZETA),
  hotel('revoke_auth_mongodb', 'mongodb-user', AUTH, PAYMENTS),
  hotel('revoke_auth_mongodb', 'mongodb-geo', AUTH, ZETA),
  {
    app: 'hotel-reservation',
    fault: 'pod_kill',
    target: 'user',
    ...ZETA,
    truth: { component: 'zeta-user', level: 'Virtualization', type: 'Operation Error' },
  },
];

let seq = 0;
async function diagnose(c: Case, trajectories: string, library: readonly Guidance[] = []) {
  seq += 1;
  const id = `inc-${String(seq).padStart(3, '0')}`;
  const report = await diagnoseSimIncident(c, { trajectories, id, disable: WEAK, library });
  const d = report.reasoning.diagnosis;
  const right =
    d.faultyComponents[0] === c.truth.component &&
    d.rootCause?.systemLevel === c.truth.level &&
    d.rootCause.faultType === c.truth.type;
  return { id, right, diagnosis: d };
}

async function label(id: string, verdict: 'right' | 'wrong', c: Case, type = c.truth.type) {
  const { io } = bufferedIO();
  await runsLabel(
    id,
    {
      stateDir,
      verdict,
      ...(verdict === 'right'
        ? {}
        : { rootCause: nameIn(c, c.target), level: c.truth.level, type, fix: 'postmortem finding' }),
    },
    io,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-done-when-labels-'));
  stateDir = join(dir, 'state');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the evolver learns from labelled incidents, with no bench verdicts', () => {
  it('diagnose, label, evolve: a later, different set is diagnosed better; new wrong labels retire the guidance', async () => {
    const trajectories = join(stateDir, 'trajectories');
    const guidanceDir = join(stateDir, 'guidance');

    // 1. The weakened agent on the first set; 2. the engineer labels each run.
    const first: (Awaited<ReturnType<typeof diagnose>> & { c: Case })[] = [];
    for (const c of FIRST) first.push({ c, ...(await diagnose(c, trajectories)) });
    expect(first.map((r) => r.right)).toEqual([false, true, true, false]);
    for (const r of first) await label(r.id, r.right ? 'right' : 'wrong', r.c);

    // 3. aoi evolve over the labelled runs.
    const evolved = bufferedIO();
    expect(
      await evolveCommand({ stateDir, disableRules: [...WEAK], concurrency: 1 }, evolved.io),
      evolved.err(),
    ).toBe(0);
    console.log(`aoi evolve (labelled runs):\n${evolved.out()}`);
    expect(evolved.out()).toContain(
      'labelled runs: 4 (learn from the older 2, 1 of them wrong; judge on the newer 2)',
    );
    expect(evolved.out()).toContain('held-out before: 1/2 (50.0%)');
    expect(evolved.out()).toContain('held-out after:  2/2 (100.0%)');
    expect(evolved.out()).toMatch(
      /^promoted\s+wrong-fault-type-autherrors-network-storage-issue\.md \(fixes inc-004\)$/m,
    );
    const { files } = await loadGuidanceDir(guidanceDir);
    const promoted = files.filter((f) => f.guidance.frontMatter.status === 'promoted');
    expect(promoted.map((f) => f.file)).toEqual(['wrong-fault-type-autherrors-network-storage-issue.md']);
    const fm = promoted[0]!.guidance.frontMatter;
    expect(fm).toMatchObject({
      createdFrom: ['inc-001'],
      support: { problems: 2, before: 1 },
      query: { problems: 2, before: 1, after: 2, regressions: 0 },
      hints: [
        { kind: 'classify', signals: ['AuthErrors'], logPattern: '\\bUserNotFound\\b', faultType: GONE },
      ],
    });
    expect(fm.promotedAt).toBeDefined();
    // Learned from evidence and labels alone: no component or namespace name in the guidance.
    expect(await readFile(promoted[0]!.path, 'utf8')).not.toMatch(/mongodb-|text-service|geo\b/);

    // 4. The later, different set: without guidance (a scratch store) and with the promoted library.
    const library = promoted.map((f) => f.guidance);
    type Outcome = Awaited<ReturnType<typeof diagnose>>;
    const without: Outcome[] = [];
    const withGuidance: Outcome[] = [];
    for (const c of LATER) without.push(await diagnose(c, join(dir, 'scratch')));
    for (const c of LATER) withGuidance.push(await diagnose(c, trajectories, library));
    const solved = (rs: { right: boolean }[]) => rs.filter((r) => r.right).length;
    const rows = LATER.map(
      (c, i) =>
        `${`${c.fault} on ${c.truth.component} (ns ${c.namespace ?? `${c.prefix}prod`})`.padEnd(62)} without: ${without[i]!.right ? 'right' : 'WRONG'}  with: ${withGuidance[i]!.right ? 'right' : 'WRONG'}`,
    );
    console.log(
      [
        'later, different incidents (other targets in namespace payments-prod; the app renamed zeta-* in zeta-prod), weakened rules:',
        ...rows,
        `without guidance: ${solved(without)}/${LATER.length} right; with the promoted guidance: ${solved(withGuidance)}/${LATER.length} right`,
      ].join('\n'),
    );
    expect(solved(without)).toBe(3);
    expect(solved(withGuidance)).toBe(6);
    // Nothing that was right without guidance is wrong with it.
    without.forEach((r, i) => {
      if (r.right) expect(withGuidance[i]!.right).toBe(true);
    });

    // 5. New wrong labels contradict the guidance (the postmortems file these as revoked access): retired.
    for (const i of [0, 1]) await label(withGuidance[i]!.id, 'wrong', LATER[i]!, AUTH);
    const again = bufferedIO();
    expect(
      await evolveCommand({ stateDir, disableRules: [...WEAK], concurrency: 1 }, again.io),
      again.err(),
    ).toBe(0);
    console.log(`aoi evolve after contradicting labels:\n${again.out()}`);
    expect(again.out()).toMatch(
      /^retired\s+wrong-fault-type-autherrors-network-storage-issue\.md \(used in 2 run\(s\) later labelled wrong: inc-012, inc-013\)$/m,
    );
    const path = join(guidanceDir, 'wrong-fault-type-autherrors-network-storage-issue.md');
    const retired = parseGuidance(await readFile(path, 'utf8'), path).frontMatter;
    expect(retired).toMatchObject({
      status: 'retired',
      retiredReason: 'used in 2 run(s) later labelled wrong: inc-012, inc-013',
    });
  }, 180_000);
});
