/**
 * Container logs, generated lazily: an instance keeps its explicit lines (startup, errors, exit) and a set of
 * steady-state templates; steady lines are produced on read at deterministic times, so a ten-thousand-pod
 * cluster costs nothing until someone reads a log.
 */
export interface LogLine {
  at: number;
  text: string;
}

/**
 * What a running container prints at one steady tick, decided when the log is read: lines (e.g. errors
 * derived from the health model at `at`), or undefined to print the usual steady template. Must be a pure
 * function of `at`, so that reading a log twice gives the same text.
 */
export type DynamicLogSource = (at: number) => string[] | undefined;

export interface ContainerInstance {
  startedAt: number;
  finishedAt?: number;
  lines: LogLine[];
  steady: string[];
  /** Mean interval between steady lines. */
  steadyEveryMs: number;
  seed: number;
  /** Consulted at each steady tick when the log is read; see DynamicLogSource. */
  dynamic?: DynamicLogSource;
}

export interface LogQuery {
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/** The most lines one instance keeps or generates; a real kubelet rotates logs too. */
const MAX_LINES = 20_000;

export class LogStore {
  private readonly instances = new Map<string, ContainerInstance[]>();

  start(
    podUid: string,
    container: string,
    instance: Omit<ContainerInstance, 'lines'> & { lines?: LogLine[] },
  ): void {
    const key = `${podUid}/${container}`;
    const list = this.instances.get(key) ?? [];
    list.push({ ...instance, lines: instance.lines ?? [] });
    // Kubernetes keeps the current and the previous instance only.
    if (list.length > 2) list.splice(0, list.length - 2);
    this.instances.set(key, list);
  }

  append(podUid: string, container: string, line: LogLine): void {
    const current = this.current(podUid, container);
    if (!current) return;
    current.lines.push(line);
    if (current.lines.length > MAX_LINES) current.lines.splice(0, current.lines.length - MAX_LINES);
  }

  finish(podUid: string, container: string, at: number): void {
    const current = this.current(podUid, container);
    if (current) current.finishedAt = at;
  }

  current(podUid: string, container: string): ContainerInstance | undefined {
    return this.instances.get(`${podUid}/${container}`)?.at(-1);
  }

  previous(podUid: string, container: string): ContainerInstance | undefined {
    const list = this.instances.get(`${podUid}/${container}`) ?? [];
    return list.length >= 2 ? list[list.length - 2] : undefined;
  }

  forget(podUid: string): void {
    for (const key of [...this.instances.keys()])
      if (key.startsWith(`${podUid}/`)) this.instances.delete(key);
  }

  render(
    instance: ContainerInstance,
    now: number,
    query: LogQuery,
    substitute: (text: string, at: number) => string,
  ): string {
    const end = instance.finishedAt ?? now;
    const since = query.sinceSeconds !== undefined ? now - query.sinceSeconds * 1000 : -Infinity;
    const lines = [...instance.lines, ...steadyLines(instance, end)].filter(
      (l) => l.at >= since && l.at <= end,
    );
    lines.sort((a, b) => a.at - b.at);
    let selected = lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines;
    if (query.tailLines !== undefined)
      selected = query.tailLines <= 0 ? [] : selected.slice(-query.tailLines);
    let out = selected
      .map((l) => {
        const text = substitute(l.text, l.at);
        return query.timestamps
          ? `${new Date(l.at).toISOString().replace('Z', '000000Z')} ${text}\n`
          : `${text}\n`;
      })
      .join('');
    if (query.limitBytes !== undefined && Buffer.byteLength(out) > query.limitBytes) {
      out = Buffer.from(out).subarray(0, query.limitBytes).toString('utf8');
    }
    return out;
  }
}

function steadyLines(instance: ContainerInstance, end: number): LogLine[] {
  const dynamic = instance.dynamic;
  if ((instance.steady.length === 0 && !dynamic) || instance.steadyEveryMs <= 0) return [];
  const first = instance.startedAt + instance.steadyEveryMs;
  const count = Math.max(0, Math.floor((end - first) / instance.steadyEveryMs) + 1);
  const skip = Math.max(0, count - MAX_LINES);
  const out: LogLine[] = [];
  for (let i = skip; i < count; i++) {
    const jitter =
      hash32(instance.seed ^ (i * 2654435761)) % Math.max(1, Math.floor(instance.steadyEveryMs / 2));
    const at = first + i * instance.steadyEveryMs + jitter;
    const lines = dynamic?.(at);
    if (lines) {
      lines.forEach((text, k) => out.push({ at: at + k, text }));
      continue;
    }
    if (instance.steady.length === 0) continue;
    const pick = hash32(instance.seed + i) % instance.steady.length;
    out.push({ at, text: instance.steady[pick]! });
  }
  return out;
}

function hash32(n: number): number {
  let x = n | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}
