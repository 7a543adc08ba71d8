import type { Schedule, ScheduleStatus } from '../../src/shared/schedule.ts';

/** A saved schedule with test defaults, with overrides. */
export function schedule(name: string, extra: Partial<Schedule> = {}): Schedule {
  return {
    name,
    volumes: ['data'],
    backup: name,
    when: { kind: 'daily', at: '02:00' },
    retention: {},
    stopContainers: [],
    enabled: true,
    catchUp: true,
    testRestoreEvery: 0,
    notifyOnSuccess: false,
    ...extra,
  };
}

/** A schedule as the tray sees it, with overrides. */
export function scheduleStatus(name: string, extra: Partial<ScheduleStatus> = {}): ScheduleStatus {
  return {
    ...schedule(name),
    nextRun: null,
    lastRun: null,
    running: false,
    passwordMissing: false,
    ...extra,
  };
}
