import { Five9Error } from '../errors';
import { type Manifest, isRestAction } from '../manifest';
import type { RestClient } from '../rest';
import type { ActionResult, Five9Client } from '../runtime';
import { Redactor } from '../util/redact';
import type { ActionExecutor } from './runner';

/** A client, or how to make it when the first action needs it (so a missing credential fails only then). */
export type ClientSource<T> = T | (() => T);

export interface ConnectorExecutorOptions {
  /** Runs the SOAP actions (the Supervisor Web Service credential). */
  soap?: ClientSource<Five9Client>;
  /** Runs the REST actions (the API Access Control credential). */
  rest?: ClientSource<RestClient>;
  manifest: Manifest;
  /** Masks secrets in run events: the one the clients share. */
  redactor?: Redactor;
}

/**
 * What a cycle runs its steps with: SOAP actions through Five9Client, REST actions through
 * RestClient, each with its own credential, chosen by the action's protocol in the manifest. A
 * client given as a function is made on first use, so a template of SOAP steps needs no REST
 * credential and the other way round.
 */
export class ConnectorExecutor implements ActionExecutor {
  readonly manifest: Manifest;
  readonly redactor: Redactor;
  private soapClient?: Five9Client;
  private restClient?: RestClient;

  constructor(private readonly options: ConnectorExecutorOptions) {
    this.manifest = options.manifest;
    this.redactor = options.redactor ?? new Redactor();
  }

  /** The SOAP client (made now if it was given as a function). */
  get soap(): Five9Client {
    if (!this.soapClient) {
      const s = this.options.soap;
      if (!s) throw new Five9Error('FIVE9_CONFIG', 'no SOAP credential: this executor runs REST actions only');
      this.soapClient = typeof s === 'function' ? s() : s;
    }
    return this.soapClient;
  }

  /** The REST client (made now if it was given as a function). */
  get rest(): RestClient {
    if (!this.restClient) {
      const r = this.options.rest;
      if (!r) throw new Five9Error('FIVE9_CONFIG', 'no REST credential: set FIVE9_CONSUMER_KEY, FIVE9_CONSUMER_SECRET and FIVE9_DOMAIN_ID to run REST actions');
      this.restClient = typeof r === 'function' ? r() : r;
    }
    return this.restClient;
  }

  async run(actionName: string, input: Record<string, unknown> = {}): Promise<ActionResult> {
    const action = this.manifest.action(actionName);
    if (!isRestAction(action)) return this.soap.run(action.id, input);
    const r = await this.rest.run(action.id, input);
    return { action: r.action, exit: r.exit, output: r.output };
  }

  /** Closes the clients this executor made or was given. */
  async close(): Promise<void> {
    await Promise.all([this.soapClient?.close(), this.restClient?.close()]);
  }
}
