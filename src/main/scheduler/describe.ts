import type { ScheduleWhen } from '../../shared/schedule.ts';

/** Short day names, index 0 = Sunday (as Date.getDay()). */
export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `when` in a few words: "every 15 minutes", "daily at 02:30", "weekly on Mon, Thu at 07:00", "cron '0 3 * * *'". */
export function describeWhen(when: ScheduleWhen): string {
  switch (when.kind) {
    case 'interval': {
      const unit = when.unit === 'hours' ? 'hour' : 'minute';
      return when.every === 1 ? `every ${unit}` : `every ${when.every} ${unit}s`;
    }
    case 'daily':
      return `daily at ${when.at}`;
    case 'weekly':
      return `weekly on ${[...new Set(when.days)].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map((d) => DAY_NAMES[d]).join(', ')} at ${when.at}`;
    case 'cron':
      return `cron '${when.expression}'`;
  }
}
