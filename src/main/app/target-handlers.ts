import type { TargetDto } from '../../shared/api/dto.ts';
import type { ValidParamsOf } from '../../shared/api/contract.ts';
import { updateConfig } from '../config/config-file.ts';
import type { DvomConfig, StorageTarget } from '../config/config-schema.ts';
import { backendFor } from '../config/open-store.ts';
import { describeTarget, probeStore, removeTarget } from '../config/targets.ts';
import { DvomError, notFound } from '../engine/errors.ts';
import { s3SecretAccount } from '../secrets/accounts.ts';
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
    },
  };
}

/** Storage targets: saved in the shared config file, S3 secret keys in the keychain only. */
export function createTargetHandlers(app: DvomApp): TargetHandlers {
  return {
    async 'targets.list'() {
      const config = await app.config();
      return Object.entries(config.targets).map(([name, t]) => targetDto(name, t, config));
    },

    async 'targets.save'(p: ValidParamsOf<'targets.save'>) {
      const input = p.target;
      let target: StorageTarget;
      if (input.type === 'local') {
        target = { type: 'local', path: input.path };
      } else {
        const { secretAccessKey, ...rest } = input;
        target = { ...rest };
        if (rest.accessKeyId && secretAccessKey) {
          await app.secrets.set('s3-secret-key', s3SecretAccount(p.name), secretAccessKey);
        } else if (rest.accessKeyId && !(await app.secrets.get('s3-secret-key', s3SecretAccount(p.name)).catch(() => undefined))) {
          throw new DvomError('USAGE', `target '${p.name}': enter the secret key for access key ${rest.accessKeyId}`);
        }
      }
      const config = await updateConfig((c) => {
        c.targets[p.name] = target;
        if (p.makeDefault) c.defaultTarget = p.name;
      });
      app.events.emit('backups.changed', {});
      return targetDto(p.name, target, config);
    },

    async 'targets.remove'(p: ValidParamsOf<'targets.remove'>) {
      const config = await app.config();
      if (!config.targets[p.name]) throw notFound(`no storage target named '${p.name}'`);
      await removeTarget(p.name, app.secrets);
      app.events.emit('backups.changed', {});
      return { removed: true };
    },

    /** Reachability and permissions: write, list, read back and delete a probe object. */
    async 'targets.test'(p: ValidParamsOf<'targets.test'>) {
      const config = await app.config();
      const target = config.targets[p.name];
      if (!target) throw notFound(`no storage target named '${p.name}'`);
      const backend = await backendFor(p.name, target, app.secrets);
      if (!(await probeStore(backend))) throw new DvomError('ERROR', `target '${p.name}' did not return what was written`);
      return { location: backend.location };
    },
  };
}
