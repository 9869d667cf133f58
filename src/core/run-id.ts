import { randomBytes } from 'node:crypto';

/** A sortable, file-name-safe run id: the UTC time and six random hex digits. */
export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}
