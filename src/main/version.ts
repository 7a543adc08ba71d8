/** DVOM's version, shown by `dvom --version` and the app. */
export const DVOM_VERSION = '0.1.0';
