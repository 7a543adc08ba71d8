const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
];

/** "3 minutes ago", "yesterday"; null when the time is over a week away (show the date instead). */
export function relativeTime(iso: string, now: number = Date.now()): string | null {
  let value = (new Date(iso).getTime() - now) / 1000;
  if (!Number.isFinite(value)) return null;
  if (Math.abs(value) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return null;
}
