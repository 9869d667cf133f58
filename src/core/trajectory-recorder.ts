import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AoiError } from './errors.js';
import { JsonlAppender, readJsonl } from './jsonl.js';
import { TrajectoryHeader, TrajectoryLine, TrajectoryOutcome, TrajectoryStep } from './trajectory.js';

export type TrajectoryStart = Omit<TrajectoryHeader, 'type' | 'version' | 'startedAt'> & {
  startedAt?: string;
};

/** Writes one trajectory as JSONL: a header line, one line per step, then an outcome line. */
export class TrajectoryRecorder {
  readonly #appender: JsonlAppender;

  private constructor(appender: JsonlAppender) {
    this.#appender = appender;
  }

  static async start(dir: string, header: TrajectoryStart): Promise<TrajectoryRecorder> {
    const line = TrajectoryHeader.parse({
      ...header,
      type: 'header',
      version: 1,
      startedAt: header.startedAt ?? new Date().toISOString(),
    });
    const path = join(dir, `${line.id}.jsonl`);
    await mkdir(dir, { recursive: true });
    try {
      // Exclusive create: a second run with the same id must not interleave with the first.
      await writeFile(path, '', { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AoiError('io', `trajectory ${line.id} already exists at ${path}`, { cause: error });
      }
      throw error;
    }
    const appender = await JsonlAppender.open(path);
    await appender.append(line);
    return new TrajectoryRecorder(appender);
  }

  get path(): string {
    return this.#appender.path;
  }

  record(step: Omit<TrajectoryStep, 'type'>): Promise<void> {
    return this.#appender.append(TrajectoryStep.parse({ ...step, type: 'step' }));
  }

  async finish(outcome: Omit<TrajectoryOutcome, 'type' | 'at'>): Promise<void> {
    await this.#appender.append(
      TrajectoryOutcome.parse({ ...outcome, type: 'outcome', at: new Date().toISOString() }),
    );
    await this.#appender.sync();
    await this.#appender.close();
  }
}

export interface Trajectory {
  header: TrajectoryHeader;
  steps: TrajectoryStep[];
  outcome?: TrajectoryOutcome;
}

export async function readTrajectory(path: string): Promise<Trajectory> {
  const { records } = await readJsonl(path, TrajectoryLine);
  const [first] = records;
  if (first?.type !== 'header') {
    throw new AoiError('config', `${path}: not a trajectory (the first line is not a header)`);
  }
  const steps: TrajectoryStep[] = [];
  let outcome: TrajectoryOutcome | undefined;
  for (const line of records.slice(1)) {
    if (line.type === 'step') steps.push(line);
    else if (line.type === 'outcome') outcome = line;
  }
  return outcome ? { header: first, steps, outcome } : { header: first, steps };
}
