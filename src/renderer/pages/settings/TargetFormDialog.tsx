import { useId, useRef, useState, type Ref } from 'react';
import type { TargetDto } from '../../../shared/api/dto.ts';
import { useSettingsStore, type TargetTest } from '../../state/settings-store.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Field, noteId } from '../../components/Field.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';
import {
  effectivePathStyle,
  emptyForm,
  FIELD_ORDER,
  formFromTarget,
  keepsStoredSecret,
  toTargetInput,
  validateForm,
  type FieldName,
  type FormErrors,
  type TargetForm,
} from './target-form.ts';

interface Props {
  /** The target to edit, or null to add one. */
  editing: TargetDto | null;
  existingNames: readonly string[];
  /** The keychain's name, for the note under the secret key. */
  keychain: string | null;
  onClose(): void;
  onSaved(saved: TargetDto): void;
  fallbackFocus(): HTMLElement | null;
}

/**
 * Add or edit a storage target: a local folder or an S3 bucket. Saving tests
 * the connection first; a failed test is shown, and the target is saved only
 * when asked again explicitly (Save anyway).
 */
export function TargetFormDialog({ editing, existingNames, keychain, onClose, onSaved, fallbackFocus }: Props) {
  const save = useSettingsStore((s) => s.save);
  const testSettings = useSettingsStore((s) => s.testSettings);
  const [testing, setTesting] = useState(false);
  /** Why the connection test of these settings failed; cleared when they change. */
  const [testFailed, setTestFailed] = useState<string | null>(null);
  const [form, setForm] = useState<TargetForm>(() => (editing ? formFromTarget(editing) : emptyForm()));
  const [errors, setErrors] = useState<FormErrors>({});
  /** After the first Save, fields are checked as they change. */
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const fields = useRef<Partial<Record<FieldName, HTMLInputElement | null>>>({});
  const idPrefix = useId();
  const id = (field: string) => `${idPrefix}-${field}`;
  const ctx = { editing, existingNames };

  const update = (patch: Partial<TargetForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    setSaveError(null);
    setTestFailed(null);
    if (submitted) setErrors(validateForm(next, ctx));
  };

  /** `retest`: test again even after a failed test (else Save after a failure saves anyway). */
  const submit = async (retest = false) => {
    if (saving || testing) return;
    setSubmitted(true);
    const found = validateForm(form, ctx);
    setErrors(found);
    const first = FIELD_ORDER.find((f) => found[f]);
    if (first) {
      setSaveError(null);
      fields.current[first]?.focus();
      return;
    }
    const name = editing?.name ?? form.name.trim();
    const input = toTargetInput(form);
    setSaveError(null);
    let tested: TargetTest;
    if (testFailed === null || retest) {
      setTesting(true);
      setTestFailed(null);
      try {
        tested = { state: 'ok', location: await testSettings(name, input) };
      } catch (err) {
        setTestFailed((err as Error).message);
        setTesting(false);
        return;
      }
      setTesting(false);
    } else {
      tested = { state: 'failed', message: testFailed };
    }
    setSaving(true);
    try {
      const saved = await save(name, input, form.makeDefault && !editing?.isDefault, tested);
      onSaved(saved);
    } catch (err) {
      setSaveError((err as Error).message);
      setSaving(false);
    }
  };

  const bind = (field: FieldName) => ({
    id: id(field),
    error: errors[field],
    inputRef: (el: HTMLInputElement | null) => {
      fields.current[field] = el;
    },
  });

  const keychainName = keychain ? `the keychain (${keychain})` : 'the keychain';
  const keepsSecret = form.kind === 's3' && keepsStoredSecret(form, editing);

  return (
    <Dialog
      title={editing ? `Edit ${editing.name}` : 'Add a storage target'}
      description={editing ? 'Change where this target stores backups.' : 'A local folder or an S3 bucket where DVOM can store backups.'}
      className="settings-target-dialog"
      width="wide"
      onClose={onClose}
      busy={saving || testing}
      onSubmit={() => void submit()}
      initialFocus={() => fields.current[editing ? (editing.type === 'local' ? 'path' : 'endpoint') : 'name'] ?? null}
      fallbackFocus={fallbackFocus}
      footer={
        <>
          <p className="dialog-message" role="alert">
            {saveError ?? (testFailed === null ? '' : `The connection test failed: ${testFailed} Correct the settings, or save anyway.`)}
          </p>
          <button type="button" className="button" onClick={onClose} disabled={saving || testing}>
            Cancel
          </button>
          {testFailed !== null && (
            <button type="button" className="button" onClick={() => void submit(true)} disabled={saving || testing}>
              Test again
            </button>
          )}
          <button type="submit" className="button button-primary" aria-disabled={saving || testing || undefined}>
            {testing ? 'Testing connection…' : saving ? 'Saving…' : testFailed !== null ? 'Save anyway' : editing ? 'Save changes' : 'Add target'}
          </button>
        </>
      }
    >
      <TextField
        {...bind('name')}
        label="Name"
        value={form.name}
        onChange={(name) => update({ name })}
        readOnly={!!editing}
        hint={editing ? 'A target keeps its name: to rename it, add a new target and remove this one.' : 'How you and the dvom command refer to it, e.g. nas or offsite.'}
      />

      <fieldset className="settings-field settings-type-choice" disabled={!!editing}>
        <legend className="settings-field-label">Type</legend>
        <div className="settings-segmented">
          <label className="settings-segment">
            <input type="radio" name={id('kind')} checked={form.kind === 'local'} onChange={() => update({ kind: 'local' })} />
            <span>Local folder</span>
          </label>
          <label className="settings-segment">
            <input type="radio" name={id('kind')} checked={form.kind === 's3'} onChange={() => update({ kind: 's3' })} />
            <span>S3 bucket</span>
          </label>
        </div>
      </fieldset>

      {form.kind === 'local' ? (
        <TextField
          {...bind('path')}
          label="Folder"
          value={form.path}
          onChange={(path) => update({ path })}
          mono
          placeholder="/mnt/nas/dvom"
          hint="The full path of a folder on this computer or a mounted share. DVOM creates it when needed."
        />
      ) : (
        <div className="settings-field-grid">
          <TextField
            {...bind('endpoint')}
            className="settings-span-2"
            label="Endpoint"
            type="url"
            value={form.endpoint}
            onChange={(endpoint) => update({ endpoint })}
            mono
            placeholder="https://s3.example.com"
            hint="Leave empty for Amazon S3. For MinIO, Ceph and others: the server’s address."
          />
          <TextField
            {...bind('region')}
            label="Region"
            value={form.region}
            onChange={(region) => update({ region })}
            placeholder="us-east-1"
            hint="Leave empty for us-east-1 (or AWS_REGION)."
          />
          <TextField {...bind('bucket')} label="Bucket" value={form.bucket} onChange={(bucket) => update({ bucket })} hint="The bucket must exist already." />
          <TextField
            {...bind('prefix')}
            label="Prefix"
            value={form.prefix}
            onChange={(prefix) => update({ prefix })}
            mono
            placeholder="dvom/"
            hint="Optional: a folder inside the bucket."
          />
          <CheckField
            id={id('path-style')}
            label="Path-style addressing"
            checked={effectivePathStyle(form)}
            onChange={(pathStyle) => update({ pathStyle })}
            hint="The bucket in the path, not the host name. Most self-hosted servers need it."
          />
          <TextField
            {...bind('accessKeyId')}
            label="Access key"
            value={form.accessKeyId}
            onChange={(accessKeyId) => update({ accessKeyId })}
            mono
            hint="Leave both keys empty to use the AWS credentials of the environment."
          />
          <PasswordField
            {...bind('secretAccessKey')}
            label="Secret key"
            secretWord="key"
            autoComplete="off"
            inputClassName="mono"
            onChange={(secretAccessKey) => update({ secretAccessKey })}
            placeholder={keepsSecret ? 'Stored: leave empty to keep it' : ''}
            hint={
              keepsSecret
                ? `A secret key is stored in ${keychainName}. Leave empty to keep it, or enter a new one.`
                : `Kept in ${keychainName}, never in the config file.`
            }
          />
        </div>
      )}

      <CheckField
        id={id('default')}
        label="Make default"
        checked={form.makeDefault}
        disabled={!!editing?.isDefault}
        onChange={(makeDefault) => update({ makeDefault })}
        hint={editing?.isDefault ? 'This is the default target: new backups go here.' : 'New backups go to the default target.'}
      />
    </Dialog>
  );
}

interface FieldProps {
  id: string;
  label: string;
  hint: string;
  error?: string | undefined;
  className?: string;
  inputRef?: Ref<HTMLInputElement>;
  placeholder?: string;
  mono?: boolean;
}

function TextField(props: FieldProps & { value: string; onChange(value: string): void; readOnly?: boolean; type?: 'text' | 'url' }) {
  const { id, label, hint, error, className, inputRef, placeholder, mono, value, onChange, readOnly, type = 'text' } = props;
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <input
        id={id}
        ref={inputRef}
        className={`text-input${mono ? ' mono' : ''}`}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        readOnly={readOnly}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={noteId(id)}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
    </Field>
  );
}

function CheckField(props: { id: string; label: string; hint: string; checked: boolean; disabled?: boolean; onChange(checked: boolean): void }) {
  const { id, label, hint, checked, disabled, onChange } = props;
  return (
    <div className="field settings-check-field">
      <label className="check-row" htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={noteId(id)} />
        <span>{label}</span>
      </label>
      <p id={noteId(id)} className="field-hint">
        {hint}
      </p>
    </div>
  );
}
