/**
 * What a "looks right" test asserts instead of only saving a screenshot:
 * the text of the elements it names is readable over what is really behind
 * it, computed from the page's own styles (WCAG contrast ratio).
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

/** The contrast ratio of the element's text colour against the first opaque background behind it. */
export function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const rgba = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number) as number[];
    const luminance = ([r, g, b]: number[]) => {
      const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    let back: number[] | undefined;
    for (let node: Element | null = el; node && !back; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3]! >= 0.99)) back = c;
    }
    back ??= rgba(getComputedStyle(document.documentElement).backgroundColor);
    if (back.length < 3) back = [255, 255, 255];
    const fore = rgba(getComputedStyle(el).color);
    // A translucent text colour is blended over its background.
    const a = fore[3] ?? 1;
    const text = [0, 1, 2].map((i) => fore[i]! * a + back[i]! * (1 - a));
    const [hi, lo] = [luminance(text), luminance(back)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  });
}

/** Asserts every locator's text (each must match one element) is readable. */
export async function assertReadable(named: Record<string, Locator>): Promise<void> {
  for (const [what, locator] of Object.entries(named)) {
    const ratio = await contrastOf(locator);
    assert.ok(ratio >= MIN_CONTRAST, `${what}: contrast ${ratio.toFixed(2)} is below ${MIN_CONTRAST}`);
  }
}
