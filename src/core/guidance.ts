import { stringify } from 'yaml';
import { z } from 'zod';
import { FaultType, SystemLevel } from './aiopslab.js';
import { AoiError } from './errors.js';
import { parseYamlDocument } from './yaml-file.js';

export const GuidanceStatus = z.enum(['candidate', 'promoted', 'retired']);
export type GuidanceStatus = z.infer<typeof GuidanceStatus>;

const Signals = z.array(z.string().min(1).max(64)).min(1).max(12);

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

/** Machine-readable advice both backends use; hints speak of evidence (signals, log text), never of problems. */
export const GuidanceHint = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('classify'),
    signals: Signals.describe('All of these signals on the root component make the hint apply'),
    logPattern: z
      .string()
      .min(1)
      .max(200)
      .refine(isRegExp, 'must be a valid regular expression')
      .optional()
      .describe('Case-insensitive pattern that must match the root evidence summary or excerpt'),
    systemLevel: SystemLevel,
    faultType: FaultType,
    label: z.string().min(1).max(120).optional(),
  }),
  z.strictObject({
    kind: z.literal('preferCallee'),
    signals: Signals.describe('When the chosen root shows these and blames a callee, the callee is the root'),
  }),
  z.strictObject({
    kind: z.literal('preferCaller'),
    signals: Signals.describe('When a caller of the chosen root shows these, the caller is the root'),
  }),
  z.strictObject({ kind: z.literal('check'), text: z.string().min(1).max(300) }),
]);
export type GuidanceHint = z.infer<typeof GuidanceHint>;

/** Success on a split: how many problems, how many solved. */
export const SplitFigures = z.strictObject({
  problems: z.int().min(0),
  before: z.int().min(0).describe('Problems solved without this guidance'),
  after: z.int().min(0).optional().describe('Problems solved with it'),
  regressions: z.int().min(0).optional(),
});
export type SplitFigures = z.infer<typeof SplitFigures>;

export const GuidanceFrontMatter = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug like "target-port-mismatch"'),
  title: z.string().min(1),
  signals: z.array(z.string().min(1)).min(1).describe('Evidence signals that make this guidance relevant'),
  faultTypes: z.array(FaultType),
  createdFrom: z.array(z.string()).describe('Trajectory ids this guidance was distilled from'),
  version: z.int().min(1),
  /** Absent in hand-written files, which count as promoted. */
  status: GuidanceStatus.optional(),
  support: SplitFigures.optional(),
  query: SplitFigures.optional(),
  hints: z.array(GuidanceHint).max(10).optional(),
  promotedAt: z.iso.datetime().optional().describe('When aoi evolve promoted it'),
  lastHelped: z.iso.datetime().optional().describe('Last time it turned a wrong answer into a right one'),
  retiredAt: z.iso.datetime().optional(),
  retiredReason: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Why it was retired (by a person or aoi evolve)'),
});
export type GuidanceFrontMatter = z.infer<typeof GuidanceFrontMatter>;

export interface Guidance {
  frontMatter: GuidanceFrontMatter;
  body: string;
}

const FENCE = '---';

/** Split `---\n<yaml>\n---\n<body>` and validate the front matter. */
export function parseGuidance(text: string, file: string): Guidance {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[0] !== FENCE) {
    throw new AoiError('config', `${file}: guidance must start with a "---" front matter line`);
  }
  const close = lines.indexOf(FENCE, 1);
  if (close === -1) {
    throw new AoiError('config', `${file}: front matter has no closing "---" line`);
  }
  // The leading blank line stands in for the opening fence, so YAML error line numbers match the file.
  const yaml = ['', ...lines.slice(1, close)].join('\n');
  const frontMatter = parseYamlDocument(yaml, GuidanceFrontMatter, file);
  return { frontMatter, body: lines.slice(close + 1).join('\n') };
}

export function renderGuidance(guidance: Guidance): string {
  const yaml = stringify(GuidanceFrontMatter.parse(guidance.frontMatter), { lineWidth: 0 });
  return `${FENCE}\n${yaml}${FENCE}\n${guidance.body}`;
}
