import { forgetPassword, rememberPassword, rememberedPassword } from '../services/passwords.ts';
import { openWithPassword } from '../services/open-backup.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type PasswordHandlers = Pick<ApiHandlers, 'secrets.setPassword' | 'secrets.hasPassword' | 'secrets.deletePassword'>;

/** Remembered passwords: stored only once they open the backup, and never sent back. */
export function createPasswordHandlers(app: DvomApp): PasswordHandlers {
  return {
    async 'secrets.setPassword'(p) {
      const store = await app.store(p.target);
      await openWithPassword(store, app.secrets, p.backup, p.password); // only a password that opens the backup is stored
      await rememberPassword(app.secrets, store, p.backup, p.password);
      app.events.emit('backups.changed', {});
      return { stored: true };
    },

    async 'secrets.hasPassword'(p) {
      const store = await app.store(p.target);
      return { remembered: !!(await rememberedPassword(app.secrets, store, p.backup)) };
    },

    async 'secrets.deletePassword'(p) {
      const store = await app.store(p.target);
      const deleted = await forgetPassword(app.secrets, store, p.backup);
      app.events.emit('backups.changed', {});
      return { deleted };
    },
  };
}
