import type { TabKey } from '../../shared/api/ws-transport.ts';

const KEY_ITEM = 'dvom-tab-key';
const SENT_ITEM = 'dvom-tab-key-sent';

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * This tab's key for `dvom serve` (protocol.ts): made once per tab and kept in
 * its sessionStorage (so a reload keeps it), bound to the session on the first
 * connection, and afterwards only ever used to answer a restarted server's
 * challenge, never sent again.
 */
export function tabKey(win: Window): TabKey {
  const storage = win.sessionStorage;
  let key = storage.getItem(KEY_ITEM);
  if (!key || !/^[A-Za-z0-9_-]{43}$/.test(key)) {
    key = base64url(win.crypto.getRandomValues(new Uint8Array(32)));
    storage.setItem(KEY_ITEM, key);
    storage.removeItem(SENT_ITEM);
  }
  const own = key;
  return {
    toBind: () => (storage.getItem(SENT_ITEM) ? undefined : own),
    bound: () => storage.setItem(SENT_ITEM, '1'),
    async prove(nonce) {
      const hmac = await win.crypto.subtle.importKey('raw', fromBase64url(own), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return base64url(await win.crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(nonce)));
    },
  };
}
