/**
 * An action's input from a node's parameters (the inverse of the generated form): the required
 * fields, the optional ones the builder added under "Additional Fields", JSON fields parsed. No
 * value is reshaped, so what the runtime validates is what the builder entered.
 */
import type { ActionPlan } from './actions';

/** The input, or the JSON field whose text does not parse (then nothing is sent). */
export type InputOrProblem = { input: Record<string, unknown> } | { field: string; message: string };

export function inputFrom(plan: ActionPlan, parameter: (name: string, fallback?: unknown) => unknown): InputOrProblem {
	const input: Record<string, unknown> = {};
	for (const name of plan.fields) input[name] = parameter(name);
	if (plan.optional) Object.assign(input, parameter('additionalFields', {}) as Record<string, unknown>);
	for (const name of plan.json) {
		const value = input[name];
		if (typeof value !== 'string') continue;
		try {
			input[name] = JSON.parse(value);
		} catch (e) {
			return { field: `/${name}`, message: `invalid input: /${name} is not JSON (${(e as Error).message})` };
		}
	}
	return { input };
}
