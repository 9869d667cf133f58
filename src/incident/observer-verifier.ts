/**
 * Verification through the observer: after the action's own read-back holds (the object is as requested,
 * its pods rolled), the observer looks again until the action's target shows none of its own structural
 * symptoms and has logged no error since the change. A fix that "applied" but left the symptom (a Service
 * re-pointed at another wrong port) fails here, and the executor rolls it back.
 */
import type { ActionProposal } from '../core/actions.js';
import type { Evidence } from '../core/evidence.js';
import type { ObservationCoverage } from '../core/observation-report.js';
import type { Verifier, VerifyClock, VerifyResult } from '../executor/verifier.js';
import { readBackVerifier, wallClock } from '../executor/verifier.js';
import type { MetricsSource } from '../observer/analyzers/telemetry.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import { observe } from '../observer/observe.js';

export interface ObserverVerifierOptions {
  reader: ClusterReader;
  metrics?: MetricsSource;
  timeoutMs?: number;
  pollMs?: number;
  /** The action's read-back runs first; injectable for tests. */
  readBack?: Verifier;
  /** Where time comes from (the simulator's driven clock in tests); the wall clock by default. */
  clock?: VerifyClock;
}

/** The component an action changes, when it changes one workload or Service by name. */
export function targetComponent(action: ActionProposal): { namespace: string; name: string } | undefined {
  switch (action.kind) {
    case 'kubectl':
    case 'releaseVolume':
    case 'setConfigValue':
    case 'deletePod':
      return undefined;
    case 'patchNodeSelector':
    case 'patchService':
    case 'rollbackDeployment':
    case 'rolloutRestart':
    case 'scaleDeployment':
    case 'setCommand':
    case 'setEnv':
    case 'setImage':
    case 'setResources':
    case 'setProbe':
      return { namespace: action.namespace, name: action.name };
  }
}

/**
 * Symptoms that must be gone once the fix holds: what the object state says (metrics are 5-minute windows
 * and events keep history, so they would hold a good fix back), and errors logged after the change.
 */
function stillFailing(ev: Evidence, target: string): boolean {
  // What callers say about the target rests on their 5-minute error ratios too: its own symptoms decide.
  if (ev.component !== target || ev.signal === 'CallerErrors') return false;
  if (ev.severity !== 'error' && ev.severity !== 'critical') return false;
  return ev.source === 'kubernetes' || ev.source === 'logs';
}

/**
 * What a look could not read of what verification rests on (objects and logs; metrics do not decide here):
 * a look that could not read them is never "healthy".
 */
function unreadObjects(coverage: ObservationCoverage): string[] {
  return coverage.gaps
    .filter((g) => g.what in coverage.kinds || g.what.startsWith('logs of '))
    .map((g) => `${g.what} (${g.code})`);
}

export function observerVerifier(options: ObserverVerifierOptions): Verifier {
  const clock = options.clock ?? wallClock;
  const readBack = options.readBack ?? readBackVerifier({ clock });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  return {
    async verify(request): Promise<VerifyResult> {
      const appliedAt = clock.now();
      const first = await readBack.verify(request);
      const target = targetComponent(request.action);
      if (!first.ok || !target) return first;
      const deadline = clock.now() + timeoutMs;
      let last: Evidence[];
      let unread: string[];
      for (;;) {
        const since = Math.max(1, Math.ceil((clock.now() - appliedAt) / 1000));
        const report = await observe(options.reader, {
          namespace: target.namespace,
          logsSinceSeconds: since,
          ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
        });
        if (!report.ok)
          return { ok: false, message: `the observer could not look again: ${report.error.message}` };
        last = report.value.evidence.filter((ev) => stillFailing(ev, target.name));
        unread = unreadObjects(report.value.coverage);
        if (last.length === 0 && unread.length === 0)
          return { ok: true, message: `${first.message}; the observer sees ${target.name} healthy` };
        if (clock.now() + pollMs > deadline || request.signal?.aborted) break;
        await clock.sleep(pollMs);
      }
      if (last.length === 0)
        return {
          ok: false,
          message: `the observer could not read ${unread.join(', ')}, so ${target.name} is not verified healthy`,
        };
      return {
        ok: false,
        message: `${target.name} still shows ${last
          .slice(0, 3)
          .map((ev) => `${ev.signal} (${ev.summary.slice(0, 120)})`)
          .join('; ')} after ${timeoutMs} ms`,
      };
    },
  };
}
