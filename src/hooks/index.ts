/**
 * Per-method code that the manifest cannot express, by the name the manifest gives it. The
 * manifest's `hooks` block lists every name with a sentence; `five9 lint` checks that each named
 * hook exists here and that every hook here is named by the manifest.
 */
import { parseStatisticsRows } from './statistics';

export type { ParseOutputContext } from './statistics';

export type Hook = (...args: any[]) => unknown;

/**
 * parseOutput hooks take the answer's text and a ParseOutputContext, and return the action's
 * output exactly as the generic decoder would (the runtime validates it the same way after).
 */
export const HOOKS: Record<string, Hook> = { parseStatisticsRows };
