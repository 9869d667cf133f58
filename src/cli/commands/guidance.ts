import type { Command } from 'commander';
import { AoiError } from '../../core/errors.js';
import type { GuidanceFile } from '../../evolver/guidance-files.js';
import type { GuidanceUsage } from '../../evolver/usage.js';
import type { CliIO } from '../io.js';
import type { GuidanceCliOptions } from './guidance-library.js';
import { load } from './guidance-library.js';
import { textTable } from '../../core/text-table.js';

export type { GuidanceCliOptions } from './guidance-library.js';

interface Reviewed {
  file: GuidanceFile;
  usage: GuidanceUsage;
}

const figures = (f?: { problems: number; before: number; after?: number | undefined }) =>
  f ? `${f.before}${f.after === undefined ? '' : `->${f.after}`}/${f.problems}` : '-';

function summary({ file, usage }: Reviewed) {
  const fm = file.guidance.frontMatter;
  return {
    id: fm.id,
    file: file.file,
    status: fm.status ?? 'promoted',
    version: fm.version,
    title: fm.title,
    edited: file.edited,
    support: fm.support ?? null,
    query: fm.query ?? null,
    createdFrom: fm.createdFrom,
    usedIn: usage.used,
    labelledWrong: usage.contradicted,
    labelledRight: usage.confirmed,
    flagged: usage.contradicted.length > 0 && (fm.status ?? 'promoted') === 'promoted',
    lastHelped: usage.lastHelped ?? null,
    ...(fm.promotedAt ? { promotedAt: fm.promotedAt } : {}),
    ...(fm.retiredReason ? { retiredAt: fm.retiredAt, retiredReason: fm.retiredReason } : {}),
  };
}

export async function guidanceList(options: GuidanceCliOptions, io: CliIO): Promise<number> {
  const { reviewed, dir } = await load(options, io);
  const rows = reviewed.map(summary);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stdout.write(`no guidance under ${dir} (aoi evolve writes it)\n`);
    return 0;
  }
  const lines = [['ID', 'STATUS', 'V', 'SUPPORT', 'QUERY', 'FROM', 'USED', 'WRONG', 'LAST HELPED', 'EDITED']];
  for (const r of rows)
    lines.push([
      r.id,
      `${r.status}${r.flagged ? '!' : ''}`,
      String(r.version),
      figures(r.support ?? undefined),
      figures(r.query ?? undefined),
      String(r.createdFrom.length),
      String(r.usedIn.length),
      String(r.labelledWrong.length),
      r.lastHelped?.slice(0, 16) ?? '-',
      r.edited ? 'yes' : '-',
    ]);
  io.stdout.write(`${textTable(lines)}\n`);
  if (rows.some((r) => r.flagged))
    io.stdout.write(
      '!: used in runs later labelled wrong; aoi evolve retires it at --retire-after such runs\n',
    );
  return 0;
}

