import type { ScheduleStatus } from '../../src/shared/schedule.ts';

/** A schedule as the tray sees it, with overrides. */
export function scheduleStatus(name: string, extra: Partial<ScheduleStatus> = {}): ScheduleStatus {
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
    nextRun: null,
    lastRun: null,
    running: false,
    passwordMissing: false,
    ...extra,
  };
}
