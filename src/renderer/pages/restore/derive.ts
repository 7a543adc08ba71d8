import type { BackupDto, VersionDto, VolumeDto, VolumeUserDto } from '../../../shared/api/dto.ts';
import type { VersionsEntry } from '../../state/backups-store.ts';
import { STEPS, type RestoreRequest, type RestoreState, type StepId, type WriteMode } from '../../state/restore-store.ts';

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface TargetFacts {
  /** A Docker volume, or a folder on the machine running DVOM. */
  kind: 'volume' | 'folder';
  /** The volume (or folder) restored into ('' when not chosen yet). */
  name: string;
  volume: VolumeDto | null;
  /** Why the name cannot be used, or null. */
  nameError: string | null;
  /** It exists and is not known to be empty (Docker's `empty` fact): restoring replaces its contents. */
  mayHoldData: boolean;
  /** Docker could not be asked whether it holds anything. */
  contentsUnknown: boolean;
  runningUsers: VolumeUserDto[];
  stoppedUsers: VolumeUserDto[];
  /** What happens to what the destination holds: the restored files are added and the rest kept, or everything is replaced. */
  mode: WriteMode;
  /** The user chooses between keeping the rest and replacing everything (the destination may hold data). */
  offerModes: boolean;
  /** The user must tick "replace" before going on. */
  needsConfirm: boolean;
}

/** Everything the wizard's screens need to know, worked out from the stores. */
export interface WizardFacts {
  backups: BackupDto[] | null;
  backup: BackupDto | null;
  versions: VersionDto[] | null;
  versionsError: string | null;
  version: VersionDto | null;
  /** The volumes in the chosen version. */
  sourceVolumes: string[];
  /** The chosen (or only) volume of the version; null for a folder backup or before choosing. */
  sourceVolume: string | null;
  passwordNeeded: boolean;
  /** The password step has nothing to ask. */
  passwordSkipped: boolean;
  target: TargetFacts;
  volumes: VolumeDto[] | null;
}

export function deriveFacts(
  s: RestoreState,
  backups: BackupDto[] | null,
  versionsEntry: VersionsEntry | undefined,
  volumes: VolumeDto[] | null,
): WizardFacts {
  const backup = backups?.find((b) => b.name === s.backup && !b.damaged) ?? null;
  const versions = versionsEntry?.list ?? null;
  const version = versions?.find((v) => v.id === s.version) ?? null;
  const sourceVolumes = version?.sourceKind === 'volume' ? version.volumes : [];
  const sourceVolume = s.sourceVolume ?? (sourceVolumes.length === 1 ? sourceVolumes[0]! : null);
  const encrypted = backup?.encrypted ?? false;
  const passwordNeeded = encrypted && (s.remembered === false || s.rememberedStale);
  return {
    backups,
    backup,
    versions,
    versionsError: versionsEntry?.error ?? null,
    version,
    sourceVolumes,
    sourceVolume,
    passwordNeeded,
    passwordSkipped: !passwordNeeded || s.passwordOk,
    target: targetFacts(s, sourceVolume, volumes),
    volumes,
  };
}

function targetFacts(s: RestoreState, sourceVolume: string | null, volumes: VolumeDto[] | null): TargetFacts {
  if (s.targetKind === 'folder') {
    const name = s.folderPath.trim();
    // The rest (a system folder, one DVOM cannot write in) is checked where the folder is: by the engine, at Start.
    const nameError = !name
      ? 'Enter the folder to restore into.'
      : !name.startsWith('/')
        ? 'Give the full path of the folder, starting with /.'
        : s.folderProblem
          ? `${s.folderProblem.charAt(0).toUpperCase()}${s.folderProblem.slice(1)}.`
          : null;
    // Whether it holds anything cannot be seen from here; a folder is only ever added to, never replaced.
    return { kind: 'folder', name, volume: null, nameError, mayHoldData: true, contentsUnknown: true, runningUsers: [], stoppedUsers: [], mode: 'merge', offerModes: false, needsConfirm: false };
  }
  const name = (s.targetKind === 'original' ? (sourceVolume ?? '') : s.targetKind === 'new' ? s.newName.trim() : s.existingName).trim();
  const volume = volumes?.find((v) => v.name === name) ?? null;
  let nameError: string | null = null;
  if (s.targetKind === 'new') {
    if (!name) nameError = 'Enter a name for the new volume.';
    else if (name.length > 255 || !VOLUME_NAME.test(name)) {
      nameError = 'Use letters, digits, ".", "_" or "-", starting with a letter or digit.';
    } else if (volume) nameError = `A volume named ${name} already exists. Choose “Another existing volume” to restore into it.`;
  } else if (!name) {
    nameError = s.targetKind === 'existing' ? 'Choose a volume.' : 'This version has no original volume.';
  }
  const users = volume?.usedBy ?? [];
  // Docker says whether the volume holds anything; its size cannot (empty files and folders weigh nothing).
  const mayHoldData = !!volume && volume.empty !== true;
  // Chosen files go back among the rest by default (as Time Machine and Duplicati do); a whole version replaces.
  const mode = s.writeMode ?? defaultMode(s);
  return {
    kind: 'volume',
    name,
    volume,
    nameError,
    mayHoldData,
    contentsUnknown: !!volume && volume.empty === null,
    runningUsers: users.filter((u) => u.running),
    stoppedUsers: users.filter((u) => !u.running),
    mode,
    offerModes: mayHoldData || s.notEmptyRefused,
    needsConfirm: mode === 'replace' && (mayHoldData || s.notEmptyRefused),
  };
}

