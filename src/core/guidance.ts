import { stringify } from 'yaml';
import { z } from 'zod';
import { FaultType } from './aiopslab.js';
import { AoiError } from './errors.js';
import { parseYamlDocument } from './yaml-file.js';

export const GuidanceFrontMatter = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug like "target-port-mismatch"'),
  title: z.string().min(1),
  signals: z.array(z.string().min(1)).min(1).describe('Evidence signals that make this guidance relevant'),
  faultTypes: z.array(FaultType),
  createdFrom: z.array(z.string()).describe('Trajectory ids this guidance was distilled from'),
  version: z.int().min(1),
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
