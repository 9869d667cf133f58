/**
 * `aoi bench generate`: problems in the catalog's format on targets nobody tuned the agent for. Every fault
 * kind × every component where it applies (./targets.ts) × every task AIOpsLab poses for that kind, with the
 * answers taken from the fault (./answers.ts), optionally in random namespaces and with several noise kinds
 * each. Deterministic per seed: the same options give the same file.
 */
import { stringify } from 'yaml';
import type { TaskType } from '../../../src/core/aiopslab.js';
import { AoiError } from '../../../src/core/errors.js';
import { getApp } from '../../sim/apps/index.js';
import type { AppSpec } from '../../sim/apps/types.js';
import { SeededRandom } from '../../sim/random.js';
import type { AppName, FaultKind, NoiseKind } from '../problem.js';
import {
  APP_NAMESPACES,
  AppName as AppNames,
  FaultKind as FaultKinds,
  NoiseKind as NoiseKinds,
} from '../problem.js';
import { ProblemFile } from '../problem.js';
import { ANALYSIS_OF, MITIGATED_FLAGS, MITIGATION_OF, acceptedAlternates } from './answers.js';
import type { FaultChoice } from './targets.js';
import { faultChoices, hasUserInitScript } from './targets.js';

const TASKS: readonly TaskType[] = ['detection', 'localization', 'analysis', 'mitigation'];

export interface GenerateOptions {
  seed: number;
  apps?: readonly AppName[];
  kinds?: readonly FaultKind[];
  tasks?: readonly TaskType[];
  /** Spread the problems over this many random namespaces (else each app's AIOpsLab namespace). */
  namespaces?: number;
  /** Noise kinds per problem, drawn at random without repeats (0 = none). */
  noise?: number;
  /** How many problems (default: every combination once); cells are dealt round-robin so each is covered. */
  count?: number;
}

/** One combination before ids, namespaces and noise are dealt. */
interface Slot {
  app: AppName;
  kind: FaultKind;
  choice: FaultChoice;
  task: TaskType;
}

/** A generated problem as it is written (the catalog's schema, parsed back before writing). */
export type GeneratedProblem = Record<string, unknown> & { id: string };

/** Faults in a database's users: a restart undoes them only where an init script re-creates the users. */
const FIXED_BY_INIT_SCRIPT = new Set<FaultKind>(['revoke_auth_mongodb', 'user_unregistered_mongodb']);

function posesTask(app: AppSpec, kind: FaultKind, choice: FaultChoice, task: TaskType): boolean {
  switch (task) {
    case 'detection':
      return true;
    case 'localization':
      return choice.target !== undefined;
    case 'analysis':
      return ANALYSIS_OF[kind] !== undefined;
    case 'mitigation':
      if (FIXED_BY_INIT_SCRIPT.has(kind) && !hasUserInitScript(app, choice.target ?? '')) return false;
      return kind === 'feature_flag'
        ? MITIGATED_FLAGS[choice.params['flag'] ?? ''] !== undefined
        : MITIGATION_OF[kind] !== undefined;
  }
}

function expectOf(slot: Slot): Record<string, unknown> {
  const { kind, choice, task } = slot;
  switch (task) {
    case 'detection':
      return { detection: kind === 'noop' ? 'No' : 'Yes' };
    case 'localization': {
      const target = choice.target!;
      const accepted = acceptedAlternates(kind, target);
      return { faultyComponents: [target], ...(accepted.length ? { accepted } : {}) };
    }
    case 'analysis':
      return { ...ANALYSIS_OF[kind]! };
    case 'mitigation':
      return {
        mitigation: kind === 'feature_flag' ? MITIGATED_FLAGS[choice.params['flag']!]! : MITIGATION_OF[kind]!,
      };
  }
}

/**
 * The noise kinds a task can carry. A mitigation problem gets no completed Job: AIOpsLab's "pods OK" loop
 * reads a Completed container as not ready (its `elif not container_status.ready` follows the terminated
 * check), so the problem could never pass whatever the agent did.
 */
function noiseFor(task: TaskType): NoiseKind[] {
  return NoiseKinds.options.filter((k) => task !== 'mitigation' || k !== 'completed_job');
}

/** Every combination the options allow, in a fixed order (app, kind, component, task). */
export function enumerateSlots(options: Omit<GenerateOptions, 'seed'>): Slot[] {
  const apps = options.apps ?? AppNames.options;
  const kinds = options.kinds ?? FaultKinds.options;
  const tasks = options.tasks ?? TASKS;
  const slots: Slot[] = [];
  for (const app of apps) {
    const spec = getApp(app);
    if (!spec) throw new AoiError('config', `the simulator has no app "${app}"`);
    for (const kind of kinds)
      for (const choice of faultChoices(spec, kind))
        for (const task of tasks)
          if (posesTask(spec, kind, choice, task)) slots.push({ app, kind, choice, task });
  }
  return slots;
}

