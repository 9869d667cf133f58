/**
 * `npm run bench:generalization`: the rules backend on generated problems nobody tuned it for (fixed seed,
 * every fault kind × component × task dealt round-robin, random namespaces, two noise kinds each), run
 * in-process as `aoi bench` runs them. Prints a table per fault kind × task (problems, successes, failing
 * ids) and a summary line against the catalog's 87. Exit 1 below the done-when bars of issue 18 (95% overall,
 * 85% in every cell of at least 5 problems).
 *
 * Options: --count N (default 320), --seed N (default 18), --filter REGEXP (on ids), --concurrency N
 * (default 2), --json FILE (every record).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generateProblems } from '../aiopslab-harness/bench/generate/generate.js';
import { ProblemFile } from '../aiopslab-harness/bench/problem.js';
import type { Problem } from '../aiopslab-harness/bench/problem.js';
import type { AttemptRecord } from '../aiopslab-harness/bench/runner.js';
import { runBench } from '../aiopslab-harness/bench/runner.js';
import { aoiSolver } from '../aiopslab-harness/bench/solvers/aoi.js';
import { loadConfig } from '../src/core/config.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '320' },
    seed: { type: 'string', default: '18' },
    filter: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});

/** The catalog's figure this is compared with (`npm run bench:agent`, rules backend, README). */
const CATALOG = { problems: 87, success: 87 };
const OVERALL_BAR = 0.95;
const CELL_BAR = 0.85;
const CELL_MIN = 5;

const generated = generateProblems({
  seed: Number(values.seed),
  count: Number(values.count),
  namespaces: 8,
  noise: 2,
});
const filter = values.filter === undefined ? undefined : new RegExp(values.filter);
const problems: Problem[] = ProblemFile.parse(generated).filter((p) => !filter || filter.test(p.id));
const config = await loadConfig({ env: process.env });
const stateDir = await mkdtemp(join(tmpdir(), 'aoi-generalization-'));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let done = 0;
const records = await runBench(
  problems,
  aoiSolver({
    reasoner: 'rules',
    // The rules backend never calls Ollama; the settings are the configured ones, unused.
    ollama: { host: config.ollama.host, model: config.ollama.model, timeoutMs: config.ollama.timeoutMs },
    maxSteps: config.reasoner.maxSteps,
    policy: 'bench',
    stateDir,
  }),
  {
    attempts: 1,
    concurrency: Number(values.concurrency),
    mode: 'strict',
    onRecord: (r) =>
      process.stderr.write(
        `  [${++done}/${problems.length}] ${r.success ? 'ok  ' : 'FAIL'} ${r.problemId}${r.success ? '' : ` (${r.error ?? r.detail})`}\n`,
      ),
  },
);
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
await rm(stateDir, { recursive: true, force: true });

const byId = new Map(problems.map((p) => [p.id, p]));
interface Cell {
  kind: string;
  task: string;
  records: AttemptRecord[];
}
const cells = new Map<string, Cell>();
for (const r of records) {
  const p = byId.get(r.problemId)!;
  const key = `${p.fault.kind} ${p.task}`;
  const cell = cells.get(key) ?? { kind: p.fault.kind, task: p.task, records: [] };
  cell.records.push(r);
  cells.set(key, cell);
}
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
const rows = [['KIND', 'TASK', 'PROBLEMS', 'SUCCESS', 'RATE', 'FAILING']];
const below: string[] = [];
for (const cell of [...cells.values()].sort((a, b) =>
  `${a.kind} ${a.task}`.localeCompare(`${b.kind} ${b.task}`),
)) {
  const ok = cell.records.filter((r) => r.success).length;
  const n = cell.records.length;
  rows.push([
    cell.kind,
    cell.task,
    String(n),
    String(ok),
    pct(ok, n),
    cell.records
      .filter((r) => !r.success)
      .map((r) => r.problemId)
      .join(' '),
  ]);
  if (n >= CELL_MIN && ok / n < CELL_BAR) below.push(`${cell.kind}/${cell.task}`);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const table = rows.map((r) =>
  r
    .map((cell, c) => (c === 5 ? cell : cell.padEnd(widths[c]!)))
    .join('  ')
    .trimEnd(),
);
const ok = records.filter((r) => r.success).length;
process.stdout.write(`${table.join('\n')}\n\n`);
process.stdout.write(
  `generalization: ${ok}/${records.length} (${pct(ok, records.length)}) on generated problems (seed ${values.seed}, ` +
    `${new Set(problems.map((p) => p.app)).size} apps, 8 namespaces, 2 noise kinds each) vs the catalog's ` +
    `${CATALOG.success}/${CATALOG.problems} (${pct(CATALOG.success, CATALOG.problems)}); ` +
    `cells below ${CELL_BAR * 100}% (≥ ${CELL_MIN} problems): ${below.length ? below.join(', ') : 'none'}\n`,
);
process.stdout.write(
  `cost: ${wallS.toFixed(0)} s wall, ${cpuS.toFixed(0)} s CPU in this process (${(cpuS / Math.max(1, records.length)).toFixed(2)} s a problem)\n`,
);
if (values.json) await writeFile(values.json, `${JSON.stringify({ records }, null, 2)}\n`);
process.exitCode = ok / Math.max(1, records.length) >= OVERALL_BAR && below.length === 0 ? 0 : 1;