/** What restoring into a volume that holds data does unless the user says otherwise. */
export function defaultMode(s: Pick<RestoreState, 'what'>): WriteMode {
  return s.what === 'selected' ? 'merge' : 'replace';
}

/** Why the wizard cannot go on from a step (shown next to Next), or null. */
export function blocker(step: StepId, s: RestoreState, f: WizardFacts): string | null {
  switch (step) {
    case 'source':
      if (!f.backup) return 'Choose a backup.';
      if (!f.version) return 'Choose a version.';
      if (f.sourceVolumes.length > 1 && !f.sourceVolume) return 'Choose which volume to restore.';
      return null;
    case 'what':
      if (s.what === 'selected' && !s.selected.length) return 'Choose at least one file or folder.';
      return null;
    case 'target':
      if (!f.volumes && f.target.kind === 'volume') return 'Loading the volumes…';
      if (f.target.nameError) return f.target.nameError;
      if (f.target.needsConfirm && !s.confirmReplace) return 'Confirm above that its contents may be replaced.';
      if (f.target.runningUsers.some((u) => !s.stopContainers.includes(u.name))) {
        return 'Running containers use this volume: let DVOM stop them during the restore.';
      }
      return null;
    case 'password':
      if (!s.password) return 'Enter the password.';
      return null;
    case 'review':
      if (f.target.needsConfirm && !s.confirmReplace) return 'Confirm above that its contents may be replaced.';
      return null;
  }
}

/** The steps in order, and the one after / before a step (the password step is passed over when not needed). */
export function stepAfter(step: StepId, f: WizardFacts): StepId | null {
  const ids = STEPS.map((x) => x.id).filter((id) => id !== 'password' || !f.passwordSkipped);
  const i = ids.indexOf(step);
  return ids[i + 1] ?? null;
}

export function stepBefore(step: StepId, f: WizardFacts): StepId | null {
  const ids = STEPS.map((x) => x.id).filter((id) => id !== 'password' || !f.passwordSkipped);
  const i = ids.indexOf(step);
  return i > 0 ? ids[i - 1]! : null;
}

/** The jobs.startRestore call the review describes. */
export function buildRequest(s: RestoreState, f: WizardFacts): RestoreRequest {
  const { target } = f;
  return {
    backup: s.backup!,
    ...(s.version ? { version: s.version } : {}),
    ...(f.sourceVolume ? { sourceVolume: f.sourceVolume } : {}),
    ...(target.kind === 'folder' ? { destinationDir: target.name } : { destinationVolume: target.name }),
    ...(s.what === 'selected' ? { paths: s.selected } : {}),
    mode: target.mode,
    ...(target.mode === 'merge' ? { onExisting: s.onExisting } : {}),
    force: target.needsConfirm && s.confirmReplace,
    stopContainers: s.stopContainers.filter((c) => target.volume?.usedBy.some((u) => u.name === c)),
    ...(f.passwordNeeded && s.password ? { password: s.password } : {}),
  };
}

/** Where a restore writes, as the run and result screens name it. */
export function destinationOf(request: RestoreRequest): string {
  return request.destinationVolume ?? request.destinationDir ?? '';
}

/** A free name for a new volume next to the original: pgdata-restored, pgdata-restored-2… */
export function suggestName(source: string | null, volumes: VolumeDto[] | null): string {
  const base = `${source ?? 'restored'}-restored`.slice(0, 240);
  const taken = new Set(volumes?.map((v) => v.name) ?? []);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
