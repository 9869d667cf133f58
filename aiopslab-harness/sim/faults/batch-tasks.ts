/**
 * What a Job's container does, decided from the cluster's state when it starts (a behaviour hook for pods
 * a Job owns). The modelled commands, alone or inside `sh -c`:
 *   - MongoDB's tools (`mongodump`, `mongorestore`, `mongoexport`, `mongosh`) with `--uri mongodb://[user[:pw]@]
 *     host[:port]/db` or `--host/--port/--username`: the name must resolve (a Service of the pod's namespace,
 *     while cluster DNS answers), the Service must have a ready endpoint, and a user given must exist in that
 *     database's users (a client that sends credentials for an unknown user fails SCRAM authentication even on
 *     a server without --auth). The messages are mongo-tools 100.x's (mongodump/mongodump.go "can't create
 *     session", the driver's server-selection and handshake errors). `mongodump --collection` without `--db`
 *     is refused at once ("cannot dump a collection without a specified database", mongodump/options.go).
 *   - `redis-cli`/`valkey-cli -h HOST [-p PORT] ...`: resolves and connects as above
 *     ("Could not connect to Redis at HOST:PORT: Name or service not known" / "Connection refused").
 *   - `sleep N` ends after N seconds; `sleep infinity` (or a `while true` wait loop) never ends.
 *   - `until nc -z HOST PORT; do ... sleep N; done; REST`: waits (printing its echo line each round) until
 *     the check passes, then does REST.
 * Anything else completes after a few seconds.
 */
import { resourceByKind } from '../api/resources.js';
import type { Container, Pod, Service } from '../model.js';
import { controllerOf } from '../model.js';
import type { BehaviourHook, ContainerPlan, SimWorld } from '../runtime.js';
import { DNS_IP, clusterDnsAnswers } from './dns-state.js';
import { mongoUsers } from './mongo-state.js';
import { isPodReady } from './topology.js';

const SERVICES = resourceByKind('Service');
const ENDPOINTS = resourceByKind('Endpoints');
const PODS = resourceByKind('Pod');
/** The driver's default serverSelectionTimeoutMS: an unreachable server fails a tool after 30 s. */
const SERVER_SELECTION_MS = 30_000;
const FOREVER: ContainerPlan = { outcome: 'run', ready: true, startupLogs: [], steadyLogs: [] };

type Reach =
  | { ok: true; service: Service; port: number }
  | { ok: false; kind: 'dns' | 'dnsDown' | 'refused'; ip?: string; port: number };

function serviceName(host: string, namespace: string): string | undefined {
  const parts = host.split('.');
  if (parts.length === 1) return host;
  if (parts[1] !== namespace) return undefined;
  return parts.length === 2 || parts[2] === 'svc' ? parts[0] : undefined;
}

/** Whether `host:port` answers from a pod of `namespace`, as a TCP connect would find out. */
function reach(world: SimWorld, namespace: string, host: string, port: number): Reach {
  if (!clusterDnsAnswers(world)) return { ok: false, kind: 'dnsDown', port };
  const name = serviceName(host, namespace);
  const svc = name ? (world.store.peek(SERVICES, namespace, name) as Service | undefined) : undefined;
  if (!svc) return { ok: false, kind: 'dns', port };
  const ip = svc.spec.clusterIP ?? '10.96.0.1';
  const endpoints = world.store.peek(ENDPOINTS, namespace, svc.metadata.name);
  const subsets = (endpoints?.['subsets'] ?? []) as { addresses?: unknown[] }[];
  const ready = subsets.some((s) => (s.addresses ?? []).length > 0);
  const ports = (svc.spec.ports ?? []).map((p) => p.port);
  if (!ready || !ports.includes(port)) return { ok: false, kind: 'refused', ip, port };
  return { ok: true, service: svc, port };
}

function backingPod(world: SimWorld, svc: Service): Pod | undefined {
  const selector = Object.entries(svc.spec.selector ?? {});
  if (selector.length === 0) return undefined;
  return world.store
    .peekAll(PODS, svc.metadata.namespace)
    .map((p) => p as unknown as Pod)
    .find((p) => isPodReady(p) && selector.every(([k, v]) => p.metadata.labels?.[k] === v));
}

function words(container: Container): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])]
    .flatMap((w) => w.split(/\s+/))
    .filter(Boolean);
}

function option(ws: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < ws.length; i++) {
    for (const name of names) {
      if (ws[i] === name) return ws[i + 1];
      if (ws[i]!.startsWith(`${name}=`)) return ws[i]!.slice(name.length + 1);
    }
  }
  return undefined;
}

function fail(afterMs: number, lines: string[]): ContainerPlan {
  return { outcome: 'exit', afterMs, exitCode: 1, reason: 'Error', logs: lines };
}

function done(afterMs: number, lines: string[]): ContainerPlan {
  return { outcome: 'exit', afterMs, exitCode: 0, reason: 'Completed', logs: lines };
}

/** A timestamped mongo-tools log line (they print an RFC 3339 time with a numeric zone, then a tab). */
function toolLine(at: number, text: string): string {
  return `${new Date(at).toISOString().replace('Z', '+0000')}\t${text}`;
}

