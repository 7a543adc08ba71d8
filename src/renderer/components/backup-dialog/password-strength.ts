import type { Score, TranslationKeys, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { useEffect, useState } from 'react';

/** zxcvbn-ts's feedback, in our own short words. */
const TRANSLATIONS: TranslationKeys = {
  warnings: {
    straightRow: 'A straight row of keys is easy to guess.',
    keyPattern: 'A short keyboard pattern is easy to guess.',
    simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
    extendedRepeat: 'Repeated groups like "abcabc" are easy to guess.',
    sequences: 'Sequences like "abc" or "6543" are easy to guess.',
    recentYears: 'Recent years are easy to guess.',
    dates: 'Dates are easy to guess.',
    topTen: 'This is one of the most used passwords.',
    topHundred: 'This is a very often used password.',
    common: 'This is a commonly used password.',
    similarToCommon: 'This is close to a commonly used password.',
    wordByItself: 'A single word is easy to guess.',
    namesByThemselves: 'Names on their own are easy to guess.',
    commonNames: 'Common names are easy to guess.',
    userInputs: 'Do not use the names shown on this screen.',
    pwned: 'This password appeared in a data breach.',
  },
  suggestions: {
    l33t: 'Swapping letters for look-alike symbols ("@" for "a") does not help much.',
    reverseWords: 'Spelling a common word backwards does not help much.',
    allUppercase: 'Capitalise some letters, not all.',
    capitalization: 'Capitalise more than the first letter.',
    dates: 'Avoid dates that are linked to you.',
    recentYears: 'Avoid recent years.',
    associatedYears: 'Avoid years that are linked to you.',
    sequences: 'Avoid common character sequences.',
    repeated: 'Avoid repeated words and characters.',
    longerKeyboardPattern: 'Use longer keyboard patterns and change direction several times.',
    anotherWord: 'Add a few more words that are less common.',
    useWords: 'Use several words, avoiding common phrases.',
    noNeed: 'Symbols, digits or capitals are not required: length matters most.',
    pwned: 'Choose a password you have not used anywhere else.',
  },
  timeEstimation: {
    ltSecond: 'less than a second',
    second: 'a second',
    seconds: 'seconds',
    minute: 'a minute',
    minutes: 'minutes',
    hour: 'an hour',
    hours: 'hours',
    day: 'a day',
    days: 'days',
    month: 'a month',
    months: 'months',
    year: 'a year',
    years: 'years',
    centuries: 'centuries',
  },
};

const LABELS: Record<Score, string> = { 0: 'Very weak', 1: 'Weak', 2: 'Fair', 3: 'Good', 4: 'Strong' };

let factory: Promise<ZxcvbnFactory> | undefined;

/** Loads the estimator and its dictionaries (a separate chunk) once, on first use. */
export function loadEstimator(): Promise<ZxcvbnFactory> {
  factory ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary },
        graphs: common.adjacencyGraphs,
        translations: TRANSLATIONS,
      }),
  );
  return factory;
}

export interface Strength {
  score: Score;
  label: string;
  /** The most useful piece of advice, or null when there is nothing to add. */
  hint: string | null;
}

/**
 * How hard `password` is to guess (zxcvbn-ts), or null while it is empty or
 * the estimator is loading. `related` are words on screen (volume and backup
 * names) that make a password weaker.
 */
export function usePasswordStrength(password: string, related: string[]): Strength | null {
  const [strength, setStrength] = useState<{ for: string; value: Strength } | null>(null);
  const relatedKey = related.join('\u0000');

  useEffect(() => {
    if (!password) return;
    let live = true;
    void loadEstimator().then(
      (zxcvbn) => {
        if (!live) return;
        const result = zxcvbn.check(password, relatedKey.split('\u0000'));
        const hint = result.feedback.warning ?? result.feedback.suggestions[0] ?? null;
        setStrength({ for: password, value: { score: result.score, label: LABELS[result.score], hint: result.score >= 3 ? null : hint } });
      },
      () => undefined, // No estimator (chunk failed to load): the meter stays empty; nothing else depends on it.
    );
    return () => {
      live = false;
    };
  }, [password, relatedKey]);

  if (!password) return null;
  // While the new estimate is computed, the previous one stays (no flicker); a stale one is fine for a keystroke.
  return strength?.value ?? null;
}
