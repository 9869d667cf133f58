import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionProposal } from '../core/actions.js';
import type { Check, PreImage } from './actions/types.js';

export interface VerifyRequest {
  action: ActionProposal;
  preImage: PreImage;
  /** The action's own read-back of the expected state (the changed object and its pods). */
  check: () => Promise<Check>;
  /** The run was interrupted: stop looking (the executor has already moved on). */
  signal?: AbortSignal;
}

export type VerifyResult = { ok: true; message: string } | { ok: false; message: string };

/**
 * The seam for verification. The default polls the action's read-back; an observer-based verifier (a fresh
 * Snapshot: symptoms gone, no new Warning evidence) plugs in here later.
 */
export interface Verifier {
  verify(request: VerifyRequest): Promise<VerifyResult>;
}

/** Where the verifier's time comes from; a simulated cluster's driven clock plugs in here (tests, bench). */
export interface VerifyClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const wallClock: VerifyClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export interface ReadBackOptions {
  timeoutMs?: number;
  pollMs?: number;
  clock?: VerifyClock;
}

/** Polls the read-back until done, failed (fail fast) or the deadline; a read error fails verification. */
export function readBackVerifier(options: ReadBackOptions = {}): Verifier {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  const clock = options.clock ?? wallClock;
  return {
    async verify({ check, signal }) {
      const deadline = clock.now() + timeoutMs;
      for (;;) {
        let result: Check;
        try {
          result = await check();
        } catch (error) {
          return {
            ok: false,
            message: `read-back failed: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        if (result.state === 'done') return { ok: true, message: result.message };
        if (result.state === 'failed') return { ok: false, message: result.message };
        if (clock.now() >= deadline)
          return { ok: false, message: `timed out after ${timeoutMs} ms: ${result.message}` };
        if (signal?.aborted) return { ok: false, message: `interrupted: ${result.message}` };
        await clock.sleep(pollMs);
      }
    },
  };
}
