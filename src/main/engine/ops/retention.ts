import { usageError } from '../errors.ts';

/** How many versions to keep per period, as restic's `forget --keep-*`. */
export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

export const RETENTION_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type RetentionRule = (typeof RETENTION_RULES)[number];

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO-8601 week-numbering year and week of a local date. */
function isoWeek(d: Date): string {
  const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const weekday = (day.getDay() + 6) % 7; // Monday = 0
  day.setDate(day.getDate() - weekday + 3); // Thursday of this week decides the year
  const firstThursday = new Date(day.getFullYear(), 0, 4);
  const week = 1 + Math.round(((day.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getDay() + 6) % 7)) / 7);
  return `${day.getFullYear()}-W${pad(week)}`;
}

/** Bucket of a time for each rule, in local time as restic does. */
const BUCKET: Record<RetentionRule, (d: Date, id: string) => string> = {
  last: (_d, id) => id,
  hourly: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}`,
  daily: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  weekly: (d) => isoWeek(d),
  monthly: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`,
  yearly: (d) => `${d.getFullYear()}`,
};

export interface RetentionDecision<T> {
  keep: { version: T; reasons: string[] }[];
  remove: T[];
}

export function validatePolicy(policy: RetentionPolicy): void {
  const given = RETENTION_RULES.filter((r) => policy[r] !== undefined);
  for (const rule of given) {
    const n = policy[rule]!;
    if (!Number.isInteger(n) || n < 0) throw usageError(`--keep-${rule} must be a whole number ≥ 0, got ${n}`);
  }
  if (!given.some((r) => policy[r]! > 0)) {
    throw usageError('a retention policy needs at least one --keep-… option above 0 (refusing to remove every version)');
  }
}

/**
 * Walking versions from newest to oldest, each rule keeps the newest version
 * of each of its next N distinct periods (restic's forget semantics). A
 * version is kept if any rule keeps it.
 */
export function applyRetention<T extends { id: string; createdAt: string }>(
  versions: readonly T[],
  policy: RetentionPolicy,
): RetentionDecision<T> {
  validatePolicy(policy);
  const newestFirst = [...versions].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  const left = new Map<RetentionRule, number>(RETENTION_RULES.map((r) => [r, policy[r] ?? 0]));
  const lastBucket = new Map<RetentionRule, string>();
  const decision: RetentionDecision<T> = { keep: [], remove: [] };
  for (const version of newestFirst) {
    const date = new Date(version.createdAt);
    const reasons: string[] = [];
    for (const rule of RETENTION_RULES) {
      if (!left.get(rule)) continue;
      const bucket = BUCKET[rule](date, version.id);
      if (bucket === lastBucket.get(rule)) continue;
      lastBucket.set(rule, bucket);
      left.set(rule, left.get(rule)! - 1);
      reasons.push(rule);
    }
    if (reasons.length) decision.keep.push({ version, reasons });
    else decision.remove.push(version);
  }
  return decision;
}
