/**
 * Read-back checks for the writes the agent sends through `exec_shell`: after each write, the object is read
 * again in a following step and compared with what the write asked for (issue 17: a write the orchestrator's
 * shell reports badly must not pass as applied). Writes that change no field the agent can predict
 * (restart, rollback, delete) are compared with the object read just before the write.
 */
import type { ActionProposal } from '../core/actions.js';
import { targetObjectOf } from '../executor/context.js';
import type { ResourceKind } from '../observer/cluster-reader.js';

/** The object a write changes, as the relayed reader addresses it. */
export interface ReadBack {
  kind: ResourceKind;
  name: string;
  namespace?: string;
}

export type Verdict = { ok: true; note: string } | { ok: false; reason: string };

/** What a read returned: the object, or absent (NotFound); other read failures never get here. */
export type ReadObject = Record<string, unknown> | 'absent';

/** The object a write changes: the one the executor reads for its pre-image and verification. */
export function readBackOf(action: ActionProposal): ReadBack | undefined {
  const target = targetObjectOf(action);
  if (!target) return undefined;
  const { resource, ...where } = target;
  return { kind: resource, ...where };
}

/** Writes whose effect shows only against the object as it was just before. */
export function needsBefore(action: ActionProposal): boolean {
  return (
    action.kind === 'rolloutRestart' || action.kind === 'rollbackDeployment' || action.kind === 'deletePod'
  );
}

type Obj = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Obj)[key] : undefined), value);
const list = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function containerOf(obj: Obj, name: string): Obj | undefined {
  return list(at(obj, 'spec', 'template', 'spec', 'containers')).find((c) => c['name'] === name);
}

const pass = (note: string): Verdict => ({ ok: true, note });
const fail = (reason: string): Verdict => ({ ok: false, reason });

/**
 * Whether the object read back shows the write. `configText` is the ConfigMap text a setConfigValue wrote;
 * `before` the object read just before a restart, rollback or delete.
 */
export function writeShows(
  action: ActionProposal,
  after: ReadObject,
  extra: { before?: ReadObject; configText?: string } = {},
): Verdict {
  if (action.kind === 'deletePod') {
    if (after === 'absent') return pass(`pod ${action.name} is gone`);
    const uid = (o: ReadObject | undefined) =>
      o === undefined || o === 'absent' ? undefined : at(o, 'metadata', 'uid');
    if (at(after, 'metadata', 'deletionTimestamp') !== undefined)
      return pass(`pod ${action.name} is terminating`);
    if (extra.before !== undefined && uid(after) !== uid(extra.before))
      return pass(`pod ${action.name} was recreated`);
    return fail(`pod ${action.name} is still there, not terminating`);
  }
  if (after === 'absent') return fail(`${action.kind} target is not there any more`);
  switch (action.kind) {
    case 'scaleDeployment': {
      const replicas = at(after, 'spec', 'replicas');
      return replicas === action.replicas
        ? pass(`spec.replicas is ${action.replicas}`)
        : fail(`spec.replicas is ${String(replicas)}, not ${action.replicas}`);
    }
    case 'patchService': {
      const ports = list(at(after, 'spec', 'ports'));
      for (const want of action.ports) {
        const port = ports.find(
          (p) => p['port'] === want.port && (want.name === undefined || p['name'] === want.name),
        );
        if (port?.['targetPort'] !== want.targetPort)
          return fail(`port ${want.port} targets ${String(port?.['targetPort'])}, not ${want.targetPort}`);
      }
      return pass(`every patched port targets what was asked`);
    }
    case 'setImage': {
      const image = containerOf(after, action.container)?.['image'];
      return image === action.image ? pass(`image is ${action.image}`) : fail(`image is ${String(image)}`);
    }
    case 'setCommand': {
      const c = containerOf(after, action.container);
      if (!same(c?.['command'], action.command)) return fail(`command is ${JSON.stringify(c?.['command'])}`);
      if (action.args !== undefined && !same(c?.['args'], action.args))
        return fail(`args are ${JSON.stringify(c?.['args'])}`);
      return pass(`container ${action.container} runs ${action.command.join(' ')}`);
    }
    case 'setEnv': {
      const env = list(containerOf(after, action.container)?.['env']);
      for (const [name, value] of Object.entries(action.env)) {
        const found = env.find((e) => e['name'] === name);
        if (value === null ? found !== undefined : found?.['value'] !== value)
          return fail(`env ${name} is ${found === undefined ? 'unset' : JSON.stringify(found['value'])}`);
      }
      return pass('every variable is as asked');
    }
    case 'patchNodeSelector': {
      const selector = (at(after, 'spec', 'template', 'spec', 'nodeSelector') ?? {}) as Obj;
      for (const [key, value] of Object.entries(action.nodeSelector))
        if ((selector[key] ?? null) !== value)
          return fail(`nodeSelector ${key} is ${JSON.stringify(selector[key])}`);
      return pass('nodeSelector is as asked');
    }
    case 'setConfigValue': {
      const text = at(after, 'data', action.key);
      return text === extra.configText
        ? pass(`${action.key} holds the new text`)
        : fail(`${action.key} does not hold the new text`);
    }
    case 'releaseVolume':
      return at(after, 'spec', 'claimRef') === undefined
        ? pass(`volume ${action.name} has no claimRef`)
        : fail(`volume ${action.name} still has a claimRef`);
    case 'rolloutRestart': {
      const key = 'kubectl.kubernetes.io/restartedAt';
      const stamp = (o: ReadObject | undefined) =>
        o === undefined || o === 'absent'
          ? undefined
          : at(o, 'spec', 'template', 'metadata', 'annotations', key);
      return stamp(after) !== undefined && stamp(after) !== stamp(extra.before)
        ? pass(`restartedAt is ${String(stamp(after))}`)
        : fail('the pod template carries no new restartedAt');
    }
    case 'rollbackDeployment': {
      const template = (o: ReadObject | undefined) =>
        o === undefined || o === 'absent' ? undefined : at(o, 'spec', 'template');
      return extra.before !== undefined && !same(template(after), template(extra.before))
        ? pass('the pod template changed')
        : fail('the pod template is unchanged');
    }
    case 'setResources': {
      const resources = (containerOf(after, action.container)?.['resources'] ?? {}) as Obj;
      for (const section of ['limits', 'requests'] as const)
        for (const [resource, value] of Object.entries(action[section] ?? {}))
          if (at(resources, section, resource) !== value)
            return fail(`${section}.${resource} is ${JSON.stringify(at(resources, section, resource))}`);
      return pass('every limit and request is as asked');
    }
    case 'setProbe': {
      const field = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' }[
        action.probe
      ];
      const probe = containerOf(after, action.container)?.[field] as Obj | undefined;
      if (probe === undefined) return fail(`container ${action.container} has no ${action.probe} probe`);
      const port =
        at(probe, 'tcpSocket', 'port') ?? at(probe, 'httpGet', 'port') ?? at(probe, 'grpc', 'port');
      if (action.port !== undefined && port !== action.port) return fail(`probe port is ${String(port)}`);
      if (action.path !== undefined && at(probe, 'httpGet', 'path') !== action.path)
        return fail(`probe path is ${String(at(probe, 'httpGet', 'path'))}`);
      for (const f of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const)
        if (action[f] !== undefined && probe[f] !== action[f])
          return fail(`probe ${f} is ${String(probe[f])}`);
      return pass(`the ${action.probe} probe is as asked`);
    }
    case 'kubectl':
      return pass('no read-back for a raw kubectl write');
  }
}
