import { useEffect, useId, useRef, useState } from 'react';
import type { ParamsOf } from '../../../shared/api/contract.ts';
import type { BackupDto, TargetDto, VolumeDto } from '../../../shared/api/dto.ts';
import { api } from '../../api/api.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { ContainersField } from './ContainersField.tsx';
import { HookPresets } from './HookPresets.tsx';
import { StackFields } from './StackFields.tsx';
import { BACKUP_NAME_RULE, backupNameProblem, defaultBackupName } from './backup-name.ts';
import { usePasswordStrength } from './password-strength.ts';
import { placeStartError, type PlacedError } from './start-error.ts';
import { StrengthMeter } from './StrengthMeter.tsx';
import { WeakPasswordConfirm } from './WeakPasswordConfirm.tsx';
import { WEAK_PROBLEM } from './weak-password.ts';
import { useStorageTargets, useStoreLookup, type TargetKey } from './use-store-lookup.ts';
import { choiceLabel, storeChoices } from '../../state/targets-store.ts';
import { Dialog } from '../Dialog.tsx';
import { PasswordField } from '../PasswordField.tsx';
import { Switch } from '../Switch.tsx';
import '../form-fields.css';
import './backup-dialog.css';

interface Props {
  volume: VolumeDto;
  /** More volumes backed up together with `volume`, in one version (the Volumes page's selection). */
  together?: VolumeDto[];
  /** A whole Compose stack instead (`volume` is one of its volumes): jobs.startStackBackup. */
  stack?: { name: string; volumes: VolumeDto[] };
  /** The store the pages show ('' the default): the dialog starts on it while it exists. */
  target?: TargetKey;
  onClose(): void;
}

/**
 * How the password part of the form looks:
 * - new: a new encrypted backup (password, confirmation, strength, remember);
 * - existing: an encrypted backup whose password must be typed;
 * - remembered: an encrypted backup whose password the keychain has (typing one is optional);
 * - none: not encrypted.
 */
type PasswordMode = 'new' | 'existing' | 'remembered' | 'none';

/** The store chosen when the dialog opens: the pages' one, else the default target, else the default store. */
function initialTarget(targets: TargetDto[], shown: TargetKey): TargetKey {
  if (shown && targets.some((t) => t.name === shown)) return shown;
  return targets.find((t) => t.isDefault)?.name ?? '';
}

/** The choices of the Storage select; the default store is one when no target is the default. */
function storageOptions(targets: TargetDto[], defaultLocation: string | null): { value: TargetKey; label: string }[] {
  return storeChoices(targets, defaultLocation).map((c) => ({ value: c.value, label: choiceLabel(c) }));
}

function existingNote(existing: BackupDto): string {
  if (existing.damaged) return `A backup named “${existing.name}” exists here but cannot be read.`;
  const kind = existing.encrypted ? 'encrypted' : 'not encrypted';
  return `“${existing.name}” already exists here (${kind}): this adds a new version to it.`;
}

