/**
 * One problem's world: a fresh simulated cluster with the app deployed, the fault and noise injected after
 * a warm-up, served over HTTPS. Nothing here tells a solver the answer; the brief is all an agent gets.
 */
import { SimCluster } from '../sim/cluster.js';
import { getApp } from '../sim/apps/index.js';
import { injectFault, injectNoise } from '../sim/faults/index.js';
import { SimServer } from '../sim/server/http.js';
import { AoiError } from '../../src/core/errors.js';
import type { TaskType } from '../../src/core/aiopslab.js';
import type { Problem } from './problem.js';

/** What an agent is told about a problem: the task and where to look, as AIOpsLab's task description does. */
export interface ProblemBrief {
  id: string;
  app: string;
  namespace: string;
  task: TaskType;
  description: string;
}

export interface ProblemEnvironment {
  brief: ProblemBrief;
  cluster: SimCluster;
  server: SimServer;
  close(): Promise<void>;
}

/** Healthy traffic before the fault, so logs, restarts and metrics have a history to stand out from. */
const WARM_UP_MS = 5 * 60_000;
/** Time for the fault's symptoms to develop before the solver looks. */
const SYMPTOM_MS = 3 * 60_000;
/**
 * Simulated seconds per wall-clock second while a solver works: time must flow so that a fix can roll out
 * and be watched (as `kubectl rollout status` does), and fast enough that a minute's rollout takes 3 s.
 */
export const SOLVE_SPEED = 20;

const TASK_TEXT: Record<TaskType, string> = {
  detection: 'Detect whether there is an anomaly in the service. Answer "Yes" or "No".',
  localization: 'Localize the faulty component(s): answer with a list of service names.',
  analysis: 'Analyse the root cause: answer with its system level and fault type.',
  mitigation: 'Mitigate the incident so that the service is healthy again, then submit.',
};

export function briefOf(problem: Problem): ProblemBrief {
  return {
    id: problem.id,
    app: problem.app,
    namespace: problem.namespace,
    task: problem.task,
    description: `The ${problem.app} application runs in namespace ${problem.namespace}. ${TASK_TEXT[problem.task]}`,
  };
}

/** A fresh cluster with the problem's app deployed, warmed up, then its noise and fault injected. */
export function prepareCluster(problem: Problem, seed: number): SimCluster {
  const app = getApp(problem.app);
  if (!app) throw new AoiError('config', `problem ${problem.id}: the simulator has no app "${problem.app}"`);
  const cluster = new SimCluster({ seed });
  cluster.deployApp(app, problem.namespace);
  if (!cluster.settle())
    throw new AoiError('internal', `problem ${problem.id}: ${problem.app} did not come up`);
  cluster.advance(WARM_UP_MS);
  for (const noise of problem.noise) injectNoise(cluster, problem.namespace, noise);
  injectFault(cluster, problem.namespace, problem.fault);
  cluster.advance(SYMPTOM_MS);
  return cluster;
}

export async function startEnvironment(problem: Problem, seed: number): Promise<ProblemEnvironment> {
  const cluster = prepareCluster(problem, seed);
  // Only a mitigation needs time to flow (a fix rolls out and is watched); for the other tasks the world a
  // solver reads is the one the symptoms developed in, and a ticking clock would cost CPU for nothing.
  const server = await SimServer.start({
    cluster,
    realtime: problem.task === 'mitigation',
    speed: SOLVE_SPEED,
  });
  return { brief: briefOf(problem), cluster, server, close: () => server.close() };
}
