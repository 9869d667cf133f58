/**
 * Configuration an SRE would read: feature flags turned on in flagd/OpenFeature flag files, and MongoDB
 * configs that require TLS. Both are recognised by their shape, not by any object's name.
 */
import { parse } from 'yaml';
import type { ConfigMap, Pod, Workload } from '../k8s-types.js';
import { asArray, nameOf } from '../k8s-types.js';
import type { PodLog } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

const OFF_VALUES = new Set(['off', 'false', '0', '', 'disabled', 'none', 'no']);
/** What mongod logs when a client that speaks plain TCP meets a TLS-only server. */
const HANDSHAKE = /SSLHandshakeFailed|only allow SSL connections|TLS handshake failed|handshake failed/i;
/** Words in a client's failure that fit a server turning plain connections away. */
const CONNECT_WORDS =
  /\btls\b|\bssl\b|handshake|connection closed|no suitable servers|no reachable servers|server selection|mongo/i;

interface FlagShape {
  state?: unknown;
  variants: Record<string, unknown>;
  defaultVariant: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFlag(v: unknown): v is FlagShape {
  return isRecord(v) && isRecord(v['variants']) && typeof v['defaultVariant'] === 'string';
}

/** The flags of a flagd/OpenFeature flag document, or undefined when the text is not one. */
export function flagsOf(text: string): Record<string, FlagShape> | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc['flags'])) return undefined;
  const flags = Object.entries(doc['flags']).filter(([, f]) => isFlag(f)) as [string, FlagShape][];
  return flags.length > 0 ? Object.fromEntries(flags) : undefined;
}

/** A flag's served value is "on" when it is neither off, false nor zero (objects are configuration, not switches). */
export function isOn(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return !OFF_VALUES.has(value.trim().toLowerCase());
  return false;
}

/** camelCase or snake/kebab words, lower case: `kafkaQueueProblems` → kafka, queue, problems. */
function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
}

/** The workload a flag most plausibly belongs to: the longest run of its words that names one. */
export function ownerOfFlag(flag: string, workloads: readonly string[]): string | undefined {
  const words = tokens(flag);
  const byName = new Map<string, string>();
  for (const w of workloads) {
    const lower = w.toLowerCase();
    byName.set(lower, w);
    for (const suffix of ['-service', 'service', '-svc'])
      if (lower.endsWith(suffix) && lower.length > suffix.length)
        byName.set(lower.slice(0, -suffix.length), w);
  }
  for (let len = words.length; len >= 1; len--)
    for (let start = 0; start + len <= words.length; start++) {
      const run = words.slice(start, start + len);
      const found = byName.get(run.join('-')) ?? byName.get(run.join(''));
      if (found) return found;
    }
  return undefined;
}

function flagFindings(cm: ConfigMap, workloads: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    if (typeof text !== 'string') continue;
    const flags = flagsOf(text);
    if (!flags) continue;
    for (const [flag, def] of Object.entries(flags)) {
      const state = typeof def.state === 'string' ? def.state : 'ENABLED';
      const value = def.variants[def.defaultVariant];
      if (state.toUpperCase() !== 'ENABLED' || !isOn(value)) continue;
      const owner = ownerOfFlag(flag, workloads);
      findings.push({
        source: 'kubernetes',
        subject: subjectOf('ConfigMap', cm),
        signal: 'FeatureFlagOn',
        severity: 'warning',
        score: 30,
        summary: clip(
          `feature flag ${flag} is on: variant "${def.defaultVariant}" (${JSON.stringify(value)}) in ConfigMap ${nameOf(cm)} key ${key}${owner ? `; it most plausibly acts on ${owner}` : ''}`,
          500,
        ),
        ...(owner ? { component: owner } : {}),
        attributes: {
          configMap: nameOf(cm),
          key,
          flag,
          variant: def.defaultVariant,
          path: `flags.${flag}.defaultVariant`,
        },
      });
    }
  }
  return findings;
}

/** The TLS requirement a mongod.conf sets, with where it is written. */
export function mongoTlsRequirement(text: string): { path: string; value: string } | undefined {
  let conf: unknown;
  try {
    conf = parse(text);
  } catch {
    return undefined;
  }
  const net = isRecord(conf) ? conf['net'] : undefined;
  if (!isRecord(net)) return undefined;
  const tls = isRecord(net['tls']) ? net['tls']['mode'] : undefined;
  if (tls === 'requireTLS') return { path: 'net.tls.mode', value: tls };
  const ssl = isRecord(net['ssl']) ? net['ssl']['mode'] : undefined;
  if (ssl === 'requireSSL') return { path: 'net.ssl.mode', value: ssl };
  return undefined;
}

/** Workloads whose pod template mounts the ConfigMap. */
function mountersOf(cm: ConfigMap, workloads: readonly Workload[]): string[] {
  const name = nameOf(cm);
  return workloads
    .filter((w) => w.metadata?.namespace === cm.metadata?.namespace)
    .filter((w) =>
      asArray(w.spec?.template?.spec?.volumes).some(
        (v) =>
          v.configMap?.name === name || asArray(v.projected?.sources).some((s) => s.configMap?.name === name),
      ),
    )
    .map(nameOf);
}