/** Starts a backup of one volume: name, store, encryption, password, containers to stop. */
export function BackupDialog({ volume, together, stack, target: shownTarget = '', onClose }: Props) {
  const all = stack?.volumes ?? [volume, ...(together ?? [])];
  const users = [...new Map(all.flatMap((v) => v.usedBy).map((u) => [u.name, u])).values()];
  const [perVolume, setPerVolume] = useState(false);
  const go = useNavigation((s) => s.go);
  const ids = {
    name: useId(),
    nameHint: useId(),
    storage: useId(),
    storageHint: useId(),
    password: useId(),
    confirm: useId(),
    strength: useId(),
    remember: useId(),
    rememberHint: useId(),
    weakHint: useId(),
  };

  const [name, setName] = useState(() => defaultBackupName(stack?.name ?? volume.name));
  const [chosenTarget, setChosenTarget] = useState<TargetKey | null>(null);
  const [encryptChoice, setEncryptChoice] = useState(true);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [showPasswords, setShowPasswords] = useState(false);
  const [remember, setRemember] = useState(true);
  // A very weak password needs a second yes; typing another one takes it back.
  const [weakAccepted, setWeakAccepted] = useState(false);
  const [stop, setStop] = useState<Set<string>>(() => new Set(users.filter((u) => u.running).map((u) => u.name)));
  const [tried, setTried] = useState(false);
  const [confirmTouched, setConfirmTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<PlacedError | null>(null);
  /** The remembered password did not work: ask for one after all. */
  const [rememberedFailed, setRememberedFailed] = useState(false);

  const trimmedName = name.trim();
  const storage = useStorageTargets();
  // Until the user picks a store, the one the pages show (else the default one), once the targets are known.
  const target: TargetKey | null =
    chosenTarget ?? (storage.targets.state === 'ready' ? initialTarget(storage.targets.value, shownTarget) : storage.targets.state === 'error' ? '' : null);
  const lookup = useStoreLookup(target, trimmedName);

  const nameProblem = backupNameProblem(trimmedName);
  const backupsList = lookup.backups.state === 'ready' ? lookup.backups.value : [];
  const existing = nameProblem ? undefined : backupsList.find((b) => b.name === trimmedName);
  const encrypt = existing && !existing.damaged ? existing.encrypted : encryptChoice;
  const remembered = lookup.remembered?.state === 'ready' && lookup.remembered.value;
  const mode: PasswordMode = !encrypt ? 'none' : !existing || existing.damaged ? 'new' : remembered && !rememberedFailed ? 'remembered' : 'existing';

  const strength = usePasswordStrength(mode === 'new' ? password : '', [volume.name, trimmedName]);
  const ready = target !== null && lookup.backups.state !== 'loading' && (mode !== 'existing' || lookup.remembered?.state !== 'loading');
  // The store's backups could not be listed: whether the name is new, and so what to ask, is unknown.
  const unlooked = lookup.backups.state === 'error' ? lookup.backups.error : null;
  // The form appears once what it depends on is known, and then stays (later look-ups only disable Start).
  const [shown, setShown] = useState(false);
  if (ready && !shown) setShown(true);

  // Problems found here, before asking the engine.
  const passwordProblem =
    mode === 'new' && !password
      ? 'Choose a password for the new backup.'
      : mode === 'existing' && !password
        ? `Enter the password of “${trimmedName}”.`
        : null;
  const confirmProblem = mode === 'new' && password && confirm !== password ? 'The two passwords are not the same.' : null;
  const veryWeak = mode === 'new' && !!password && strength?.score === 0;
  const weakProblem = veryWeak && !weakAccepted ? WEAK_PROBLEM : null;
  const formProblem = existing?.damaged ? `“${existing.name}” cannot be read: ${existing.damaged}. Choose another name.` : null;

  const nameError = nameProblem ?? (serverError?.place === 'name' ? serverError.text : null);
  // The engine's word is the freshest; it goes as soon as the field changes or Start is pressed again.
  const passwordError = (serverError?.place === 'password' ? serverError.text : null) ?? (tried ? passwordProblem : null);
  const confirmError = tried || (confirmTouched && confirm) ? confirmProblem : null;
  const formError = formProblem ?? (serverError?.place === 'form' ? serverError.text : null);

  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const weakRef = useRef<HTMLInputElement>(null);

  // Once the form is known, put the cursor where typing starts: the password when one is needed.
  const focusedOnce = useRef(false);
  useEffect(() => {
    if (!shown || focusedOnce.current) return;
    focusedOnce.current = true;
    const active = document.activeElement;
    if (active && active !== document.body && active.tagName !== 'DIALOG') return; // the user already moved
    (mode === 'new' || mode === 'existing' ? passwordRef.current : nameRef.current)?.focus();
  }, [shown, mode]);

  // After a failed start, focus goes to what needs fixing, once the fields are enabled again.
  const [focusAfter, setFocusAfter] = useState<'name' | 'password' | 'start' | null>(null);
  useEffect(() => {
    if (busy || !focusAfter) return;
    ({ name: nameRef, password: passwordRef, start: startRef })[focusAfter].current?.focus();
    setFocusAfter(null);
  }, [busy, focusAfter]);

  const clearServerError = (place?: PlacedError['place']) => {
    if (serverError && (!place || serverError.place === place || serverError.place === 'form')) setServerError(null);
  };

  async function start() {
    if (busy || !ready || target === null || unlooked !== null) return;
    setTried(true);
    setServerError(null);
    if (nameProblem) return nameRef.current?.focus();
    if (passwordProblem) return passwordRef.current?.focus();
    if (confirmProblem) return confirmRef.current?.focus();
    if (weakProblem) return weakRef.current?.focus();
    if (formProblem) return nameRef.current?.focus();

    const params: ParamsOf<'jobs.startBackup'> = {
      volumes: all.map((v) => v.name),
      backup: trimmedName,
      encrypt,
      stopContainers: users.filter((u) => u.running && stop.has(u.name)).map((u) => u.name),
      rememberPassword: mode === 'remembered' ? password.length > 0 : mode !== 'none' && remember,
    };
    if (mode !== 'none' && password) params.password = password;
    if (target) params.target = target;

    setBusy(true);
    setServerError(null);
    try {
      if (stack) {
        const { volumes: _volumes, stopContainers: _stop, ...rest } = params;
        // The engine stops the stack's running containers itself, in dependency order.
        await api().call('jobs.startStackBackup', { ...rest, stack: stack.name, perVolume });
      } else await api().call('jobs.startBackup', params);
      onClose();
      go('activity');
    } catch (err) {
      const placed = placeStartError(err);
      setServerError(placed);
      setBusy(false);
      if (placed.place === 'password') {
        // Only when the keychain's password failed (not one the user typed) is it asked for from now on.
        if (mode === 'remembered' && !password) setRememberedFailed(true);
        setFocusAfter('password');
      } else if (placed.place === 'name') {
        setFocusAfter('name');
      } else {
        // The store may have changed under us (e.g. the backup was created meanwhile): look again.
        if (placed.code === 'USAGE' || placed.code === 'ALREADY_EXISTS') lookup.invalidate();
        setFocusAfter('start');
      }
    }
  }

  const options = storageOptions(storage.targets.state === 'ready' ? storage.targets.value : [], storage.defaultLocation);
  const storageHint =
    storage.targets.state === 'error'
      ? `Could not list the storage targets (${storage.targets.error}) — the default store is used.`
      : unlooked !== null
        ? 'Could not look into this store (see below).'
        : `The backup is written to ${target ? `target ${target}` : 'the default store'}. Targets are set up in Settings.`;
  const nameHint = existing
    ? existingNote(existing)
    : lookup.backups.state === 'ready' && trimmedName
      ? `A new backup. ${BACKUP_NAME_RULE}`
      : BACKUP_NAME_RULE;

  const footer = (
    <>
      <button type="button" className="button" onClick={onClose} disabled={busy}>
        Cancel
      </button>
      <button ref={startRef} type="submit" className="button button-primary backup-start" disabled={busy || !ready || unlooked !== null}>
        {busy ? 'Starting…' : 'Start backup'}
      </button>
    </>
  );

  return (
    <Dialog
      title={stack ? `Back up stack ${stack.name}` : all.length > 1 ? `Back up ${all.length} volumes` : `Back up ${volume.name}`}
      description={
        all.length > 1
          ? `Saves ${all.map((v) => v.name).join(', ')} together as one new version of a backup; only what changed since the last one is stored again.`
          : 'Saves the volume’s files as a new version of a backup; only what changed since the last one is stored again.'
      }
      onClose={onClose}
      busy={busy}
      onSubmit={() => void start()}
      footer={footer}
      width="wide"
    >
      {!shown ? (
        <div className="backup-form-loading" role="status" aria-label="Loading">
          <span className="spinner backup-delayed" aria-hidden="true" />
        </div>
      ) : (
        <div className="backup-form">
          <div className="field">
            <label className="field-label" htmlFor={ids.name}>
              Backup name
            </label>
            <input
              ref={nameRef}
              id={ids.name}
              className="text-input"
              value={name}
              autoComplete="off"
              spellCheck={false}
              maxLength={200}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={ids.nameHint}
              disabled={busy}
              onChange={(e) => {
                setName(e.target.value);
                setRememberedFailed(false);
                clearServerError('name');
              }}
            />
            <p id={ids.nameHint} className={`field-hint${nameError ? ' field-error' : ''}`}>
              {nameError ?? nameHint}
            </p>
          </div>

          <div className="field">
            <label className="field-label" htmlFor={ids.storage}>
              Storage
            </label>
            <select
              id={ids.storage}
              className="select-input"
              value={target ?? ''}
              aria-describedby={ids.storageHint}
              disabled={busy}
              onChange={(e) => {
                setChosenTarget(e.target.value);
                setRememberedFailed(false);
                clearServerError();
              }}
            >
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <p id={ids.storageHint} className={`field-hint${lookup.backups.state === 'error' ? ' field-error' : ''}`}>
              {storageHint}
            </p>
          </div>

          {unlooked !== null ? (
            <div className="form-error backup-unlooked" role="alert">
              <p>
                Could not list the backups in {target ? `target ${target}` : 'the default store'}: {unlooked}
              </p>
              <p>Whether “{trimmedName || 'this backup'}” already exists there (and how it is protected) is unknown, so the backup cannot be set up yet.</p>
              <button type="button" className="button" onClick={() => lookup.invalidate()}>
                Try again
              </button>
            </div>
          ) : (
            <>
            <div className="field field-switch">
              <Switch
                label="Encrypt"
                checked={encrypt}
                disabled={busy || (!!existing && !existing.damaged)}
                onChange={(on) => {
                  setEncryptChoice(on);
                  clearServerError();
                }}
                description={
                  existing && !existing.damaged
                    ? `Fixed: “${existing.name}” was created ${existing.encrypted ? 'encrypted' : 'without encryption'}, and that cannot change.`
                    : encrypt
                      ? 'Only someone with the password can read or restore this backup.'
                      : 'Anyone who can read the storage can read these files.'
                }
              />
            </div>

            {mode !== 'none' && (
              <div className="password-group">
                <div className={`password-fields${mode === 'new' ? ' is-pair' : ''}`}>
                  <PasswordField
                    id={ids.password}
                    inputRef={passwordRef}
                    label={mode === 'new' ? 'Password' : `Password of ${trimmedName}`}
                    value={password}
                    autoComplete={mode === 'new' ? 'new-password' : 'current-password'}
                    shown={showPasswords}
                    onToggleShown={() => setShowPasswords((v) => !v)}
                    error={passwordError}
                    describedBy={mode === 'new' ? ids.strength : undefined}
                    disabled={busy}
                    onChange={(value) => {
                      setPassword(value);
                      setWeakAccepted(false);
                      clearServerError('password');
                    }}
                    hint={
                      mode === 'new'
                        ? 'Nobody can recover it if it is lost.'
                        : mode === 'remembered'
                          ? 'Remembered in the keychain: leave this empty to use it.'
                          : lookup.remembered?.state === 'loading'
                            ? 'Checking the keychain…'
                            : 'The password this backup was created with.'
                    }
                  />

                  {mode === 'new' && (
                    <PasswordField
                      id={ids.confirm}
                      inputRef={confirmRef}
                      label="Confirm password"
                      value={confirm}
                      autoComplete="new-password"
                      shown={showPasswords}
                      onToggleShown={false}
                      error={confirmError}
                      hint="Type it once more."
                      disabled={busy}
                      onChange={setConfirm}
                      onBlur={() => setConfirmTouched(true)}
                    />
                  )}
                </div>

                {mode === 'new' && <StrengthMeter strength={strength} id={ids.strength} />}

                {veryWeak && (
                  <WeakPasswordConfirm
                    accepted={weakAccepted}
                    onChange={setWeakAccepted}
                    problem={tried ? weakProblem : null}
                    hintId={ids.weakHint}
                    inputRef={weakRef}
                    disabled={busy}
                  />
                )}

                {mode !== 'remembered' && (
                  <div className="field">
                    <label className="check-row">
                      <input
                        id={ids.remember}
                        type="checkbox"
                        checked={remember}
                        disabled={busy}
                        aria-describedby={ids.rememberHint}
                        onChange={(e) => setRemember(e.target.checked)}
                      />
                      <span>Remember in keychain</span>
                    </label>
                    <p id={ids.rememberHint} className="field-hint check-hint">
                      Then later backups, restores and checks of this backup need no password.
                    </p>
                  </div>
                )}
              </div>
            )}
            </>
          )}

          {stack ? (
            <StackFields stack={stack.name} users={users} perVolume={perVolume} disabled={busy} onPerVolume={setPerVolume} backup={trimmedName} volumes={all.map((v) => v.name)} />
          ) : (
            <ContainersField users={users} selected={stop} disabled={busy} onChange={setStop} />
          )}

          <HookPresets users={users} />

          {formError && (
            <div className="form-error" role="alert">
              {formError}
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
