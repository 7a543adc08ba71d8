import { CronSyntaxError, parseCronSpec, type CronField, type CronProblem } from '../../../shared/cron.ts';

/**
 * The schedule editor's words for a cron expression the shared parser (the
 * scheduler's own) refuses, so a mistake is said next to the field as it is typed.
 */
export const CRON_HELP = 'Five fields: minute, hour, day of month, month, day of week, in local time. For example 30 2 * * 1-5 runs at 02:30 on weekdays.';

const FIVE_FIELDS = 'minute hour day-of-month month day-of-week';

function valueRange(f: CronField): string {
  return `${f.name} values go from ${f.min} to ${f.max}${f.names ? ` (or ${f.names[0]}–${f.names.at(-1)})` : ''}`;
}

function problemText(p: CronProblem): string {
  switch (p.kind) {
    case 'field-count':
      return `A cron expression has five fields (${FIVE_FIELDS}); this one has ${p.count}.`;
    case 'never-in-month':
      return `The day-of-month field “${p.dayOfMonth}” never falls in the months of the month field “${p.month}”.`;
    case 'field': {
      const bad = `The ${p.field.name} field “${p.item}” is not valid`;
      const why = p.problem;
      if (why.kind === 'step' && /^\d+$/.test(why.step)) return `${bad}: a step is 1 or more.`;
      if (why.kind === 'backwards') return `${bad}: a range goes from low to high.`;
      if (why.kind === 'not-a-value' && why.value === '*') return `${bad}: * cannot start a range.`;
      if (why.kind === 'not-a-value' || why.kind === 'out-of-range') return `${bad}: ${valueRange(p.field)}.`;
      return `${bad}: use numbers, *, ranges (1-5), lists (1,3) and steps (*/15).`;
    }
  }
}

/** What is wrong with a cron expression, in words; null when the scheduler accepts it. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return 'Enter a cron expression.';
  if (fields[0]!.startsWith('@')) return `Write it as five fields (${FIVE_FIELDS}), e.g. 0 3 * * * for every day at 03:00.`;
  try {
    parseCronSpec(expression);
    return null;
  } catch (err) {
    if (err instanceof CronSyntaxError) return problemText(err.problem);
    throw err;
  }
}