function mongoTool(world: SimWorld, pod: Pod, tool: string, ws: string[], now: number): ContainerPlan {
  const namespace = pod.metadata.namespace ?? 'default';
  const uri = option(ws, '--uri');
  const parsed = uri
    ? /^mongodb:\/\/(?:([^:@/]+)(?::[^@/]*)?@)?([^:/?]+)(?::(\d+))?(?:\/([^?]*))?/.exec(uri)
    : null;
  const host = parsed?.[2] ?? option(ws, '--host', '-h') ?? 'localhost';
  const port = Number(parsed?.[3] ?? option(ws, '--port') ?? 27017);
  const user = parsed?.[1] ?? option(ws, '--username', '-u');
  const db = option(ws, '--db', '-d') ?? (parsed?.[4] || undefined);
  if (tool === 'mongodump' && option(ws, '--collection', '-c') !== undefined && !db)
    return fail(200, [toolLine(now, 'Failed: cannot dump a collection without a specified database')]);
  const target = reach(world, namespace, host, port);
  if (!target.ok) {
    const why =
      target.kind === 'refused'
        ? `dial tcp ${target.ip}:${port}: connect: connection refused`
        : target.kind === 'dnsDown'
          ? `dial tcp: lookup ${host} on ${DNS_IP}:53: read udp 10.244.1.9:41234->${DNS_IP}:53: i/o timeout`
          : `dial tcp: lookup ${host} on ${DNS_IP}:53: no such host`;
    return fail(SERVER_SELECTION_MS, [
      toolLine(
        now + SERVER_SELECTION_MS,
        `Failed: can't create session: could not connect to server: server selection error: server selection ` +
          `timeout, current topology: { Type: Single, Servers: [{ Addr: ${host}:${port}, Type: Unknown, ` +
          `Last error: ${why} }, ] }`,
      ),
    ]);
  }
  const server = backingPod(world, target.service);
  if (user !== undefined && server && !mongoUsers(world, server).has(user))
    return fail(1200, [
      toolLine(
        now + 1200,
        `Failed: can't create session: could not connect to server: connection() error occurred during ` +
          `connection handshake: auth error: sasl conversation error: unable to authenticate using mechanism ` +
          `"SCRAM-SHA-1": (AuthenticationFailed) Authentication failed.`,
      ),
    ]);
  const database = db ?? 'admin';
  if (tool === 'mongodump')
    return done(6000, [
      toolLine(now + 3000, `writing ${database}.${database.replace(/-db$/, '')} to archive on stdout`),
      toolLine(now + 5500, `done dumping ${database}.${database.replace(/-db$/, '')} (80 documents)`),
    ]);
  return done(4000, [toolLine(now + 3500, `${tool}: finished against ${host}:${port}/${database}`)]);
}

function redisTool(world: SimWorld, pod: Pod, ws: string[]): ContainerPlan {
  const host = option(ws, '-h') ?? '127.0.0.1';
  const port = Number(option(ws, '-p') ?? 6379);
  const target = reach(world, pod.metadata.namespace ?? 'default', host, port);
  if (target.ok) return done(1500, ['Background saving started']);
  const why = target.kind === 'refused' ? 'Connection refused' : 'Name or service not known';
  return fail(target.kind === 'dnsDown' ? 5000 : 300, [
    `Could not connect to Redis at ${host}:${port}: ${why}`,
  ]);
}

/** `until nc -z HOST PORT; do echo MSG; sleep N; done; REST`: waits for a dependency, then does REST. */
function waitLoop(
  world: SimWorld,
  pod: Pod,
  script: string,
  container: Container,
  now: number,
): ContainerPlan | undefined {
  const m =
    /until\s+nc\s+-z(?:\s+-w\s*\d+)?\s+(\S+)\s+(\d+)\s*;\s*do\s+(?:echo\s+(['"]?)(.*?)\3\s*;\s*)?sleep\s+(\d+)\s*;\s*done\s*;?\s*(.*)$/s.exec(
      script,
    );
  if (!m) return undefined;
  const [, host = '', port = '0', , message, every = '5', rest = ''] = m;
  if (reach(world, pod.metadata.namespace ?? 'default', host, Number(port)).ok)
    return planScript(world, pod, rest, container, now + 1000);
  return {
    outcome: 'run',
    ready: true,
    startupLogs: [],
    steadyLogs: [message ?? `waiting for ${host}:${port}`],
    steadyEveryMs: Number(every) * 1000,
  };
}

function planScript(
  world: SimWorld,
  pod: Pod,
  script: string,
  container: Container,
  now: number,
): ContainerPlan {
  const loop = waitLoop(world, pod, script, container, now);
  if (loop) return loop;
  const ws = script.split(/\s+/).filter(Boolean);
  const tool = ws.find((w) =>
    /^(mongodump|mongorestore|mongoexport|mongosh|mongo|redis-cli|valkey-cli|sleep)$/.test(w),
  );
  if (tool === 'sleep') {
    const arg = ws[ws.indexOf('sleep') + 1] ?? '1';
    return arg === 'infinity' ? FOREVER : done(Number.parseInt(arg, 10) * 1000 || 1000, []);
  }
  if (/\bwhile\s+(true|:)\s*;/.test(script)) return FOREVER;
  if (tool === 'redis-cli' || tool === 'valkey-cli') return redisTool(world, pod, ws.slice(ws.indexOf(tool)));
  if (tool) return mongoTool(world, pod, tool, ws.slice(ws.indexOf(tool)), now);
  return done(3000, []);
}

export const batchTaskHook: BehaviourHook = ({ pod, container, world }) => {
  if (controllerOf(pod.metadata)?.kind !== 'Job') return undefined;
  const all = [...(container.command ?? []), ...(container.args ?? [])];
  const shell = ['sh', '/bin/sh', 'bash', '/bin/bash'].includes(all[0] ?? '') && all[1] === '-c';
  const script = shell ? all.slice(2).join(' ') : words(container).join(' ');
  return planScript(world, pod, script, container, world.clock.now());
};
