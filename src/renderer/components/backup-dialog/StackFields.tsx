import type { VolumeUserDto } from '../../../shared/api/dto.ts';

interface Props {
  stack: string;
  volumes: string[];
  users: VolumeUserDto[];
  backup: string;
  perVolume: boolean;
  disabled: boolean;
  onPerVolume(on: boolean): void;
}

/** A stack backup's choices: one backup for all its volumes or one each; its containers are stopped by the engine in dependency order. */
export function StackFields({ stack, volumes, users, backup, perVolume, disabled, onPerVolume }: Props) {
  const running = users.filter((u) => u.running).map((u) => u.name);
  return (
    <fieldset className="field stack-fields">
      <legend className="field-label">Stack {stack}</legend>
      <p className="field-hint">
        Volumes: {volumes.join(', ')}.{' '}
        {running.length
          ? `Running containers (${running.join(', ')}) are stopped during the backup, those that depend on others first, and started again afterwards in dependency order.`
          : 'None of its containers is running: nothing needs stopping.'}
      </p>
      <label className="check-row">
        <input type="checkbox" checked={perVolume} disabled={disabled} onChange={(e) => onPerVolume(e.target.checked)} />
        <span>One backup per volume</span>
      </label>
      <p className="field-hint check-hint">
        {perVolume ? `Backups ${volumes.map((v) => `${backup || 'NAME'}-${v}`).join(', ')}, one version each.` : `All volumes in one version of ${backup || 'the backup'}.`}
      </p>
    </fieldset>
  );
}
