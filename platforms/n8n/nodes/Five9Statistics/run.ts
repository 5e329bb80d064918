/**
 * What the Five9 Statistics node does (its description is generated into Five9Statistics.node.ts):
 * runs the chosen action through the connector's runtime for each item, routes each answer to the
 * output of the exit it took, and turns connector errors into n8n errors.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
// The connector's own runtime, bundled into the package by scripts/build.mjs: the one SOAP and
// REST implementation, reading connector/manifest.json and schemas/ shipped beside it.
import { Five9Client, Five9Error, Five9Fault, Five9InputError } from '../../../../src';
import { RestClient } from '../../../../src/rest';
import { ACTIONS, type ActionPlan } from './actions';
import { inputFrom } from './input';

type Runner = { run(action: string, input: Record<string, unknown>): Promise<{ exit: string; output: unknown; fault?: { name: string; fields: Record<string, unknown> } }>; close(): Promise<void> };

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function soapClient(c: ICredentialDataDecryptedObject): Five9Client {
	const endpoint = text(c.endpoint);
	return new Five9Client({
		...(endpoint ? { endpoint } : { dataCenter: text(c.dataCenter) }),
		apiVersion: text(c.apiVersion),
		username: String(c.username ?? ''),
		password: String(c.password ?? ''),
	});
}

function restClient(c: ICredentialDataDecryptedObject): RestClient {
	const endpoint = text(c.endpoint);
	return new RestClient({
		...(endpoint ? { endpoint } : { dataCenter: text(c.dataCenter) }),
		tokenPath: text(c.tokenPath),
		domainId: String(c.domainId ?? ''),
		consumerKey: String(c.consumerKey ?? ''),
		consumerSecret: String(c.consumerSecret ?? ''),
	});
}

/** The action's input from the item's parameters (see inputFrom); a field that is not JSON fails here. */
function readInput(ctx: IExecuteFunctions, plan: ActionPlan, i: number): Record<string, unknown> {
	const read = inputFrom(plan, (name, fallback) => ctx.getNodeParameter(name, i, fallback as IDataObject));
	if ('input' in read) return read.input;
	throw new NodeOperationError(ctx.getNode(), read.message, { itemIndex: i, description: `Nothing was sent. ${read.field}: must be JSON text (json)` });
}

/**
 * n8n keeps items as JSON: an exact long the runtime gives as a BigInt becomes a number when a
 * double holds it exactly, and its decimal string otherwise (never a rounded number).
 */
function jsonSafe(v: unknown): unknown {
	if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
	if (Array.isArray(v)) return v.map(jsonSafe);
	if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
	return v;
}

/** The items an answer becomes: an object is one item, a list one item per element. */
function toItems(result: { output: unknown; fault?: { name: string; fields: Record<string, unknown> } }): IDataObject[] {
	if (result.fault) return [{ fault: result.fault.name, fields: jsonSafe(result.fault.fields) as IDataObject }];
	const output = jsonSafe(result.output);
	if (output === null || output === undefined) return [{}];
	const wrap = (v: unknown): IDataObject => (v && typeof v === 'object' && !Array.isArray(v) ? (v as IDataObject) : { value: v as IDataObject[keyof IDataObject] });
	return Array.isArray(output) ? output.map(wrap) : [wrap(output)];
}

/** A connector error as an n8n error: the fault's name and fields, or each field and rule that failed. */
function nodeError(node: INode, e: unknown, itemIndex: number): NodeOperationError {
	if (!(e instanceof Five9Error)) return new NodeOperationError(node, e as Error, { itemIndex });
	let detail = '';
	const context: IDataObject = { code: e.code };
	if (e instanceof Five9Fault) {
		detail = `Five9 answered ${e.fault}; fields: ${JSON.stringify(jsonSafe(e.fields))}`;
		Object.assign(context, { fault: e.fault, fields: jsonSafe(e.fields) as IDataObject });
	} else if (e instanceof Five9InputError) {
		detail = `Nothing was sent. ${e.issues.map((x) => `${x.field}: ${x.message} (${x.rule})`).join('; ')}`;
		context.issues = e.issues as unknown as IDataObject[];
	}
	const error = new NodeOperationError(node, e.message, { itemIndex, description: detail || e.code });
	Object.assign(error.context, context);
	return error;
}

/** The node's execute(): every item through the chosen action, each answer to its exit's output. */
export async function executeAction(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	const plan = ACTIONS[operation];
	if (!plan) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
	const outputs: INodeExecutionData[][] = (plan.exits ?? ['success']).map(() => []);
	const credentials = await this.getCredentials(plan.protocol === 'rest' ? 'five9RestApi' : 'five9StatisticsApi');
	let client: Runner;
	try {
		client = plan.protocol === 'rest' ? restClient(credentials) : soapClient(credentials);
	} catch (e) {
		throw nodeError(this.getNode(), e, 0);
	}
	try {
		for (let i = 0; i < items.length; i++) {
			try {
				const result = await client.run(operation, readInput(this, plan, i));
				const output = plan.exits ? plan.exits.indexOf(result.exit) : 0;
				for (const json of toItems(result)) outputs[Math.max(output, 0)].push({ json, pairedItem: { item: i } });
			} catch (e) {
				const error = e instanceof NodeOperationError ? e : nodeError(this.getNode(), e, i);
				if (!this.continueOnFail()) throw error;
				// One "error" key, as n8n's own nodes do: an error output (On Error: Continue using
				// error output) picks such items up, and the fault's name and fields stay in them.
				outputs[0].push({ json: { error: { message: error.message, description: error.description, ...error.context } }, pairedItem: { item: i } });
			}
		}
	} finally {
		await client.close();
	}
	return outputs;
}

// A session check answers true or false for any valid user; only refused credentials fail.
export async function five9StatisticsApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testWith(() => soapClient(credential.data ?? {}), 'getSessionParameters');
}

export async function five9RestApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testWith(() => restClient(credential.data ?? {}), 'listDialingLists');
}

async function testWith(make: () => Runner, action: string): Promise<INodeCredentialTestResult> {
	let client: Runner | undefined;
	try {
		client = make();
		await client.run(action, {});
		return { status: 'OK', message: 'Connection successful' };
	} catch (e) {
		if (e instanceof Five9Error && e.code === 'FIVE9_REST_SCOPE') return { status: 'OK', message: `Authenticated; ${e.message}` };
		return { status: 'Error', message: (e as Error).message };
	} finally {
		await client?.close();
	}
}
