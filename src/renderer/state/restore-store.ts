import { create } from 'zustand';
import type { ParamsOf } from '../../shared/api/contract.ts';
import type { JobDto, TreeNodeDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { ApiError } from '../../shared/api/client.ts';
import { errorText } from '../api/error-text.ts';
import { errorCode, friendlyError, isWrongPassword, needsPassword, WRONG_PASSWORD } from '../pages/backups/errors.ts';
import { useBackupsStore } from './backups-store.ts';
import type { PageIntent } from './navigation-store.ts';
import { targetParam } from './targets-store.ts';

/** The wizard restores from the store the Backups page shows (one choice for both, kept while the app runs). */
const storeParam = () => targetParam(useBackupsStore.getState().target);

export type StepId = 'source' | 'what' | 'target' | 'password' | 'review';
export const STEPS: readonly { id: StepId; label: string }[] = [
  { id: 'source', label: 'Backup and version' },
  { id: 'what', label: 'What to restore' },
  { id: 'target', label: 'Destination' },
  { id: 'password', label: 'Password' },
  { id: 'review', label: 'Review' },
];

export type Phase = 'edit' | 'running' | 'done';
export type TargetKind = 'original' | 'new' | 'existing' | 'folder';
/** What a restore does with a destination that holds data: add the restored files keeping the rest, or replace everything. */
export type WriteMode = 'merge' | 'replace';
export type OnExisting = 'skip' | 'overwrite';

export interface TreeDir {
  /** null until loaded. */
  nodes: TreeNodeDto[] | null;
  loading: boolean;
  error: string | null;
}

/** What the wizard asks the engine to do, once everything is chosen. */
export type RestoreRequest = ParamsOf<'jobs.startRestore'>;

export interface RestoreState {
  phase: Phase;
  step: StepId;
  backup: string | null;
  version: string | null;
  /** Which volume of the version (needed when it holds several). */
  sourceVolume: string | null;

  /** Whether a password is remembered for the backup; null while unknown. */
  remembered: boolean | null;
  /** The remembered password turned out wrong: ask for one. */
  rememberedStale: boolean;
  password: string;
  /** The typed password opened the backup. */
  passwordOk: boolean;
  passwordError: string | null;
  checkingPassword: boolean;

  what: 'all' | 'selected';
  tree: Record<string, TreeDir>;
  openDirs: string[];
  /** Chosen files and folders (a folder means everything in it). */
  selected: string[];

  targetKind: TargetKind;
  newName: string;
  existingName: string;
  /** A folder on the machine running DVOM (targetKind 'folder'). */
  folderPath: string;
  /** Why the engine refused that folder (a system folder, not writable…), shown beside it until it is changed. */
  folderProblem: string | null;
  /** Chosen by the user; null: the default for what is restored (chosen files: merge; everything: replace). */
  writeMode: WriteMode | null;
  /** With merge: what happens to a file the destination already has. */
  onExisting: OnExisting;
  confirmReplace: boolean;
  stopContainers: string[];
  /** The target the stop list was set up for. */
  stopFor: string | null;
  /** The engine refused because the target is not empty. */
  notEmptyRefused: boolean;

  starting: boolean;
  /** Why Start failed before a job began, for people. */
  startError: string | null;
  jobId: string | null;
  job: JobDto | null;
  /** The request of the running / finished restore, for the result screen. */
  request: RestoreRequest | null;

  /** Jobs seen recently, in case one's first event arrives before its id. */
  seenJobs: Record<string, JobDto>;
  appliedIntent: PageIntent | null;

  applyIntent(intent: PageIntent): void;
  reset(keep?: { backup?: string | null; version?: string | null }): void;
  chooseBackup(backup: string): void;
  chooseVersion(version: string): void;
  chooseSourceVolume(volume: string): void;
  goTo(step: StepId): void;
  patch(
    p: Partial<
      Pick<RestoreState, 'what' | 'targetKind' | 'newName' | 'existingName' | 'folderPath' | 'writeMode' | 'onExisting' | 'confirmReplace' | 'stopContainers' | 'password'>
    >,
  ): void;
  checkRemembered(): Promise<void>;
  loadDir(path: string): Promise<void>;
  toggleDir(path: string): void;
  toggleSelected(path: string): void;
  /** Proves the typed password opens the backup (by listing the version's top folder); true when it does. */
  checkPassword(): Promise<boolean>;
  start(request: RestoreRequest): Promise<void>;
  cancel(): Promise<void>;
  backToReview(): void;
  watch(): () => void;
}

const INITIAL = {
  phase: 'edit' as Phase,
  step: 'source' as StepId,
  backup: null,
  version: null,
  sourceVolume: null,
  remembered: null,
  rememberedStale: false,
  password: '',
  passwordOk: false,
  passwordError: null,
  checkingPassword: false,
  what: 'all' as const,
  tree: {},
  openDirs: [],
  selected: [],
  targetKind: 'original' as TargetKind,
  newName: '',
  existingName: '',
  folderPath: '',
  folderProblem: null,
  writeMode: null,
  onExisting: 'skip' as OnExisting,
  confirmReplace: false,
  stopContainers: [],
  stopFor: null,
  notEmptyRefused: false,
  starting: false,
  startError: null,
  jobId: null,
  job: null,
  request: null,
};

/** What depends on the chosen version: the tree and the selection in it. */
const VERSION_BOUND = { tree: {}, openDirs: [], selected: [], what: 'all' as const };
/** What depends on the chosen backup as well. */
const BACKUP_BOUND = { ...VERSION_BOUND, remembered: null, rememberedStale: false, password: '', passwordOk: false, passwordError: null };

let treeGeneration = 0;

export const useRestoreStore = create<RestoreState>()((set, get) => ({
  ...INITIAL,
  seenJobs: {},
  appliedIntent: null,

  applyIntent(intent) {
    const s = get();
    if (s.appliedIntent === intent) return;
    set({ appliedIntent: intent });
    if (s.phase === 'running' || !intent.backup) return;
    get().reset({ backup: intent.backup, version: intent.version ?? null });
    if (intent.volume) set({ sourceVolume: intent.volume });
  },

  reset(keep = {}) {
    treeGeneration++;
    set({ ...INITIAL, backup: keep.backup ?? null, version: keep.version ?? null });
    if (keep.backup) void get().checkRemembered();
  },

  chooseBackup(backup) {
    if (backup === get().backup) return;
    treeGeneration++;
    set({ backup, version: null, sourceVolume: null, ...BACKUP_BOUND });
    void get().checkRemembered();
  },

  chooseVersion(version) {
    if (version === get().version) return;
    treeGeneration++;
    set({ version, sourceVolume: null, ...VERSION_BOUND });
  },

  chooseSourceVolume(volume) {
    if (volume === get().sourceVolume) return;
    treeGeneration++;
    set({ sourceVolume: volume, ...VERSION_BOUND });
  },

  goTo(step) {
    set({ step, startError: null });
  },

  patch(p) {
    const next: Partial<RestoreState> = { ...p };
    if (p.password !== undefined) Object.assign(next, { passwordOk: false, passwordError: null });
    if (p.folderPath !== undefined || p.targetKind !== undefined) next.folderProblem = null;
    // A different target needs its own confirmation.
    if (p.targetKind !== undefined || p.newName !== undefined || p.existingName !== undefined || p.folderPath !== undefined || p.writeMode !== undefined) {
      Object.assign(next, { confirmReplace: false, notEmptyRefused: false });
    }
    set(next);
  },

  async checkRemembered() {
    const backup = get().backup;
    if (!backup) return;
    try {
      const { remembered } = await api().call('secrets.hasPassword', { backup, ...storeParam() });
      if (get().backup === backup) set({ remembered });
    } catch {
      // Unknown: ask for the password if the engine needs one.
      if (get().backup === backup) set({ remembered: false });
    }
  },

  async loadDir(path) {
    const s = get();
    if (!s.backup || !s.version) return;
    const generation = treeGeneration;
    const patchDir = (dir: Partial<TreeDir>) =>
      set((st) => ({ tree: { ...st.tree, [path]: { nodes: null, loading: false, error: null, ...st.tree[path], ...dir } } }));
    patchDir({ loading: true, error: null });
    try {
      const nodes = await api().call('backups.tree', {
        backup: s.backup,
        version: s.version,
        path,
        ...storeParam(),
        ...(s.sourceVolume ? { volume: s.sourceVolume } : {}),
        ...(s.password ? { password: s.password } : {}),
      });
      if (generation !== treeGeneration) return;
      patchDir({ nodes, loading: false });
      if (s.password) set({ passwordOk: true, passwordError: null });
    } catch (err) {
      if (generation !== treeGeneration) return;
      if (needsPassword(err) || isWrongPassword(err)) {
        // Nothing to show without the right password: ask for it (again).
        set((st) => ({
          tree: {},
          openDirs: [],
          passwordOk: false,
          rememberedStale: st.rememberedStale || needsPassword(err),
          passwordError: st.password ? WRONG_PASSWORD : needsPassword(err) && st.remembered ? 'The remembered password no longer opens this backup: enter the current one.' : null,
        }));
        return;
      }
      patchDir({ loading: false, error: errorText(err) });
    }
  },

  toggleDir(path) {
    const open = get().openDirs.includes(path);
    set((s) => ({ openDirs: open ? s.openDirs.filter((p) => p !== path) : [...s.openDirs, path] }));
    const dir = get().tree[path];
    if (!open && (!dir || (!dir.nodes && !dir.loading))) void get().loadDir(path);
  },

  toggleSelected(path) {
    const { selected, tree } = get();
    set({ selected: toggleSelection(selected, tree, path) });
  },

  async checkPassword() {
    const s = get();
    if (!s.password) {
      set({ passwordError: 'Enter the password.' });
      return false;
    }
    if (s.passwordOk) return true;
    set({ checkingPassword: true, passwordError: null });
    const generation = treeGeneration;
    try {
      const nodes = await api().call('backups.tree', {
        backup: s.backup!,
        ...(s.version ? { version: s.version } : {}),
        ...(s.sourceVolume ? { volume: s.sourceVolume } : {}),
        path: '',
        password: s.password,
        ...storeParam(),
      });
      if (generation === treeGeneration) set((st) => ({ tree: { ...st.tree, '': { nodes, loading: false, error: null } } }));
      set({ checkingPassword: false, passwordOk: true });
      return true;
    } catch (err) {
      set({ checkingPassword: false, passwordError: isWrongPassword(err) || needsPassword(err) ? WRONG_PASSWORD : friendlyError(err) });
      return false;
    }
  },

  async start(wanted) {
    set({ starting: true, startError: null, notEmptyRefused: false });
    const request = { ...wanted, ...storeParam() };
    try {
      const { jobId } = await api().call('jobs.startRestore', request);
      set((s) => ({ starting: false, phase: 'running', jobId, request, job: s.seenJobs[jobId] ?? null }));
      settle(get().job);
    } catch (err) {
      set({ starting: false });
      if (needsPassword(err)) {
        set({ rememberedStale: true, passwordOk: false, step: 'password', passwordError: get().password ? WRONG_PASSWORD : 'Enter the password of this backup.' });
      } else if (isWrongPassword(err)) {
        set({ passwordOk: false, step: 'password', passwordError: WRONG_PASSWORD });
      } else if (err instanceof ApiError && err.code === 'INVALID_ARGUMENT' && err.field === 'destinationDir') {
        // Only the engine can judge a folder of its machine: back to it, the problem beside the field.
        set({ step: 'target', folderProblem: err.problem ?? friendlyError(err) });
      } else if (errorCode(err) === 'DESTINATION_NOT_EMPTY') {
        set({ notEmptyRefused: true, confirmReplace: false, startError: friendlyError(err) });
      } else {
        set({ startError: friendlyError(err) });
      }
    }
  },

  async cancel() {
    const jobId = get().jobId;
    if (!jobId) return;
    try {
      await api().call('jobs.cancel', { jobId });
    } catch {
      // The job's own events say how it ended.
    }
  },

  backToReview() {
    const s = get();
    const refused = s.job?.state === 'failed' && s.job.error?.code === 'DESTINATION_NOT_EMPTY';
    set({ phase: 'edit', step: 'review', jobId: null, job: null, notEmptyRefused: refused, confirmReplace: refused ? false : s.confirmReplace, startError: null });
  },

  watch() {
    const off = api().on('job.updated', (job) => {
      set((s) => {
        const seenJobs = { ...s.seenJobs, [job.id]: job };
        const ids = Object.keys(seenJobs);
        if (ids.length > 50) delete seenJobs[ids[0]!];
        return job.id === s.jobId ? { seenJobs, job } : { seenJobs };
      });
      if (job.id === get().jobId) settle(job);
    });
    // Catch up with a restore that went on while the page was not shown.
    const jobId = get().jobId;
    if (jobId && get().phase === 'running') {
      void api()
        .call('jobs.list', {})
        .then((jobs) => {
          const job = jobs.find((j) => j.id === jobId);
          if (job && get().jobId === jobId) {
            set({ job });
            settle(job);
          }
        })
        .catch(() => undefined);
    }
    return off;
  },
}));

// Another store chosen (here or on the Backups page): what the wizard had chosen was of the other one.
useBackupsStore.subscribe((now, before) => {
  if (now.target !== before.target && useRestoreStore.getState().phase === 'edit') useRestoreStore.getState().reset();
});

function settle(job: JobDto | null): void {
  if (job && job.state !== 'running') useRestoreStore.setState({ phase: 'done' });
}

/** The parent folder of a path ('' for the top). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Whether `path` is chosen, itself or through a chosen folder above it. */
export function isChosen(selected: readonly string[], path: string): boolean {
  return selected.some((s) => s === path || path.startsWith(`${s}/`));
}

/** Some but not all of a folder is chosen. */
export function isPartlyChosen(selected: readonly string[], path: string): boolean {
  return !isChosen(selected, path) && selected.some((s) => s.startsWith(`${path}/`));
}

/**
 * Checks or unchecks one entry. Unchecking something inside a chosen folder
 * replaces that folder by its other (loaded) entries, level by level.
 */
export function toggleSelection(selected: readonly string[], tree: Record<string, TreeDir>, path: string): string[] {
  if (!isChosen(selected, path)) {
    return [...selected.filter((s) => !s.startsWith(`${path}/`)), path].sort();
  }
  if (selected.includes(path)) return selected.filter((s) => s !== path);
  const ancestor = selected.find((s) => path.startsWith(`${s}/`))!;
  const next = selected.filter((s) => s !== ancestor);
  // Walk down from the chosen folder to the entry, choosing every sibling on the way.
  let dir = ancestor;
  while (dir !== path) {
    const rest = path.slice(dir.length + 1);
    const child = `${dir}/${rest.split('/')[0]}`;
    for (const node of tree[dir]?.nodes ?? []) if (node.path !== child) next.push(node.path);
    dir = child;
  }
  return next.sort();
}
