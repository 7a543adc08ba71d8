import { scheduleSchema, type Schedule, type ScheduleInput } from '../../shared/schedule.ts';
import { updateConfig } from '../config/config-file.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { DvomError, notFound, usageError } from '../engine/errors.ts';
import { validateWhen } from './next-run.ts';
import type { RunStateFile } from './run-state.ts';

/** Changes to the schedules in the shared config file, for the API and the CLI alike. */

export function findSchedule(config: DvomConfig, name: string): Schedule {
  const schedule = config.schedules.find((s) => s.name === name);
  if (!schedule) throw notFound(`no schedule named '${name}'`);
  return schedule;
}

/** A schedule as it comes in, checked (the schema, and a `when` that ever runs). */
export function parseSchedule(input: ScheduleInput): Schedule {
  const parsed = scheduleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(`schedule: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  validateWhen(parsed.data.when);
  return parsed.data;
}

/** The schedule's storage target is set up (checked before its store is opened, and again as it is saved). */
export function requireTarget(config: DvomConfig, schedule: Schedule): void {
  if (schedule.target && !config.targets[schedule.target]) throw notFound(`no storage target named '${schedule.target}'`);
}

/**
 * Adds a schedule, or replaces the one of the same name, or (with
 * `replaces`) the one of that name, renaming it: its history moves along.
 */
export async function saveSchedule(
  input: ScheduleInput,
  options: { replaces?: string | undefined; mustBeNew?: boolean },
  runState: RunStateFile,
): Promise<Schedule> {
  const schedule = parseSchedule(input);
  const replaces = options.replaces ?? schedule.name;
  await updateConfig((c) => {
    requireTarget(c, schedule);
    const at = c.schedules.findIndex((s) => s.name === replaces);
    if (options.replaces && at < 0) throw notFound(`no schedule named '${options.replaces}'`);
    const clash = replaces !== schedule.name && c.schedules.some((s) => s.name === schedule.name);
    if (clash || (options.mustBeNew && at >= 0)) {
      throw new DvomError('ALREADY_EXISTS', `a schedule named '${schedule.name}' already exists`);
    }
    if (at >= 0) c.schedules[at] = schedule;
    else c.schedules.push(schedule);
  });
  if (replaces !== schedule.name) {
    await runState.update((doc) => {
      const entry = doc.schedules[replaces];
      delete doc.schedules[replaces];
      if (entry) doc.schedules[schedule.name] = entry;
    });
  }
  return schedule;
}

export async function removeSchedule(name: string, runState: RunStateFile): Promise<void> {
  await updateConfig((c) => {
    findSchedule(c, name);
    c.schedules = c.schedules.filter((s) => s.name !== name);
  });
  await runState.update((doc) => {
    delete doc.schedules[name];
  });
}

export async function setScheduleEnabled(name: string, enabled: boolean): Promise<Schedule> {
  let changed: Schedule | undefined;
  await updateConfig((c) => {
    changed = findSchedule(c, name);
    changed.enabled = enabled;
  });
  return changed!;
}

export async function setSchedulesPaused(paused: boolean): Promise<void> {
  await updateConfig((c) => {
    c.schedulesPaused = paused;
  });
}
