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

/** Text without control characters or backslashes: nothing to escape. */
const PLAIN = /^[\x20-\x5b\x5d-\x7e\u00a0-\uffff]*$/;

/**
 * Text from a volume (a file name, a link target, an owner name) as it may be
 * shown on a terminal: C0 and C1 control characters and DEL become \xNN and a
 * backslash becomes \\, as `ls -b` shows them, so a crafted name cannot move
 * the cursor, rewrite the window title or fake lines. JSON output keeps the text as is.
 */
export function printable(text: string): string {
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

export function longLine(row: EntryRow): string {
  const owner = printable(`${row.user ?? row.uid}/${row.group ?? row.gid}`);
  const target = printable(row.linkTarget ?? '');
  const name = printable(row.path) + (row.type === 'symlink' ? ` -> ${target}` : row.type === 'hardlink' ? ` => ${target}` : '');
  return `${modeString(row.type, row.mode)}  ${owner.padEnd(15)}  ${String(row.size).padStart(12)}  ${formatDate(row.mtime)}  ${name}`;
}
