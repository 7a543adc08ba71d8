/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The generic Dialog in Chromium (see test/renderer-harness/harness.ts): named
 * by its title, focus inside on open, Tab kept inside, Escape and the close
 * button close it, focus goes back to the opener, Enter submits its form.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeInHarness } from '../../../test/renderer-harness/suite.ts';

describeInHarness('Dialog (component, in Chromium)', (harness) => {
  it('is a modal dialog named by its title and described by its text, with focus inside', async () => {
    const h = await harness.open({ view: 'dialog-demo' });
    try {
      const dialog = h.page.getByRole('dialog', { name: 'Rename thing' });
      await dialog.waitFor();
      assert.equal(await dialog.evaluate((d) => (d as HTMLDialogElement).open && d.matches(':modal')), true);
      assert.equal(await dialog.evaluate((d) => document.getElementById(d.getAttribute('aria-describedby')!)?.textContent), 'A demo of the generic dialog.');
      assert.equal(await h.focused(), 'input:', 'the [data-autofocus] field has focus');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('keeps Tab and Shift+Tab inside', async () => {
    const h = await harness.open({ view: 'dialog-demo' });
    try {
      await h.page.getByRole('dialog').waitFor();
      const order: string[] = [];
      for (let i = 0; i < 5; i++) {
        await h.page.keyboard.press('Tab');
        order.push(await h.focused());
      }
      assert.deepEqual(order, ['button:Cancel', 'button:Save', 'button:Close', 'input:', 'button:Cancel']);
      await h.page.keyboard.press('Shift+Tab');
      assert.equal(await h.focused(), 'input:');
      await h.page.keyboard.press('Shift+Tab');
      assert.equal(await h.focused(), 'button:Close');
      await h.page.keyboard.press('Shift+Tab');
      assert.equal(await h.focused(), 'button:Save', 'Shift+Tab on the first element wraps to the last');
    } finally {
      await h.close();
    }
  });

  it('closes on Escape and gives focus back to the opener', async () => {
    const h = await harness.open({ view: 'dialog-demo' });
    try {
      const dialog = h.page.getByRole('dialog', { name: 'Rename thing' });
      await dialog.waitFor();
      await h.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await h.closes(), 1);

      const opener = h.page.getByRole('button', { name: 'Open demo dialog' });
      await opener.click();
      await dialog.waitFor();
      await h.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await h.focused(), 'button:Open demo dialog');

      await opener.click();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await h.focused(), 'button:Open demo dialog');
      assert.equal(await h.closes(), 3);
    } finally {
      await h.close();
    }
  });

  it('submits its form with Enter and ignores clicks on the backdrop', async () => {
    const h = await harness.open({ view: 'dialog-demo' });
    try {
      const dialog = h.page.getByRole('dialog', { name: 'Rename thing' });
      await dialog.waitFor();
      await h.page.keyboard.type('garden');
      await h.page.keyboard.press('Enter');
      await dialog.getByRole('status').filter({ hasText: 'Saved garden' }).waitFor();
      await h.page.mouse.click(5, 5);
      assert.equal(await dialog.isVisible(), true, 'a stray click outside keeps the form');
      assert.equal(await h.closes(), 0);
    } finally {
      await h.close();
    }
  });
});
