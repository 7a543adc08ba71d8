import type { TargetDto } from '../../shared/api/dto.ts';
import type { ValidParamsOf } from '../../shared/api/contract.ts';
import type { DvomConfig, StorageTarget } from '../config/config-schema.ts';
import { describeTarget } from '../config/targets.ts';
import { removeNamedTarget, saveTarget, testTarget, testTargetSettings } from '../services/targets.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type TargetHandlers = Pick<ApiHandlers, 'targets.list' | 'targets.save' | 'targets.remove' | 'targets.test'>;

function targetDto(name: string, t: StorageTarget, config: DvomConfig): TargetDto {
  if (t.type === 'local') return { name, type: 'local', location: t.path, isDefault: config.defaultTarget === name, settings: { path: t.path } };
  return {
    name,
    type: 's3',
    location: describeTarget(t),
    isDefault: config.defaultTarget === name,
    settings: {
      bucket: t.bucket,
      ...(t.prefix ? { prefix: t.prefix } : {}),
      ...(t.endpoint ? { endpoint: t.endpoint } : {}),
      ...(t.region ? { region: t.region } : {}),
      ...(t.pathStyle !== undefined ? { pathStyle: t.pathStyle } : {}),
      ...(t.accessKeyId ? { accessKeyId: t.accessKeyId, hasSecret: true } : {}),
      ...(t.objectLock ? { objectLock: t.objectLock } : {}),
    },
  };
}

/** A target as the API takes it, and its S3 secret key apart (it goes to the keychain, never to the config). */
function splitSecret(input: ValidParamsOf<'targets.save'>['target']): { target: StorageTarget; secretAccessKey: string | undefined } {
  if (input.type === 'local') return { target: input, secretAccessKey: undefined };
  const { secretAccessKey, ...target } = input;
  return { target, secretAccessKey };
}

/** Storage targets: saved in the shared config file, S3 secret keys in the keychain only. */
export function createTargetHandlers(app: DvomApp): TargetHandlers {
  return {
    async 'targets.list'() {
      const config = await app.config();
      return Object.entries(config.targets).map(([name, t]) => targetDto(name, t, config));
    },

    async 'targets.save'(p: ValidParamsOf<'targets.save'>) {
      const { secretAccessKey, target } = splitSecret(p.target);
      const config = await saveTarget(p.name, target, { secretAccessKey, makeDefault: p.makeDefault, secrets: app.secrets });
      app.events.emit('backups.changed', {});
      return targetDto(p.name, target, config);
    },

    async 'targets.remove'(p: ValidParamsOf<'targets.remove'>) {
      await removeNamedTarget(await app.config(), p.name, app.secrets);
      app.events.emit('backups.changed', {});
      return { removed: true };
    },

    /** Reachability and permissions: write, list, read back and delete a probe object (of a saved target, or of settings about to be saved). */
    async 'targets.test'(p: ValidParamsOf<'targets.test'>) {
      if (p.target) {
        const { secretAccessKey, target } = splitSecret(p.target);
        return { location: await testTargetSettings(p.name, target, secretAccessKey, app.secrets) };
      }
      return { location: await testTarget(await app.config(), p.name, app.secrets) };
    },
  };
}
