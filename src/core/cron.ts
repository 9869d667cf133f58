/**
 * The 5-field cron syntax a CronJob's `spec.schedule` uses (minute hour day-of-month month day-of-week, as
 * robfig/cron's ParseStandard reads it for the Kubernetes CronJob controller), in UTC: `*`, numbers, ranges
 * `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`, month and weekday names, 7 for Sunday, and the descriptors
 * @yearly @annually @monthly @weekly @daily @midnight @hourly. Day-of-month and day-of-week are OR-ed when
 * both are restricted, as in cron(8) and robfig/cron. `@every`, `TZ=` prefixes and `?` are not supported.
 */

export interface CronSchedule {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Whether the day-of-month / day-of-week field was `*` (robfig/cron's star bit). */
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
}

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** The first name's value (1 for months, 0 for weekdays). */
  nameBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

export class CronError extends Error {}

function value(word: string, field: FieldSpec): number {
  const named = field.names?.indexOf(word.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field.nameBase ?? 0);
  if (!/^\d+$/.test(word)) throw new CronError(`failed to parse int from ${word}: ${field.name}`);
  const n = Number(word);
  if (n < field.min || n > field.max)
    throw new CronError(`${field.name} ${n} is out of range [${field.min}, ${field.max}]`);
  return n;
}

function parseField(text: string, field: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`bad step in ${field.name}: ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [field.min, field.max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [value(a, field), value(b, field)];
    } else {
      lo = value(range, field);
      hi = stepText === undefined ? lo : field.max;
    }
    if (lo > hi) throw new CronError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(schedule: string): CronSchedule {
  const source = schedule.trim();
  const expanded = DESCRIPTORS[source.toLowerCase()] ?? source;
  const words = expanded.split(/\s+/);
  if (words.length !== 5) throw new CronError(`expected exactly 5 fields, found ${words.length}: ${source}`);
  const [minutes, hours, days, months, weekdays] = words.map((w, i) => parseField(w, FIELDS[i]!));
  // 7 is Sunday too.
  if (weekdays!.delete(7)) weekdays!.add(0);
  return {
    source,
    minutes: minutes!,
    hours: hours!,
    days: days!,
    months: months!,
    weekdays: weekdays!,
    anyDay: words[2]!.startsWith('*'),
    anyWeekday: words[4]!.startsWith('*'),
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.anyDay || s.anyWeekday) return dom && dow;
  return dom || dow;
}

const MINUTE = 60_000;
/** Five years of days: a schedule that never fires (e.g. 30 February) ends the search. */
const MAX_STEPS = 5 * 366 * 24 * 60;

/** The first time strictly after `after` (ms since the epoch) the schedule fires, or undefined if never. */
export function nextRun(s: CronSchedule, after: number): number | undefined {
  const d = new Date(Math.floor(after / MINUTE) * MINUTE + MINUTE);
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (!s.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!s.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!s.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
    } else return d.getTime();
  }
  return undefined;
}

/**
 * The most recent scheduled time in (earliest, now] and how many there were, as the CronJob controller
 * counts them (pkg/controller/cronjob/utils.go getMostRecentScheduleTime): from the first two times after
 * `earliest` it assumes an even period, so a count over uneven schedules is an estimate, as there.
 */
export function mostRecentRun(
  s: CronSchedule,
  earliest: number,
  now: number,
): { at: number; missed: number } | undefined {
  const t1 = nextRun(s, earliest);
  if (t1 === undefined || now < t1) return undefined;
  const t2 = nextRun(s, t1);
  if (t2 === undefined || now < t2) return { at: t1, missed: 1 };
  const period = Math.round((t2 - t1) / 1000) * 1000;
  const missed = Math.floor((now - t1) / period) + 1;
  return { at: t1 + (missed - 1) * period, missed };
}
