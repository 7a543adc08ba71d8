import { CronSyntaxError, parseCronSpec, type CronItemProblem, type CronProblem, type CronSpec } from '../../shared/cron.ts';
import { usageError } from '../engine/errors.ts';

export { cronDayMatches, type CronSpec } from '../../shared/cron.ts';

/** The scheduler's and the CLI's words for a refused expression (the parser is shared with the schedule editor). */
function itemText(p: CronItemProblem, item: string, names: readonly string[] | undefined, min: number, max: number): string {
  switch (p.kind) {
    case 'empty-item':
      return 'empty list item';
    case 'slashes':
      return `'${item}' has more than one '/'`;
    case 'step':
      return `step '${p.step}' must be a whole number ≥ 1`;
    case 'range-shape':
      return `'${p.range}' is not a value or a range a-b`;
    case 'not-a-value':
      return `'${p.value}' is not a number${names ? ` or a name (${names[0]}…${names[names.length - 1]})` : ''}`;
    case 'out-of-range':
      return `${p.value} is out of range ${min}-${max}`;
    case 'backwards':
      return `range ${p.range} runs backwards`;
  }
}

function problemText(expression: string, p: CronProblem): string {
  switch (p.kind) {
    case 'field-count':
      return `cron expression '${expression}' has ${p.count} field(s); it needs 5: minute hour day-of-month month day-of-week (e.g. '30 2 * * 1-5')`;
    case 'field':
      return `cron expression: ${p.field.name} field '${p.text}': ${itemText(p.problem, p.item, p.field.names, p.field.min, p.field.max)}`;
    case 'never-in-month':
      return `cron expression: day-of-month field '${p.dayOfMonth}' never falls in the months of month field '${p.month}'`;
  }
}

/** Parses a cron expression; a refused one is a usage error naming the offending field. */
export function parseCron(expression: string): CronSpec {
  try {
    return parseCronSpec(expression);
  } catch (err) {
    if (err instanceof CronSyntaxError) throw usageError(problemText(expression, err.problem));
    throw err;
  }
}
