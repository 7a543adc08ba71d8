import { useEffect, useRef } from 'react';
import type { TreeNodeDto } from '../../../shared/api/dto.ts';
import { formatBytes } from '../../../shared/format.ts';
import { isChosen, isPartlyChosen, useRestoreStore } from '../../state/restore-store.ts';
import { ChevronIcon, FileIcon, FolderIcon } from '../../components/icons.tsx';

/**
 * The files and folders of the version, a folder's entries loaded when it is
 * opened. A checked folder means everything in it; its entries show checked.
 */
export function FileTree() {
  const root = useRestoreStore((s) => s.tree[''] ?? null);
  const loadDir = useRestoreStore((s) => s.loadDir);

  useEffect(() => {
    if (!root) void loadDir('');
  }, [root, loadDir]);

  return (
    <div className="br-file-tree-frame">
      <DirEntries path="" label="Files and folders" />
    </div>
  );
}

function DirEntries({ path, label }: { path: string; label: string }) {
  const dir = useRestoreStore((s) => s.tree[path]);
  const loadDir = useRestoreStore((s) => s.loadDir);
  if (!dir || (dir.loading && !dir.nodes)) {
    return (
      <p className="br-tree-message muted" role="status">
        <span className="spinner br-spinner-small" aria-hidden="true" /> Loading…
      </p>
    );
  }
  if (dir.error) {
    return (
      <div className="br-tree-message" role="alert">
        <span className="error-message">Cannot open {path || 'the version'}: {dir.error}</span>
        <button type="button" className="button br-button-small" onClick={() => void loadDir(path)}>
          Retry
        </button>
      </div>
    );
  }
  if (!dir.nodes?.length) return <p className="br-tree-message muted">{path ? 'This folder is empty.' : 'This version is empty.'}</p>;
  return (
    <ul className="br-file-tree" aria-label={label}>
      {dir.nodes.map((node) => (
        <Entry key={node.path} node={node} />
      ))}
    </ul>
  );
}

function Entry({ node }: { node: TreeNodeDto }) {
  const selected = useRestoreStore((s) => s.selected);
  const open = useRestoreStore((s) => s.openDirs.includes(node.path));
  const toggleDir = useRestoreStore((s) => s.toggleDir);
  const toggleSelected = useRestoreStore((s) => s.toggleSelected);
  const box = useRef<HTMLInputElement>(null);
  const isDir = node.type === 'dir';
  const checked = isChosen(selected, node.path);
  const partly = isDir && isPartlyChosen(selected, node.path);

  useEffect(() => {
    if (box.current) box.current.indeterminate = partly;
  }, [partly]);

  return (
    <li className="br-tree-entry">
      <div className="br-tree-row">
        {isDir ? (
          <button
            type="button"
            className="br-tree-toggle"
            aria-expanded={open}
            aria-label={`Contents of ${node.name}`}
            onClick={() => toggleDir(node.path)}
          >
            <ChevronIcon className="br-chevron" />
          </button>
        ) : (
          <span className="br-tree-toggle-space" aria-hidden="true" />
        )}
        <label className="br-tree-label">
          <input ref={box} type="checkbox" checked={checked} onChange={() => toggleSelected(node.path)} />
          {isDir ? <FolderIcon className="br-tree-icon br-folder" /> : <FileIcon className="br-tree-icon" />}
          <span className="br-tree-name">{node.name}</span>
        </label>
        <span className="br-tree-size muted small">{isDir ? '' : node.type === 'file' ? formatBytes(node.size) : kindLabel(node.type)}</span>
      </div>
      {isDir && open && (
        <div className="br-tree-children">
          <DirEntries path={node.path} label={`Contents of ${node.name}`} />
        </div>
      )}
    </li>
  );
}

function kindLabel(type: TreeNodeDto['type']): string {
  switch (type) {
    case 'symlink':
      return 'link';
    case 'hardlink':
      return 'hard link';
    case 'fifo':
      return 'pipe';
    default:
      return type;
  }
}
