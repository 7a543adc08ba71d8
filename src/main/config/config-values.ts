import type { DvomConfig } from './config-schema.ts';

export function emptyConfig(): DvomConfig {
  return { version: 1, targets: {}, docker: {}, schedules: [], schedulesPaused: false };
}

/** True if the config holds a secret in plain text (then it must not be readable by others). */
export function holdsSecrets(config: DvomConfig): boolean {
  return Object.values(config.targets).some((t) => t.type === 's3' && !!t.secretAccessKey);
}

/** The config as shown to users and the renderer: secrets replaced by a marker. */
export function redactConfig(config: DvomConfig): DvomConfig {
  const targets = Object.fromEntries(
    Object.entries(config.targets).map(([name, t]) => [name, t.type === 's3' && t.secretAccessKey ? { ...t, secretAccessKey: '(hidden)' } : t]),
  );
  return { ...config, targets };
}
