/**
 * Per-method code that the manifest cannot express, by the name the manifest gives it. The
 * manifest's `hooks` block lists every name with a sentence; `five9 lint` checks that each named
 * hook exists here and that every hook here is named by the manifest.
 */
import type { ActionHooks, SoapActions } from '../generated/actions';
import { type ParseOutputContext, parseStatisticsRows } from './statistics';

export type { ParseOutputContext } from './statistics';

/**
 * A parseOutput hook: takes the answer's text and a ParseOutputContext, and returns the action's
 * output exactly as the generic decoder would (the runtime validates it the same way after).
 */
export type ParseOutputHook<Output = unknown> = (xml: string, ctx: ParseOutputContext<Output>) => Output;

/** The hooks by the names the manifest gives them. */
export const HOOKS = { parseStatisticsRows } as const;

export type HookName = keyof typeof HOOKS;

/** Any hook, as the runtime and the linter look them up by name. */
export type Hook = ParseOutputHook;

// Compile-time check: each hook returns the output type of every action that names it (from the
// generated action map), so a hook and its actions cannot drift apart.
type HookOutput<H extends HookName> = ReturnType<(typeof HOOKS)[H]>;
type CheckHooks = {
  [A in keyof ActionHooks]: HookOutput<ActionHooks[A]['parseOutput']> extends SoapActions[A]['output'] ? true : ['hook', ActionHooks[A]['parseOutput'], 'does not return the output of', A];
};
export const HOOKS_MATCH_THEIR_ACTIONS: { [A in keyof CheckHooks]: true } = {} as CheckHooks;

/** The hooks looked up by a name read from the manifest (checked by `five9 lint`). */
export const HOOKS_BY_NAME: Readonly<Record<string, Hook>> = HOOKS as unknown as Record<string, Hook>;
