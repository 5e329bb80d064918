/**
 * Per-method code that the manifest cannot express, by the name the manifest gives it. The
 * manifest's `hooks` block lists every name with a sentence; `five9 lint` checks that each named
 * hook exists here and that every hook here is named by the manifest.
 */
export type Hook = (...args: any[]) => unknown;

export const HOOKS: Record<string, Hook> = {};