export async function guidanceShow(id: string, options: GuidanceCliOptions, io: CliIO): Promise<number> {
  const { reviewed } = await load(options, io);
  const { findGuidance } = await import('../../evolver/review.js');
  const file = findGuidance(
    reviewed.map((r) => r.file),
    id,
  );
  const r = summary(reviewed.find((x) => x.file === file)!);
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ ...r, frontMatter: file.guidance.frontMatter, body: file.guidance.body }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [
    `id:          ${r.id} (${r.file}, version ${r.version}${r.edited ? ', edited by hand' : ''})`,
    `title:       ${r.title}`,
    `status:      ${r.status}${r.flagged ? ' (flagged: used in runs later labelled wrong)' : ''}${r.retiredReason ? ` — ${r.retiredReason} (${r.retiredAt})` : ''}`,
    `support:     ${figures(r.support ?? undefined)}`,
    `query:       ${figures(r.query ?? undefined)}${r.query?.regressions ? `, ${r.query.regressions} regression(s)` : ''}`,
    `from runs:   ${r.createdFrom.join(', ') || '-'}`,
    `used in:     ${r.usedIn.join(', ') || '-'}`,
    `labelled wrong since promoted: ${r.labelledWrong.join(', ') || '-'}`,
    `last helped: ${r.lastHelped ?? '-'}`,
    `hints:       ${(file.guidance.frontMatter.hints ?? []).map((h) => JSON.stringify(h)).join('\n             ') || '-'}`,
    '',
    file.guidance.body.trim(),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function guidanceDiff(
  id: string,
  other: string | undefined,
  options: GuidanceCliOptions,
  io: CliIO,
): Promise<number> {
  const { files } = await load(options, io);
  const [{ findGuidance, priorVersion, lineDiff }, { readFile }] = await Promise.all([
    import('../../evolver/review.js'),
    import('node:fs/promises'),
  ]);
  const after = findGuidance(files, id);
  const before = other === undefined ? priorVersion(files, after) : findGuidance(files, other);
  if (!before)
    throw new AoiError('not-found', `guidance ${after.guidance.frontMatter.id} has no earlier version`, {
      hint: 'Name the file to compare with: aoi guidance diff A B.',
    });
  const [a, b] = await Promise.all([readFile(before.path, 'utf8'), readFile(after.path, 'utf8')]);
  const diff = lineDiff(a, b);
  io.stdout.write(`--- ${before.file}\n+++ ${after.file}\n${diff.join('\n')}\n`);
  // As diff(1): 1 when the files differ.
  return diff.some((l) => !l.startsWith('  ')) ? 1 : 0;
}

export async function guidanceRetire(id: string, options: GuidanceCliOptions, io: CliIO): Promise<number> {
  const { files, dir } = await load(options, io);
  const { findGuidance, retireByHand } = await import('../../evolver/review.js');
  const file = findGuidance(files, id);
  const reason = options.reason ?? `retired by ${io.env['AOI_USER'] ?? 'hand'}`;
  await retireByHand(dir, file, reason, (options.now ?? (() => new Date()))());
  io.stdout.write(`retired ${file.file}: ${reason}\n`);
  return 0;
}

export async function guidanceRestore(id: string, options: GuidanceCliOptions, io: CliIO): Promise<number> {
  const { files, dir } = await load(options, io);
  const { findGuidance, restoreByHand } = await import('../../evolver/review.js');
  const file = findGuidance(files, id);
  await restoreByHand(dir, file, (options.now ?? (() => new Date()))());
  io.stdout.write(`restored ${file.file}: promoted again (runs labelled wrong count from now)\n`);
  return 0;
}

export function registerGuidance(program: Command, io: CliIO): void {
  const guidance = program
    .command('guidance')
    .description('Review the guidance library: status, figures, source runs, retire and restore')
    .addHelpText('after', '\nExamples:\n  aoi guidance list\n  aoi guidance show target-port-mismatch\n');
  const common = (c: Command, example: string) =>
    c
      .option('--state-dir <dir>', 'where trajectories and guidance live')
      .option('--dir <dir>', 'the guidance library (default: <state dir>/guidance)')
      .addHelpText('after', `\nExample:\n  ${example}\n`);
  common(
    guidance
      .command('list')
      .description(
        'One line per guidance file: status (! = flagged), support/query figures, runs, last helped',
      ),
    'aoi guidance list --json',
  )
    .option('--json', 'print JSON')
    .action(async (options: GuidanceCliOptions) => {
      process.exitCode = await guidanceList(options, io);
    });
  common(
    guidance.command('show').description('One guidance file in detail').argument('<id>', 'guidance id'),
    'aoi guidance show wrong-fault-type-autherrors-network-storage-issue',
  )
    .option('--json', 'print JSON')
    .action(async (id: string, options: GuidanceCliOptions) => {
      process.exitCode = await guidanceShow(id, options, io);
    });
  common(
    guidance
      .command('diff')
      .description(
        'Line diff of a guidance file against its earlier version (or another file); exit 1 when they differ',
      )
      .argument('<id>', 'guidance id')
      .argument('[other]', 'the file to compare with (default: the earlier version)'),
    'aoi guidance diff wrong-fault-type-autherrors-network-storage-issue-v2',
  ).action(async (id: string, other: string | undefined, options: GuidanceCliOptions) => {
    process.exitCode = await guidanceDiff(id, other, options, io);
  });
  common(
    guidance
      .command('retire')
      .description('Stop using a guidance file; the reason goes into its front matter')
      .argument('<id>', 'guidance id'),
    "aoi guidance retire target-port-mismatch --reason 'misleads on istio clusters'",
  )
    .option('--reason <text>', 'why it is retired')
    .action(async (id: string, options: GuidanceCliOptions) => {
      process.exitCode = await guidanceRetire(id, options, io);
    });
  common(
    guidance
      .command('restore')
      .description('Use a retired (or candidate) guidance file again')
      .argument('<id>', 'guidance id'),
    'aoi guidance restore target-port-mismatch',
  ).action(async (id: string, options: GuidanceCliOptions) => {
    process.exitCode = await guidanceRestore(id, options, io);
  });
  common(
    guidance
      .command('export')
      .description('Pack the library into a .tar.gz with a manifest of sha256 hashes, to share it')
      .argument('<file>', 'the archive to write'),
    'aoi guidance export team-guidance.tar.gz',
  ).action(async (file: string, options: GuidanceCliOptions) => {
    process.exitCode = await (await import('./guidance-share.js')).guidanceExport(file, options, io);
  });
  common(
    guidance
      .command('import')
      .description(
        'Add or update guidance from an exported archive (hashes checked); a file edited here is never overwritten (exit 1)',
      )
      .argument('<file>', 'the archive to read'),
    'aoi guidance import team-guidance.tar.gz',
  )
    .option('--json', 'print JSON')
    .action(async (file: string, options: GuidanceCliOptions) => {
      process.exitCode = await (await import('./guidance-share.js')).guidanceImport(file, options, io);
    });
}
