/**
 * A syntax check of standard five-field cron expressions, so a mistake is
 * said next to the field as it is typed. The engine parses them for real
 * (its preview says when it disagrees).
 */
interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** The first name's number (months count from 1). */
  namesFrom?: number;
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], namesFrom: 1 },
  // 7 is Sunday too.
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], namesFrom: 0 },
];

export const CRON_HELP = 'Five fields: minute, hour, day of month, month, day of week, in local time. For example 30 2 * * 1-5 runs at 02:30 on weekdays.';

function value(text: string, f: CronField): number | null {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const at = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return at >= 0 ? at + (f.namesFrom ?? 0) : null;
}

function partProblem(part: string, f: CronField): string | null {
  const bad = `The ${f.name} field “${part}” is not valid`;
  const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
  if (!m) return `${bad}: use numbers, *, ranges (1-5), lists (1,3) and steps (*/15).`;
  const [, start, end, step] = m;
  if (step !== undefined && Number(step) < 1) return `${bad}: a step is 1 or more.`;
  if (start === '*') return end === undefined ? null : `${bad}: * cannot start a range.`;
  const range = `${f.name} values go from ${f.min} to ${f.max}${f.names ? ` (or ${f.names[0]}–${f.names.at(-1)})` : ''}`;
  const from = value(start!, f);
  if (from === null || from < f.min || from > f.max) return `${bad}: ${range}.`;
  if (end !== undefined) {
    const to = value(end, f);
    if (to === null || to < f.min || to > f.max) return `${bad}: ${range}.`;
    if (to < from) return `${bad}: a range goes from low to high.`;
  }
  return null;
}

/** What is wrong with a cron expression, in words; null when its syntax is fine. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return 'Enter a cron expression.';
  if (fields[0]!.startsWith('@')) return 'Write it as five fields (minute hour day-of-month month day-of-week), e.g. 0 3 * * * for every day at 03:00.';
  if (fields.length !== 5) {
    return `A cron expression has five fields (minute hour day-of-month month day-of-week); this one has ${fields.length}.`;
  }
  for (let i = 0; i < 5; i++) {
    for (const part of fields[i]!.split(',')) {
      const problem = partProblem(part, FIELDS[i]!);
      if (problem) return problem;
    }
  }
  return null;
}