function shuffle<T>(items: readonly T[], rng: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` slots dealt round-robin over the kind × task cells, each cell's slots shuffled and cycled. */
function deal(slots: readonly Slot[], count: number, rng: SeededRandom): Slot[] {
  const cells = new Map<string, Slot[]>();
  for (const slot of slots) {
    const key = `${slot.kind}/${slot.task}`;
    cells.set(key, [...(cells.get(key) ?? []), slot]);
  }
  const queues = [...cells.keys()].sort().map((key) => shuffle(cells.get(key)!, rng));
  const out: Slot[] = [];
  for (let round = 0; out.length < count; round++)
    for (const queue of queues) {
      if (out.length === count) break;
      out.push(queue[round % queue.length]!);
    }
  return out;
}

const NAMESPACE_WORDS = [
  'prod',
  'staging',
  'shop',
  'payments',
  'team-a',
  'edge',
  'canary',
  'apps',
  'svc',
  'blue',
];

function randomNamespaces(n: number, rng: SeededRandom): string[] {
  const names = new Set<string>();
  while (names.size < n) names.add(`${NAMESPACE_WORDS[rng.int(NAMESPACE_WORDS.length)]}-${rng.suffix(5)}`);
  return [...names];
}

function validate(options: GenerateOptions): void {
  const whole = (v: number | undefined, min: number, name: string, max = Infinity) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw new AoiError(
        'usage',
        `${name} must be a whole number from ${min}${max < Infinity ? ` to ${max}` : ''}`,
      );
  };
  whole(options.seed, 0, '--seed');
  whole(options.namespaces, 1, '--namespaces');
  whole(options.noise, 0, '--noise', NoiseKinds.options.length);
  whole(options.count, 1, '--count');
}

/** The problems, parsed with the catalog's own schema (so the file loads wherever the catalog does). */
export function generateProblems(options: GenerateOptions): GeneratedProblem[] {
  validate(options);
  const slots = enumerateSlots(options);
  if (slots.length === 0)
    throw new AoiError(
      'usage',
      `no fault can be made with --app ${(options.apps ?? AppNames.options).join(',')} --kind ${(options.kinds ?? FaultKinds.options).join(',')} --task ${(options.tasks ?? TASKS).join(',')}`,
      {
        hint: 'e.g. MongoDB auth faults need a MongoDB with access control (hotel-reservation), feature flags need astronomy-shop, and AIOpsLab poses analysis and mitigation tasks only for some kinds.',
      },
    );
  const rng = new SeededRandom(options.seed);
  const chosen = options.count === undefined ? slots : deal(slots, options.count, rng);
  const namespaces = options.namespaces ? randomNamespaces(options.namespaces, rng) : undefined;
  const problems = chosen.map((slot, i): GeneratedProblem => {
    const noise: NoiseKind[] = options.noise ? shuffle(noiseFor(slot.task), rng).slice(0, options.noise) : [];
    const where = slot.choice.target ?? slot.app;
    return {
      id: `gen-${slot.kind}-${slot.task}-${where}-${String(i + 1).padStart(4, '0')}`,
      app: slot.app,
      namespace: namespaces ? namespaces[rng.int(namespaces.length)]! : APP_NAMESPACES[slot.app],
      task: slot.task,
      fault: {
        kind: slot.kind,
        ...(slot.choice.target ? { target: slot.choice.target } : {}),
        ...(Object.keys(slot.choice.params).length ? { params: { ...slot.choice.params } } : {}),
      },
      ...(noise.length ? { noise } : {}),
      expect: expectOf(slot),
      aiopslab: { in86: false },
    };
  });
  ProblemFile.parse(problems);
  return problems;
}

/** The YAML file `aoi bench generate` writes: a header saying how to make it again, then the list. */
export function renderProblemsYaml(problems: readonly GeneratedProblem[], command: string): string {
  const header = [
    `# ${problems.length} generated problems (not AIOpsLab's; answers from each fault's definition).`,
    `# Made by: ${command}`,
    '# Schema: aiopslab-harness/bench/problem.ts. Run them: aoi bench --problems <this file>',
  ].join('\n');
  return `${header}\n${stringify(problems, { lineWidth: 0 })}`;
}
