import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AuditEntry } from '../../core/audit.js';
import { AoiError } from '../../core/errors.js';
import { resolveStateDir, simStateDir, statePaths } from '../../core/state-dir.js';
import type { CliIO } from '../io.js';

interface VerifyOptions {
  file?: string;
  sim?: boolean;
}

interface ShowOptions {
  file?: string;
  sim?: boolean;
  output?: 'text' | 'json';
}

/**
 * The log to read, or undefined when the state dir's log does not exist yet (nothing was ever written: not an
 * error). A --file that does not exist is one: the user named it, so it is likely a typo.
 */
function auditFile(options: { file?: string; sim?: boolean }, io: CliIO): string | undefined {
  const file = options.file ?? defaultAuditFile(options, io);
  if (existsSync(file)) return file;
  if (options.file === undefined) return undefined;
  throw new AoiError('not-found', `${file}: no audit log`, {
    hint: 'check the path; without --file aoi reads <state dir>/audit.jsonl',
  });
}

/** The real clusters' log, or with --sim the one `--sim` runs write (never mixed with the real one). */
function defaultAuditFile(options: { sim?: boolean }, io: CliIO): string {
  const stateDir = resolveStateDir(io.env);
  return statePaths(options.sim ? simStateDir(stateDir) : stateDir).audit;
}

/** The line of the first bad entry: the chain is valid up to it, so it sits where its seq was expected. */
function tamperedLine(seq: number, reason: string): { line: number; note: string } {
  const gap = /^expected seq (\d+), found (\d+)$/.exec(reason);
  if (gap) {
    const expected = Number(gap[1]);
    const found = Number(gap[2]);
    const note =
      found > expected
        ? 'a line before it was deleted, or lines were reordered'
        : 'a line was inserted, or lines were reordered';
    return { line: expected, note };
  }
  const line = /^line (\d+) /.exec(reason);
  if (line) return { line: Number(line[1]), note: 'the line was edited' };
  return {
    line: seq,
    note: reason.startsWith('prevHash')
      ? 'the line before it was replaced, or lines were reordered'
      : 'the line was edited',
  };
}

export async function auditVerify(options: VerifyOptions, io: CliIO): Promise<number> {
  const file = auditFile(options, io);
  if (file === undefined) {
    io.stdout.write(`${defaultAuditFile(options, io)}: no entries (nothing has been applied yet)\n`);
    return 0;
  }
  const { verifyAuditLog } = await import('../../executor/audit-log.js');
  const check = await verifyAuditLog(file);
  if (check.ok) {
    io.stdout.write(
      check.entries === 0
        ? `${file}: no entries\n`
        : `${file}: ok: ${check.entries} entries, hash chain intact\n`,
    );
    return 0;
  }
  const where = tamperedLine(check.seq, check.reason);
  io.stdout.write(
    `${file}: TAMPERED at seq ${check.seq} (line ${where.line}): ${check.reason} (${where.note})\n`,
  );
  return 1;
}

interface ShownEntry {
  line: number;
  seq: number | null;
  at: string | null;
  actor: string | null;
  step: string | null;
  action: string | null;
  target: string | null;
  decision: string | null;
  rule: string | null;
  dryRun: string | null;
  result: string | null;
  error?: string;
}

function describeAction(action: unknown): {
  step: string | null;
  kind: string | null;
  target: string | null;
} {
  const a = (action ?? {}) as { step?: unknown; proposal?: unknown };
  const step = typeof a.step === 'string' ? a.step : null;
  const p = (a.proposal ?? {}) as Record<string, unknown>;
  const kind = typeof p['kind'] === 'string' ? p['kind'] : null;
  let target: string | null = null;
  if (kind === 'kubectl' && Array.isArray(p['argv'])) {
    const argv = (p['argv'] as unknown[]).map(String).join(' ');
    target = argv.length > 80 ? `${argv.slice(0, 79)}…` : argv;
  } else if (typeof p['name'] === 'string') {
    target = `${typeof p['namespace'] === 'string' ? p['namespace'] : '?'}/${p['name']}`;
  }
  return { step, kind, target };
}

function shown(entry: AuditEntry, line: number): ShownEntry {
  const { step, kind, target } = describeAction(entry.action);
  return {
    line,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    step,
    action: kind,
    target,
    decision: entry.decision,
    rule: entry.policyRule,
    dryRun: entry.dryRun ? `${entry.dryRun.ok ? 'ok' : 'failed'}` : null,
    result: entry.result
      ? `${entry.result.status}${entry.result.message ? `: ${entry.result.message}` : ''}`
      : null,
  };
}

function unreadable(line: number, error: string): ShownEntry {
  return {
    line,
    seq: null,
    at: null,
    actor: null,
    step: null,
    action: null,
    target: null,
    decision: null,
    rule: null,
    dryRun: null,
    result: null,
    error,
  };
}

function escapeControls(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 0x20 ? JSON.stringify(c).slice(1, -1) : code === 0x7f ? '\\u007f' : c;
  }
  return out;
}

/** One line per entry, control characters escaped so a hostile message cannot forge lines of its own. */
function textLine(e: ShownEntry): string {
  if (e.error) return `line ${e.line}: ${e.error}`;
  const parts = [
    `#${e.seq ?? '?'}`,
    e.at ?? '?',
    e.actor ?? '?',
    (e.step ?? '-').padEnd(8),
    `${e.action ?? '-'} ${e.target ?? ''}`.trim(),
    `decision=${e.decision ?? '?'}`,
    `rule=${e.rule ?? 'default'}`,
    `dryRun=${e.dryRun ?? '-'}`,
    `result=${e.result ?? '-'}`,
  ];
  return escapeControls(parts.join('  '));
}

export async function auditShow(options: ShowOptions, io: CliIO): Promise<number> {
  const file = auditFile(options, io);
  const lines = file === undefined ? [] : (await readFile(file, 'utf8')).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const { AuditEntry } = await import('../../core/audit.js');
  const entries = lines.map((text, index) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return unreadable(index + 1, 'not JSON');
    }
    const parsed = AuditEntry.safeParse(value);
    return parsed.success ? shown(parsed.data, index + 1) : unreadable(index + 1, 'not an audit entry');
  });
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  } else {
    for (const entry of entries) io.stdout.write(`${textLine(entry)}\n`);
    io.stdout.write(
      entries.length === 0
        ? `${file ?? defaultAuditFile(options, io)}: no entries\n`
        : `${file}: ${entries.length} entries (run \`aoi audit verify\` to check the chain)\n`,
    );
  }
  return entries.some((e) => e.error) ? 1 : 0;
}

export function registerAudit(program: Command, io: CliIO): void {
  const audit = program.command('audit').description('Inspect the executor audit log');
  audit
    .command('verify')
    .description('Check the hash chain of the audit log (exit 1 when tampered)')
    .option('--file <path>', 'audit log (default: <state dir>/audit.jsonl)')
    .option('--sim', 'the log of --sim runs (<state dir>/sim/audit.jsonl)')
    .action(async (options: VerifyOptions) => {
      process.exitCode = await auditVerify(options, io);
    });
  audit
    .command('show')
    .description(
      'Print the audit log: seq, time, actor, step, action and target, decision, rule, dry run, result',
    )
    .option('--file <path>', 'audit log (default: <state dir>/audit.jsonl)')
    .option('--sim', 'the log of --sim runs (<state dir>/sim/audit.jsonl)')
    .addOption(new Option('--output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (options: ShowOptions) => {
      process.exitCode = await auditShow(options, io);
    });
}
