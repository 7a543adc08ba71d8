/**
 * The Electron IPC bridge (registerIpcApi + createPreloadApi) with fakes of
 * ipcMain / ipcRenderer / webContents: only our own window's main frame may
 * call, refused calls never reach the dispatcher, events reach the window and
 * every subscription unsubscribes on its own.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { ApiClient, ApiError } from '../../src/shared/api/client.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../src/main/electron/ipc-api.ts';
import { createPreloadApi } from '../../src/main/electron/preload-api.ts';
import { createIpcHarness, isolateEnvironment, type IpcHarness } from './transports.ts';

const envDir = isolateEnvironment();
after(() => fs.rm(envDir, { recursive: true, force: true }));

describe('IPC bridge security', () => {
  let h: IpcHarness;
  beforeEach(async () => {
    h = await createIpcHarness();
  });
  afterEach(() => h.close());

  async function rawInvoke(method: string, params: unknown): Promise<unknown> {
    return h.ipc.ipcRenderer.invoke(INVOKE_CHANNEL, method, params);
  }

  it('answers calls from the trusted main frame', async () => {
    const info = await h.client.call('app.info', {});
    assert.equal(info.keychain, 'test keychain');
    assert.equal(info.storeLocation, h.backupDir);
    assert.equal(h.dispatcher.calls.length, 1);
  });

  const refused: { name: string; frame: IpcHarness['ipc']['senderFrame'] }[] = [
    { name: 'a foreign page (https://evil.example/)', frame: { url: 'https://evil.example/', parent: null } },
    { name: 'a look-alike scheme host (app://dvom.evil.example/)', frame: { url: 'app://dvom.evil.example/index.html', parent: null } },
    { name: 'a file: page', frame: { url: 'file:///etc/passwd', parent: null } },
    { name: 'a subframe of our own page (non-null parent)', frame: { url: 'app://dvom/index.html', parent: { url: 'app://dvom/index.html' } } },
    { name: 'a foreign subframe', frame: { url: 'https://evil.example/', parent: { url: 'app://dvom/index.html' } } },
    { name: 'an unknown (null) sender frame', frame: null },
  ];
  for (const { name, frame } of refused) {
    it(`refuses a call from ${name} with FORBIDDEN, before any handler runs`, async () => {
      h.ipc.senderFrame = frame;
      const secretsBefore = h.secrets.entries.size;
      const outcome = await rawInvoke('secrets.setPassword', { backup: 'x', password: 'p' });
      assert.deepEqual(Object.keys(outcome as object).sort(), ['error', 'ok']);
      const { ok, error } = outcome as { ok: boolean; error: { code: string; message: string } };
      assert.equal(ok, false);
      assert.equal(error.code, 'FORBIDDEN');
      assert.equal(typeof error.message, 'string');
      assert.equal(h.dispatcher.calls.length, 0, 'the dispatcher was reached');
      assert.equal(h.secrets.entries.size, secretsBefore);

      // Through the preload and the typed client the refusal is an ApiError with the code.
      await assert.rejects(h.client.call('app.info', {}), (err: unknown) => err instanceof ApiError && err.code === 'FORBIDDEN');
      assert.equal(h.dispatcher.calls.length, 0);

      // The same bridge serves the trusted frame again.
      h.ipc.senderFrame = { url: 'app://dvom/index.html', parent: null };
      assert.equal((await h.client.call('app.info', {})).keychain, 'test keychain');
      assert.equal(h.dispatcher.calls.length, 1);
    });
  }

  it('unknown methods and bad params come back as {ok:false} outcomes, never as thrown IPC errors', async () => {
    const unknown = (await rawInvoke('nope', {})) as { ok: boolean; error: { code: string } };
    assert.equal(unknown.ok, false);
    assert.equal(unknown.error.code, 'UNKNOWN_METHOD');
    const invalid = (await rawInvoke('backups.versions', { backup: '../x' })) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(invalid.ok, false);
    assert.equal(invalid.error.code, 'INVALID_ARGUMENT');
    assert.match(invalid.error.message, /backup/);
  });

  it('delivers events to the window and each unsubscribe stops only its own listener', async () => {
    const transport = createPreloadApi(h.ipc.ipcRenderer);
    const a: string[] = [];
    const b: string[] = [];
    const c: string[] = [];
    const unA = transport.subscribe((event) => a.push(event));
    const unB = transport.subscribe((event) => b.push(event));
    // The same function subscribed twice is two subscriptions.
    const shared = (event: string) => c.push(event);
    const unC1 = transport.subscribe(shared);
    const unC2 = transport.subscribe(shared);
    assert.equal(h.ipc.ipcRenderer.listenerCount(EVENT_CHANNEL), 4);

    h.app.events.emit('backups.changed', {});
    assert.deepEqual(h.ipc.webContents.sent, [{ channel: EVENT_CHANNEL, args: ['backups.changed', {}] }]);
    assert.deepEqual([a, b, c], [['backups.changed'], ['backups.changed'], ['backups.changed', 'backups.changed']]);

    unA();
    h.app.events.emit('volumes.changed', {});
    assert.deepEqual(a, ['backups.changed']);
    assert.deepEqual(b, ['backups.changed', 'volumes.changed']);
    assert.equal(c.length, 4);

    unC1();
    h.app.events.emit('volumes.changed', {});
    assert.equal(c.length, 5, 'the second subscription of the same function still receives');
    assert.equal(b.length, 3);

    // Unsubscribing twice does not remove anybody else.
    unA();
    unC1();
    h.app.events.emit('backups.changed', {});
    assert.equal(b.length, 4);
    assert.equal(c.length, 6);

    unB();
    unC2();
    assert.equal(h.ipc.ipcRenderer.listenerCount(EVENT_CHANNEL), 0);
    h.app.events.emit('backups.changed', {});
    assert.deepEqual([a.length, b.length, c.length], [1, 4, 6]);
  });

  it('the typed client filters events by name and payloads arrive as clones', async () => {
    const client = new ApiClient(createPreloadApi(h.ipc.ipcRenderer));
    const jobs: unknown[] = [];
    const changed: unknown[] = [];
    const off1 = client.on('job.updated', (p) => jobs.push(p));
    const off2 = client.on('backups.changed', (p) => changed.push(p));
    const payload = { id: 'job-000000000000' } as never;
    h.app.events.emit('job.updated', payload);
    h.app.events.emit('backups.changed', {});
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0], payload);
    assert.notEqual(jobs[0], payload, 'the payload crossed IPC by value');
    assert.equal(changed.length, 1);
    off1();
    off2();
  });

  it('sends no events to a destroyed window, and unregistering removes the handler and the event forwarding', async () => {
    h.ipc.webContents.destroyed = true;
    h.app.events.emit('backups.changed', {});
    assert.equal(h.ipc.webContents.sent.length, 0);
    h.ipc.webContents.destroyed = false;

    h.unregister();
    assert.equal(h.ipc.ipcMain.handlers.size, 0);
    h.app.events.emit('backups.changed', {});
    assert.equal(h.ipc.webContents.sent.length, 0);
    await assert.rejects(h.client.call('app.info', {}), (err: unknown) => err instanceof ApiError && err.code === 'TRANSPORT');
  });
});
