/**
 * Standard five-field cron expressions (minute hour day-of-month month
 * day-of-week), parsed into the sets of values each field allows: the one
 * parser of the scheduler and the schedule editor (no Node imports).
 *
 * Syntax per field: `*`, a value, a range `a-b`, a step `*\/n`, `a-b/n` or
 * `a/n` (from a to the field's end), and comma-separated lists of these.
 * Months accept jan…dec and days sun…sat (case-insensitive); day-of-week 7 is
 * Sunday, as 0. As in standard cron, when both day-of-month and day-of-week
 * are restricted (neither starts with `*`), a day matches if EITHER matches.
 */
export interface CronSpec {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: ReadonlySet<number>;
  /** The field starts with `*`: it does not restrict days (the OR rule does not apply). */
  domStar: boolean;
  dowStar: boolean;
}

export interface CronField {
  name: 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';
  min: number;
  max: number;
  names?: readonly string[];
  /** The number of names[0]. */
  namesFrom?: number;
}

/** What is wrong with one item of a field ('1-5/2' in '0,1-5/2'). */
export type CronItemProblem =
  | { kind: 'empty-item' }
  | { kind: 'slashes' }
  | { kind: 'step'; step: string }
  | { kind: 'range-shape'; range: string }
  | { kind: 'not-a-value'; value: string }
  | { kind: 'out-of-range'; value: number }
  | { kind: 'backwards'; range: string };

/** Why an expression was refused; each side words it for its readers (see CronSyntaxError). */
export type CronProblem =
  | { kind: 'field-count'; count: number }
  | { kind: 'field'; field: CronField; text: string; item: string; problem: CronItemProblem }
  | { kind: 'never-in-month'; dayOfMonth: string; month: string };

export class CronSyntaxError extends Error {
  readonly problem: CronProblem;
  constructor(problem: CronProblem) {
    super(`invalid cron expression (${problem.kind})`);
    this.name = 'CronSyntaxError';
    this.problem = problem;
  }
}

export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], namesFrom: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], namesFrom: 0 },
];

/** Most days a month can have (February: 29). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseValue(def: CronField, fail: (p: CronItemProblem) => never, raw: string): number {
  const at = def.names?.indexOf(raw.toLowerCase()) ?? -1;
  if (at >= 0) return at + def.namesFrom!;
  if (!/^\d+$/.test(raw)) fail({ kind: 'not-a-value', value: raw });
  const n = Number(raw);
  if (n < def.min || n > def.max) fail({ kind: 'out-of-range', value: n });
  return n;
}

function parseField(def: CronField, text: string): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const fail = (problem: CronItemProblem): never => {
      throw new CronSyntaxError({ kind: 'field', field: def, text, item, problem });
    };
    if (!item) fail({ kind: 'empty-item' });
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined) fail({ kind: 'slashes' });
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) fail({ kind: 'step', step: stepPart });
      step = Number(stepPart);
    }
    let from: number;
    let to: number;
    // Open-ended day-of-week ('*', 'a/n') stops at Saturday: 7 is only another name for Sunday.
    const end = def.name === 'day-of-week' ? 6 : def.max;
    if (rangePart === '*') {
      from = def.min;
      to = end;
    } else {
      const bounds = rangePart!.split('-');
      if (bounds.length > 2 || bounds.some((b) => !b)) fail({ kind: 'range-shape', range: rangePart! });
      from = parseValue(def, fail, bounds[0]!);
      to = bounds.length === 2 ? parseValue(def, fail, bounds[1]!) : stepPart !== undefined ? Math.max(end, from) : from;
      if (from > to) fail({ kind: 'backwards', range: bounds.join('-') });
    }
    for (let v = from; v <= to; v += step) values.add(def.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses a cron expression; throws a CronSyntaxError saying which field is wrong and how. */
export function parseCronSpec(expression: string): CronSpec {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new CronSyntaxError({ kind: 'field-count', count: fields.length });
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((f, i) => parseField(CRON_FIELDS[i]!, f)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const spec: CronSpec = { minutes, hours, daysOfMonth, months, daysOfWeek, domStar: fields[2]!.startsWith('*'), dowStar: fields[4]!.startsWith('*') };
  // Only day-of-month decides the day (day-of-week is '*'): it must fall in at least one allowed month.
  if (spec.dowStar && !spec.domStar && ![...months].some((m) => [...daysOfMonth].some((d) => d <= MONTH_DAYS[m - 1]!))) {
    throw new CronSyntaxError({ kind: 'never-in-month', dayOfMonth: fields[2]!, month: fields[3]! });
  }
  return spec;
}

/** The day matches the day fields (with the OR rule when both are restricted). */
export function cronDayMatches(spec: CronSpec, dayOfMonth: number, dayOfWeek: number): boolean {
  const dom = spec.daysOfMonth.has(dayOfMonth);
  const dow = spec.daysOfWeek.has(dayOfWeek);
  return spec.domStar || spec.dowStar ? dom && dow : dom || dow;
}
