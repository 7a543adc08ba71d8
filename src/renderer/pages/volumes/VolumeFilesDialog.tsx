import { useEffect, useState } from 'react';
import type { TreeNodeDto } from '../../../shared/api/dto.ts';
import { formatBytes } from '../../../shared/format.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { Dialog } from '../../components/Dialog.tsx';
import '../../components/form-fields.css';
import './volumes.css';

interface Props {
  volume: string;
  onClose(): void;
}

/** What was read, and of which folder: a listing of another folder than the one chosen is never shown. */
type Listing =
  | { state: 'loading' }
  | { state: 'ready'; volume: string; path: string; nodes: TreeNodeDto[] }
  | { state: 'error'; volume: string; path: string; error: string };

const TYPE_WORDS: Record<TreeNodeDto['type'], string> = {
  file: 'file',
  dir: 'folder',
  symlink: 'link',
  hardlink: 'hard link',
  char: 'device',
  block: 'device',
  fifo: 'pipe',
};

/** The files of a volume as they are now, one folder at a time (read-only). */
export function VolumeFilesDialog({ volume, onClose }: Props) {
  const [path, setPath] = useState('');
  const [read, setRead] = useState<Listing>({ state: 'loading' });
  // Right after a click the previous folder's listing is still held, under the new folder's name, for a render.
  const listing: Listing = read.state !== 'loading' && read.volume === volume && read.path === path ? read : { state: 'loading' };

  useEffect(() => {
    let current = true;
    api()
      .call('volumes.tree', { volume, path })
      .then(
        (nodes) => current && setRead({ state: 'ready', volume, path, nodes }),
        (err: unknown) => current && setRead({ state: 'error', volume, path, error: errorText(err) }),
      );
    return () => {
      current = false;
    };
  }, [volume, path]);

  const parts = path ? path.split('/') : [];
  const footer = (
    <button type="button" className="button" onClick={onClose}>
      Close
    </button>
  );
  return (
    <Dialog title={`Files of ${volume}`} description="What the volume holds now. Nothing here can be changed." onClose={onClose} footer={footer} width="wide">
      <nav className="files-path" aria-label="Folder">
        <button type="button" className="link-button" aria-current={parts.length ? undefined : 'location'} onClick={() => setPath('')}>
          {volume}
        </button>
        {parts.map((part, i) => (
          <span key={i}>
            <span aria-hidden="true"> / </span>
            <button
              type="button"
              className="link-button"
              aria-current={i === parts.length - 1 ? 'location' : undefined}
              onClick={() => setPath(parts.slice(0, i + 1).join('/'))}
            >
              {part}
            </button>
          </span>
        ))}
      </nav>
      <div className="files-frame">
        {listing.state === 'loading' && (
          <p className="muted" role="status">
            Reading the folder…
          </p>
        )}
        {listing.state === 'error' && (
          <p className="form-error" role="alert">
            Could not read this folder: {listing.error}
          </p>
        )}
        {listing.state === 'ready' && !listing.nodes.length && <p className="muted">This folder is empty.</p>}
        {listing.state === 'ready' && listing.nodes.length > 0 && (
          <ul className="files-list" aria-label={`Contents of ${path || volume}`}>
            {listing.nodes.map((n) => (
              <li key={n.path}>
                {n.type === 'dir' ? (
                  <button type="button" className="link-button file-name is-dir" onClick={() => setPath(n.path)}>
                    {n.name}/
                  </button>
                ) : (
                  <span className="file-name">{n.name}</span>
                )}
                <span className="muted file-meta">{n.type === 'file' ? formatBytes(n.size) : TYPE_WORDS[n.type]}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}
