/**
 * The typed surface of `run`: the generated action map (src/generated/actions.ts, from the
 * manifest) gives each name an action answers to (id, SOAP operation, display name) its input,
 * output and exits; any other string is still accepted and checked at run time, untyped.
 */
import type { RestActionNames, RestActions, SoapActionNames, SoapActions } from '../generated/actions';

export type { RestActions, SoapActions } from '../generated/actions';

/** A SOAP action's id, operation or display name. */
export type SoapActionName = keyof SoapActionNames;
/** A REST action's id or display name. */
export type RestActionName = keyof RestActionNames;

/** What an action not known to the types (a name built at run time) takes and gives. */
export interface UntypedAction {
  input: Record<string, unknown>;
  output: unknown;
  exit: string;
}

/** The input, output and exits of the SOAP action a name refers to. */
export type SoapActionOf<N extends string> = N extends SoapActionName ? SoapActions[SoapActionNames[N]] : UntypedAction;
/** The input, output and exits of the REST action a name refers to. */
export type RestActionOf<N extends string> = N extends RestActionName ? RestActions[RestActionNames[N]] : UntypedAction;

/** The input argument of `run`: optional when the action needs no field. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type InputArg<A extends { input: unknown }> = {} extends A['input'] ? [input?: A['input']] : [input: A['input']];
