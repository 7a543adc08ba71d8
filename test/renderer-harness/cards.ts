import type { HarnessPage } from './harness.ts';

/** The card (an article) named `name`, e.g. a job or a schedule. */
export const card = (h: HarnessPage, name: string) => h.page.getByRole('article', { name, exact: true });

/** A card's text on one line (white space folded), to match against. */
export const cardText = async (h: HarnessPage, name: string) => (await card(h, name).innerText()).replace(/\s+/g, ' ');
