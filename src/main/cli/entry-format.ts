import type { EntryRow } from '../services/browse.ts';
import { formatDate } from '../../shared/format.ts';

/** `ls -l`-style lines for entries: mode, owner, size, mtime, name. */

const TYPE_CHAR: Record<EntryRow['type'], string> = { file: '-', hardlink: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' };

/** 'drwxr-xr-x', with s/S and t/T for setuid, setgid and sticky. */
export function modeString(type: EntryRow['type'], mode: number): string {
  const bit = (mask: number, ch: string) => (mode & mask ? ch : '-');
  const special = (exec: number, flag: number, on: string) => {
    const x = (mode & exec) !== 0;
    if (mode & flag) return x ? on : on.toUpperCase();
    return x ? 'x' : '-';
  };
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't')
  );
}

export function longLine(row: EntryRow): string {
  const owner = `${row.user ?? row.uid}/${row.group ?? row.gid}`;
  const name = row.path + (row.type === 'symlink' ? ` -> ${row.linkTarget ?? ''}` : row.type === 'hardlink' ? ` => ${row.linkTarget ?? ''}` : '');
  return `${modeString(row.type, row.mode)}  ${owner.padEnd(15)}  ${String(row.size).padStart(12)}  ${formatDate(row.mtime)}  ${name}`;
}
