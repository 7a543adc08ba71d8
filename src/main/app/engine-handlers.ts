import { enginesWithCurrent, selectEngine } from '../services/engines.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type EngineHandlers = Pick<ApiHandlers, 'engines.list' | 'engines.select'>;

/** Which Docker engine the app uses: the docker CLI's contexts, one picked in settings. */
export function createEngineHandlers(app: DvomApp): EngineHandlers {
  return {
    async 'engines.list'() {
      return enginesWithCurrent(await app.engine());
    },

    async 'engines.select'(p) {
      await selectEngine(p.name);
      app.useEngine(p.name);
      const { name, host, source } = await app.engine();
      // Another engine has other volumes.
      app.events.emit('volumes.changed', {});
      return { name, host, source };
    },
  };
}