function tlsFindings(
  cm: ConfigMap,
  workloads: readonly Workload[],
  handshakes: ReadonlyMap<string, string[]>,
): Finding[] {
  const findings: Finding[] = [];
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    if (typeof text !== 'string' || !key.endsWith('mongod.conf')) continue;
    const requirement = mongoTlsRequirement(text);
    if (!requirement) continue;
    const owner = mountersOf(cm, workloads)[0];
    const seen = owner ? (handshakes.get(`${cm.metadata?.namespace ?? ''}/${owner}`) ?? []) : [];
    findings.push({
      source: 'kubernetes',
      subject: subjectOf('ConfigMap', cm),
      signal: 'TlsRequired',
      severity: seen.length > 0 ? 'error' : 'info',
      score: seen.length > 0 ? 75 : 20,
      summary: clip(
        `MongoDB config ${nameOf(cm)}/${key} sets ${requirement.path}: ${requirement.value}${owner ? ` for ${owner}` : ''}: clients must connect with TLS${seen.length > 0 ? `; mongod turned away ${seen.length} plain connection(s)` : ''}`,
        500,
      ),
      ...(seen.length > 0 ? { excerpt: clip(seen.slice(0, 2).join('\n'), 1200) } : {}),
      ...(owner ? { component: owner } : {}),
      attributes: { configMap: nameOf(cm), key, path: requirement.path, value: requirement.value },
    });
  }
  return findings;
}

/** Lines of each workload's logs that show TLS handshakes failing, keyed `namespace/workload`. */
function handshakeLines(
  logs: readonly PodLog[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const log of logs) {
    const lines = log.text.split('\n').filter((l) => HANDSHAKE.test(l));
    if (lines.length === 0) continue;
    const pod = pods.find((p) => p.metadata?.name === log.pod && p.metadata.namespace === log.namespace);
    if (!pod) continue;
    const key = `${log.namespace}/${ownerOf(pod, replicasets)}`;
    out.set(key, [...(out.get(key) ?? []), ...lines]);
  }
  return out;
}

/** A database script that creates users (MongoDB's createUser), with whether it also grants their roles. */
const CREATES_USER = /\bcreateUser\s*\(/;
const GRANTS_ROLE = /\bgrantRolesToUser\s*\(|\broles\s*:/;

/**
 * UserInitScript (info): a workload mounts a ConfigMap script that creates database users and their roles.
 * A fact, not a fault: it is the mechanism by which restarting that database puts back a user or a role that
 * went missing, which a remedy must see before it proposes that restart.
 */
function userScriptFindings(cm: ConfigMap, workloads: readonly Workload[]): Finding[] {
  const findings: Finding[] = [];
  for (const [key, text] of Object.entries(cm.data ?? {})) {
    if (typeof text !== 'string' || !/\.(sh|js)$/.test(key) || !CREATES_USER.test(text)) continue;
    for (const owner of mountersOf(cm, workloads)) {
      findings.push({
        source: 'kubernetes',
        subject: subjectOf('ConfigMap', cm),
        signal: 'UserInitScript',
        severity: 'info',
        score: 25,
        summary: clip(
          `${owner} mounts ${nameOf(cm)}/${key}, a script that creates its database users${GRANTS_ROLE.test(text) ? ' and their roles' : ''}`,
          500,
        ),
        component: owner,
        attributes: {
          configMap: nameOf(cm),
          key,
          grantsRoles: GRANTS_ROLE.test(text),
        },
      });
    }
  }
  return findings;
}

/** FeatureFlagOn for each flag on in a flag file; TlsRequired for each mongod.conf that requires TLS. */
export function analyzeConfig(
  configmaps: readonly ConfigMap[],
  workloads: readonly Workload[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
  logs: readonly PodLog[],
): Finding[] {
  const handshakes = handshakeLines(logs, pods, replicasets);
  return configmaps.flatMap((cm) => {
    const names = workloads.filter((w) => w.metadata?.namespace === cm.metadata?.namespace).map(nameOf);
    return [
      ...flagFindings(cm, names),
      ...tlsFindings(cm, workloads, handshakes),
      ...userScriptFindings(cm, workloads),
    ];
  });
}

/**
 * A TLS requirement nobody complains about is a fact; once failing clients point at that database, it is
 * the likely cause. Applied after every analyzer (metrics included) has run.
 */
export function correlateTls(findings: Finding[]): Finding[] {
  return findings.map((f) => {
    if (f.signal !== 'TlsRequired' || f.severity === 'error' || !f.component) return f;
    const db = f.component;
    const namespace = f.subject.namespace;
    const clients = findings.filter(
      (o) =>
        o !== f &&
        o.subject.namespace === namespace &&
        (o.severity === 'error' || o.severity === 'critical') &&
        (o.blames ?? []).includes(db) &&
        CONNECT_WORDS.test(`${o.summary}\n${o.excerpt ?? ''}`),
    );
    if (clients.length === 0) return f;
    const who = [...new Set(clients.map((c) => c.component ?? c.subject.name))].sort();
    return {
      ...f,
      severity: 'error',
      score: 75,
      summary: clip(`${f.summary}; failing clients point at ${db}: ${who.join(', ')}`, 500),
    };
  });
}
