/**
 * An action's input from a node's parameters (the inverse of the generated form): the required
 * fields, the optional ones the builder added under "Additional Fields", JSON fields parsed. No
 * value is reshaped, so what the runtime validates is what the builder entered.
 */
import type { ActionPlan } from './actions';

/** A JSON field whose text does not parse; nothing is sent. */
export class JsonFieldError extends Error {
	constructor(
		readonly field: string,
		cause: Error,
	) {
		super(`invalid input: /${field} is not JSON (${cause.message})`);
	}
}

export function inputFrom(plan: ActionPlan, parameter: (name: string, fallback?: unknown) => unknown): Record<string, unknown> {
	const input: Record<string, unknown> = {};
	for (const name of plan.fields) input[name] = parameter(name);
	if (plan.optional) Object.assign(input, parameter('additionalFields', {}) as Record<string, unknown>);
	for (const name of plan.json) {
		const value = input[name];
		if (typeof value !== 'string') continue;
		try {
			input[name] = JSON.parse(value);
		} catch (e) {
			throw new JsonFieldError(name, e as Error);
		}
	}
	return input;
}
