/**
 * What a container does when it starts, derived from the state around it rather than from any fault: the
 * binary in its command (and so the component whose code runs, with that component's ports and logs), the
 * image (Chaos Mesh's pause image runs and does nothing), whether its MongoDB can be reached and logged
 * into right now (hotel-reservation's Go services panic at start-up when not), and the logs it prints
 * while running, which follow the health model (dynamic-logs.ts).
 */
import type { ComponentSpec } from '../apps/types.js';
import type { Container } from '../model.js';
import type { ContainerContext, ContainerPlan } from '../runtime.js';
import { healthLogSource } from './dynamic-logs.js';
import type { Failure, Target } from './messages.js';
import { clientError } from './messages.js';
import { configFromSpec, mongodStarted } from './mongo-state.js';
import { StateView } from './network.js';
import {
  PAUSE_IMAGE,
  componentNamed,
  dialectOf,
  hashText,
  isMongoImage,
  labelComponent,
  protocolOf,
  runningComponent,
} from './topology.js';

const QUIET: ContainerPlan = { outcome: 'run', ready: true, startupLogs: [], steadyLogs: [] };
const GO_SRC = '/go/src/github.com/harlow/go-micro-services';
/** mgo.Dial gives up after this long when no server answers. */
const MGO_DIAL_TIMEOUT_MS = 10_000;

export function stateBehaviour({ pod, container, world, restartCount }: ContainerContext): ContainerPlan {
  if (container.image === PAUSE_IMAGE) return QUIET;
  if (container.command?.[0] === 'wrk') return wrkJob(container);
  const namespace = pod.metadata.namespace ?? 'default';
  const instance = world.apps.get(namespace);
  const own = instance ? labelComponent(instance.app, pod) : undefined;
  if (!instance || !own) return QUIET;
  const { app } = instance;
  const runs = runningComponent(app, pod, container) ?? own;
  const dialect = dialectOf(app);
  let startup = runs.startupLogs;
  if (isMongoImage(container.image)) {
    mongodStarted(world, pod, container, own.name);
    if (configFromSpec(world, pod, container).tlsMode === 'requireTLS')
      startup = startup.map((l) =>
        l.replace('"ssl":"off"', '"ssl":"on"').replace('"mode":"disabled"', '"mode":"requireTLS"'),
      );
  }
  const view = new StateView(world, namespace, app);
  const databases = runs.calls.filter((c) => {
    const spec = componentNamed(app, c);
    return spec !== undefined && protocolOf(spec) === 'mongodb';
  });
  if (runs !== own)
    startup = startup.map((l) => l.replaceAll('{port}', String(runs.ports[0]?.containerPort ?? '')));
  for (const db of databases) {
    const target = view.target(db, container.image);
    startup = startup.map((l) => l.replaceAll(`${db}:27017`, `${target.host}:${target.port}`));
  }
  if (dialect === 'go-grpc') {
    for (const db of databases) {
      const dial = view.dial(runs.name, db, { optimistic: true, image: container.image });
      if (!dial.ok) return goStartupFailure(runs, startup, dial.failure, dial.target);
    }
  }
  const seed = hashText(`${pod.metadata.uid}/${container.name}/${restartCount}`);
  return {
    outcome: 'run',
    ready: true,
    startupLogs: startup,
    steadyLogs: runs.steadyLogs,
    dynamicLogs: healthLogSource(world, namespace, app, dialect, runs.name, seed),
  };
}

function upTo(lines: string[], marker: string): string[] {
  const i = lines.findIndex((l) => l.includes(marker));
  return i >= 0 ? lines.slice(0, i + 1) : lines;
}

/** A Go service whose database fails at start: mgo's dial panics, or the first query is refused (fatal). */
function goStartupFailure(
  runs: ComponentSpec,
  startup: string[],
  failure: Failure,
  target: Target,
): ContainerPlan {
  const message = clientError('go-grpc', 'mongodb', failure, target);
  const cmd = `cmd/${runs.name}`;
  if (failure.kind === 'mongo-unauthorized') {
    return {
      outcome: 'exit',
      afterMs: 300,
      exitCode: 1,
      reason: 'Error',
      logs: [
        ...upTo(startup, 'New session successfull'),
        `{time} INF ${cmd}/db.go:31 > Generating test data...`,
        `{time} FTL ${cmd}/db.go:45 > ${message}`,
      ],
    };
  }
  const hex = (n: number) => `0x${(hashText(`${runs.name}/${n}`) % 0xfff).toString(16)}`;
  return {
    outcome: 'exit',
    afterMs: failure.kind === 'mongo-auth' ? 200 : MGO_DIAL_TIMEOUT_MS,
    exitCode: 2,
    reason: 'Error',
    logs: [
      ...upTo(startup, 'Initializing DB connection'),
      `{time} PNC ${cmd}/db.go:26 > ${message}`,
      `panic: ${message}`,
      '',
      'goroutine 1 [running]:',
      `github.com/rs/zerolog.(*Logger).Panic.func1({0xc000024150, 0x${message.length.toString(16)}})`,
      `\t/go/pkg/mod/github.com/rs/zerolog@v1.31.0/log.go:405 +${hex(1)}`,
      'github.com/rs/zerolog.(*Event).msg(0xc0001a2000, {0xc000024150, 0x14})',
      `\t/go/pkg/mod/github.com/rs/zerolog@v1.31.0/event.go:158 +${hex(2)}`,
      'github.com/rs/zerolog.(*Event).Msg(...)',
      `\t/go/pkg/mod/github.com/rs/zerolog@v1.31.0/event.go:110`,
      `main.initializeDatabase({0xc000028210, 0x${(target.host.length + 6).toString(16)}})`,
      `\t${GO_SRC}/${cmd}/db.go:26 +${hex(3)}`,
      'main.main()',
      `\t${GO_SRC}/${cmd}/main.go:38 +${hex(4)}`,
    ],
  };
}

/** The wrk2 load generator: runs for its `-d` duration, prints its report, exits 0 (a Completed pod). */
function wrkJob(container: Container): ContainerPlan {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  const d = args[args.indexOf('-d') + 1] ?? '10s';
  const seconds = Number(/^(\d+)/.exec(d)?.[1] ?? 10) * (d.endsWith('m') ? 60 : 1);
  const url = args.find((a) => a.startsWith('http')) ?? 'http://frontend:5000';
  const rate = Number(args[args.indexOf('-R') + 1] ?? 100) || 100;
  return {
    outcome: 'exit',
    afterMs: seconds * 1000,
    exitCode: 0,
    reason: 'Completed',
    logs: [
      `Running ${d} test @ ${url}`,
      '  2 threads and 2 connections',
      '  Thread calibration: mean lat.: 3.512ms, rate sampling interval: 10ms',
      '  Thread calibration: mean lat.: 3.377ms, rate sampling interval: 10ms',
      '  Thread Stats   Avg      Stdev     99%   +/- Stdev',
      '    Latency     3.41ms    1.22ms   7.90ms   71.25%',
      `    Req/Sec    ${(rate / 2).toFixed(2)}     52.11   222.00     80.12%`,
      `  ${rate * seconds} requests in ${d}, ${((rate * seconds * 0.53) / 1024).toFixed(2)}MB read`,
      `Requests/sec:     ${(rate * 0.998).toFixed(2)}`,
      `Transfer/sec:     ${(rate * 0.54).toFixed(2)}KB`,
    ],
  };
}
