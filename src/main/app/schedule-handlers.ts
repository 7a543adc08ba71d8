import { DvomError } from '../engine/errors.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type ScheduleHandlers = Pick<
  ApiHandlers,
  'schedules.list' | 'schedules.save' | 'schedules.remove' | 'schedules.setEnabled' | 'schedules.pauseAll' | 'schedules.runNow' | 'schedules.preview'
>;

const notYet = async (): Promise<never> => {
  throw new DvomError('ERROR', 'scheduled backups are not available yet');
};

/** Placeholder until the scheduler lands (replaced by the scheduler's handlers). */
export function createScheduleHandlers(_app: DvomApp): ScheduleHandlers {
  return {
    'schedules.list': notYet,
    'schedules.save': notYet,
    'schedules.remove': notYet,
    'schedules.setEnabled': notYet,
    'schedules.pauseAll': notYet,
    'schedules.runNow': notYet,
    'schedules.preview': notYet,
  };
}
