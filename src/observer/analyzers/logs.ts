import type { Subject } from '../../core/evidence.js';
import type { LogTemplate } from '../log-templates.js';
import { errorTemplates } from '../log-templates.js';
import type { Pod, Service, Workload } from '../k8s-types.js';
import { byNamespace, nameOf } from '../k8s-types.js';
import type { PodLog } from '../snapshot.js';
import type { Finding } from './finding.js';
import { clip, ownerOf, subjectOf } from './finding.js';

const AUTH =
  /not authori[sz]ed|authentication failed|authorization failed|unauthori[sz]ed|SASL|auth(?:entication)? error|permission denied|access denied/i;
/** Words in an error line that point at the caller's own datastore, and the Service names that match each. */
const STORES: [RegExp, RegExp][] = [
  [/mongo|database|\bdb\b|-db\b|no reachable servers/i, /mongo|-db\b|^db-/i],
  [/redis/i, /redis/i],
  [/memcache/i, /memcache/i],
];
const DATASTORE = /mongo|redis|memcache|-db\b|^db-/i;
/** A resolver's answer for a name that does not exist (Go, glibc, Node, .NET, Java wordings). */
const NO_SUCH_HOST =
  /lookup ([\w.-]+?)(?:\.[\w-]+\.svc[\w.]*)? on [\d.:[\]a-f]+: no such host|getaddrinfo(?: ENOTFOUND)? ([\w.-]+)|UnknownHostException: ([\w.-]+)|Name or service not known \(([\w.-]+)/;
/** A template repeated this often is a failure, not background noise. */
const REPEATED = 5;

interface Target {
  namespace: string | undefined;
  component: string;
  pattern: RegExp;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names and addresses a log line may use for another component: Service names, cluster IPs, pod IPs. */
function targetsOf(
  services: readonly Service[],
  pods: readonly Pod[],
  replicasets: readonly Workload[],
): Target[] {
  const targets: Target[] = [];
  for (const s of services) {
    const name = nameOf(s);
    const namespace = s.metadata?.namespace;
    targets.push({ namespace, component: name, pattern: new RegExp(`(?<![\\w-])${escape(name)}(?![\\w-])`) });
    const ip = s.spec?.clusterIP;
    if (ip && ip !== 'None')
      targets.push({ namespace, component: name, pattern: new RegExp(`(?<![\\d.])${escape(ip)}(?![\\d])`) });
  }
  for (const p of pods) {
    const ip = p.status?.podIP;
    if (ip)
      targets.push({
        namespace: p.metadata?.namespace,
        component: ownerOf(p, replicasets),
        pattern: new RegExp(`(?<![\\d.])${escape(ip)}(?![\\d])`),
      });
  }
  return targets;
}

/** Which components the error lines of `component` point at (by name or address, or its own datastore). */
export function blamedBy(
  component: string,
  namespace: string | undefined,
  lines: string[],
  allTargets: readonly Target[],
  allServices: readonly Service[],
): string[] {
  const blamed = new Set<string>();
  const targets = allTargets.filter((t) => t.namespace === namespace);
  const services = allServices.filter((s) => s.metadata?.namespace === namespace);
  for (const line of lines) {
    for (const t of targets) if (t.component !== component && t.pattern.test(line)) blamed.add(t.component);
    const base = component.replace(/-service$/, '');
    for (const [words, names] of STORES) {
      if (!words.test(line)) continue;
      for (const s of services) {
        const name = nameOf(s);
        if (name !== component && name.includes(base) && names.test(name)) blamed.add(name);
      }
    }
  }
  return [...blamed];
}

function describe(templates: LogTemplate[]): string {
  return clip(templates.map((t) => `${t.count}× ${t.example}`).join('\n'), 1200);
}

/**
 * A caller that dials a host name no Service or workload of its namespace has: its own address setting is
 * wrong (the callee it meant may be perfectly healthy).
 */
function unknownHost(
  lines: readonly string[],
  known: ReadonlySet<string>,
): { host: string; line: string; count: number } | undefined {
  let found: { host: string; line: string; count: number } | undefined;
  for (const line of lines) {
    const m = NO_SUCH_HOST.exec(line);
    const host = m?.slice(1).find((g) => g !== undefined);
    if (!host) continue;
    const first = host.split('.')[0]!.toLowerCase();
    if (known.has(first) || /^\d/.test(first)) continue;
    if (found?.host === host) found.count++;
    else found ??= { host, line, count: 1 };
  }
  return found;
}

/** Error lines of each pod's logs (current and previous instance) as counted templates, with whom they blame. */
export function analyzeLogs(
  logs: readonly PodLog[],
  pods: readonly Pod[],
  services: readonly Service[],
  replicasets: readonly Workload[],
): Finding[] {
  // Targets are only ever matched within the logging pod's namespace: build them for those namespaces only.
  const logged = new Set(logs.map((l) => l.namespace));
  const inLogged = (o: Service | Pod) => logged.has(o.metadata?.namespace ?? '');
  const targets = targetsOf(services.filter(inLogged), pods.filter(inLogged), replicasets);
  const servicesIn = byNamespace(services);
  const podsIn = byNamespace(pods);
  const podByKey = new Map<string, Pod>();
  for (const p of pods) {
    const key = `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    if (!podByKey.has(key)) podByKey.set(key, p);
  }
  const findings: Finding[] = [];
  const byPod = new Map<string, PodLog[]>();
  for (const log of logs) {
    const key = `${log.namespace}/${log.pod}`;
    byPod.set(key, [...(byPod.get(key) ?? []), log]);
  }
  for (const [key, podLogs] of byPod) {
    const pod = podByKey.get(key);
    if (!pod) continue;
    const component = ownerOf(pod, replicasets);
    const subject: Subject = subjectOf('Pod', pod);
    const templates = podLogs.flatMap((l) =>
      errorTemplates(l.text, 6).map((t) => ({ ...t, previous: l.previous })),
    );
    const known = new Set(
      [
        ...(servicesIn.get(subject.namespace) ?? []).map(nameOf),
        ...(podsIn.get(subject.namespace) ?? []).map((p) => ownerOf(p, replicasets)),
      ].map((n) => n.toLowerCase()),
    );
    const dns = unknownHost(
      templates.filter((t) => t.level === 'error').map((t) => t.example),
      known,
    );
    if (dns)
      findings.push({
        source: 'logs',
        subject,
        component,
        signal: 'UnknownHost',
        severity: 'error',
        score: 60,
        summary: clip(
          `${subject.name} dials host "${dns.host}", which no Service or workload in its namespace is called: its own address configuration is wrong`,
          500,
        ),
        excerpt: clip(dns.line, 1200),
        attributes: { host: dns.host },
        // Whom the line says it was calling: a caller that only relays this error names the real dialer.
        blames: blamedBy(component, subject.namespace, [dns.line], targets, services),
      });
    const authLines = podLogs.flatMap((l) => l.text.split('\n').filter((line) => AUTH.test(line)));
    if (templates.length === 0 && authLines.length === 0) continue;
    templates.sort((a, b) => b.count - a.count);
    const lines = [...templates.flatMap((t) => [t.example, t.template]), ...authLines.slice(0, 20)];
    // A datastore answers its clients; names in its logs are callers, not dependencies.
    const blames = DATASTORE.test(component)
      ? []
      : blamedBy(component, subject.namespace, lines, targets, services);
    const crashed = templates.some((t) => t.previous && t.level === 'error');
    const repeated = templates.some((t) => t.count >= REPEATED && t.level === 'error');
    const total = templates.reduce((n, t) => n + t.count, 0);
    const auth = authLines.length > 0;
    const excerpt =
      auth && templates.length === 0
        ? clip(authLines.slice(0, 3).join('\n'), 1200)
        : describe(templates.slice(0, 5));
    findings.push({
      source: 'logs',
      subject,
      component,
      signal: auth ? 'AuthErrors' : 'ErrorLogs',
      severity: auth || crashed || repeated ? 'error' : 'warning',
      score: auth ? 82 : crashed ? 50 : repeated ? 40 : 15,
      summary: clip(
        `${subject.name} logged ${auth ? `${authLines.length} authentication/authorization failures and ` : ''}${total} error/warning lines in ${templates.length} templates${blames.length > 0 ? `; they name ${blames.join(', ')}` : ''}`,
        500,
      ),
      excerpt,
      ...(blames.length > 0 ? { blames } : {}),
    });
  }
  return relayedDnsDropped(findings);
}

/** An UnknownHost whose line names another component reporting the same host was relayed, not dialled. */
function relayedDnsDropped(findings: Finding[]): Finding[] {
  const dialers = new Set(
    findings
      .filter((f) => f.signal === 'UnknownHost')
      .map((f) => `${f.subject.namespace ?? ''}/${f.component ?? ''}/${String(f.attributes?.['host'])}`),
  );
  return findings.flatMap((f) => {
    if (f.signal !== 'UnknownHost') return [f];
    const host = String(f.attributes?.['host']);
    const relayed = (f.blames ?? []).some((b) => dialers.has(`${f.subject.namespace ?? ''}/${b}/${host}`));
    const { blames: _blames, ...own } = f;
    return relayed ? [] : [own];
  });
}
