import { usageError } from '../engine/errors.ts';

/**
 * Standard five-field cron expressions (minute hour day-of-month month
 * day-of-week), parsed into the sets of values each field allows.
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

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of names[0]. */
  namesFrom?: number;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

/** Most days a month can have (February: 29). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function fieldError(def: FieldDef, text: string, why: string): Error {
  return usageError(`cron expression: ${def.name} field '${text}': ${why}`);
}

function parseValue(def: FieldDef, text: string, raw: string): number {
  const lower = raw.toLowerCase();
  if (def.names) {
    const i = def.names.indexOf(lower as never);
    if (i >= 0) return i + def.namesFrom!;
  }
  if (!/^\d+$/.test(raw)) {
    const hint = def.names ? ` or a name (${def.names[0]}…${def.names[def.names.length - 1]})` : '';
    throw fieldError(def, text, `'${raw}' is not a number${hint}`);
  }
  const n = Number(raw);
  if (n < def.min || n > def.max) throw fieldError(def, text, `${n} is out of range ${def.min}-${def.max}`);
  return n;
}

function parseField(def: FieldDef, text: string): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (!item) throw fieldError(def, text, 'empty list item');
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined) throw fieldError(def, text, `'${item}' has more than one '/'`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) throw fieldError(def, text, `step '${stepPart}' must be a whole number ≥ 1`);
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
      if (bounds.length > 2 || bounds.some((b) => !b)) throw fieldError(def, text, `'${rangePart}' is not a value or a range a-b`);
      from = parseValue(def, text, bounds[0]!);
      to = bounds.length === 2 ? parseValue(def, text, bounds[1]!) : stepPart !== undefined ? Math.max(end, from) : from;
      if (from > to) throw fieldError(def, text, `range ${bounds.join('-')} runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(def.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses a cron expression; throws a usage error naming the offending field. */
export function parseCron(expression: string): CronSpec {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    throw usageError(
      `cron expression '${expression}' has ${fields.length} field(s); it needs 5: minute hour day-of-month month day-of-week (e.g. '30 2 * * 1-5')`,
    );
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((f, i) => parseField(FIELDS[i]!, f)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const spec: CronSpec = {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    domStar: fields[2]!.startsWith('*'),
    dowStar: fields[4]!.startsWith('*'),
  };
  // Only day-of-month decides the day (day-of-week is '*'): it must fall in at least one allowed month.
  if (spec.dowStar && !spec.domStar && ![...months].some((m) => [...daysOfMonth].some((d) => d <= MONTH_DAYS[m - 1]!))) {
    throw usageError(`cron expression: day-of-month field '${fields[2]}' never falls in the months of month field '${fields[3]}'`);
  }
  return spec;
}

/** The day matches the day fields (with the OR rule when both are restricted). */
export function cronDayMatches(spec: CronSpec, dayOfMonth: number, dayOfWeek: number): boolean {
  const dom = spec.daysOfMonth.has(dayOfMonth);
  const dow = spec.daysOfWeek.has(dayOfWeek);
  return spec.domStar || spec.dowStar ? dom && dow : dom || dow;
}
