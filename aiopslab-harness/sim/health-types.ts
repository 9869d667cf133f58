/**
 * The health model's answer, as types of their own: the model (health.ts) and what it feeds (saturation.ts,
 * telemetry/flows.ts) all read them, and health.ts in turn calls those modules.
 */
import type { ComponentRole } from './apps/types.js';

export interface ComponentHealth {
  name: string;
  role: ComponentRole;
  /** Replicas its Deployment/StatefulSet asks for (0 when the workload is gone). */
  desired: number;
  /** Its pods that are Ready. */
  ready: number;
  /** A client can open a connection through its Service (ready endpoints on a port a container listens on). */
  reachable: boolean;
  /** Why it is not ready or not reachable, in an operator's words. */
  reason?: string;
  /**
   * Fraction of calls it answers with an error (1 when unreachable): its own faults and failures it passes
   * on from its callees. A caller refused at login shows on that edge, not here.
   */
  errorRate: number;
  /** The error its callers get when a call fails (its own fault, or one from further down). */
  error?: string;
  /** What it logs itself when it fails a call (a fault in its own code), if anything. */
  log?: string;
  /** Typical time to serve one call, including the calls it makes. */
  latencyMs: number;
  /** Multipliers on CPU, memory and request rate against normal (1). */
  load: { cpu: number; memory: number; requests: number };
  /** Requests per second a load generator inside the cluster sends it directly (saturation.ts). */
  externalRps?: number;
}

export interface EdgeHealth {
  /** Caller and callee component names, an edge of the app's call graph. */
  from: string;
  to: string;
  /** Every call gets through and succeeds. */
  ok: boolean;
  /** Fraction of calls that fail. */
  errorRate: number;
  /** The message the caller gets and logs, e.g. a Thrift `TSocket::open() ... Connection refused`. */
  error?: string;
  /** What the callee logs about these calls (mongod logs refused logins), if anything. */
  calleeLog?: string;
  /** Fraction of these calls the callee receives and answers with an error of its own (a fault in its code). */
  servedErrorRate?: number;
  /** Time one call takes, network delay included. */
  latencyMs: number;
  /** Fraction of packets lost on the way. */
  lossRate: number;
  /** Whether a failure here makes the caller fail its own calls (false for calls to `infra`). */
  critical: boolean;
}

export interface AppHealth {
  app: string;
  namespace: string;
  /** Simulated time (ms) the model describes. */
  at: number;
  components: ComponentHealth[];
  edges: EdgeHealth[];
}
