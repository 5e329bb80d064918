/**
 * Raw SOAP requests to the simulator, as any toolkit would send them: the simulator's own tests do
 * not go through the connector's client (whose queueing and quota checks would hide what the
 * server does). Not a test file.
 */
import { request } from 'undici';
import { ENV, NS } from './helpers';

export function envelope(operation: string, inner = ''): string {
  return `<soapenv:Envelope xmlns:soapenv="${ENV}" xmlns:ser="${NS}"><soapenv:Header/><soapenv:Body><ser:${operation}>${inner}</ser:${operation}></soapenv:Body></soapenv:Envelope>`;
}

export const VIEW_SETTINGS = (idleTimeOut = 1800) => `<viewSettings><idleTimeOut>${idleTimeOut}</idleTimeOut><shiftStart>0</shiftStart><timeZone>0</timeZone></viewSettings>`;

export interface SoapAnswer {
  status: number;
  body: string;
  /** The fault's detail element name, or the bare fault string for a fault without detail. */
  fault?: string;
  faultString?: string;
}

/** POSTs one operation as `user` and returns the status, the body and the fault it names, if any. */
export async function soap(base: string, user: string, password: string, operation: string, inner = '', options: { version?: string; signal?: AbortSignal } = {}): Promise<SoapAnswer> {
  const path = options.version && options.version !== 'default' ? `/wssupervisor/${options.version}/SupervisorWebService` : '/wssupervisor/SupervisorWebService';
  const res = await request(`${base}${path}`, {
    method: 'POST',
    body: envelope(operation, inner),
    headers: { 'content-type': 'text/xml;charset=utf-8', soapaction: '""', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    signal: options.signal,
  });
  const body = await res.body.text();
  const detail = /<detail><(?:\w+:)?(\w+)/.exec(body)?.[1];
  const raw = /<faultstring>([^<]*)<\/faultstring>/.exec(body)?.[1];
  const bare = raw?.replace(/&(quot|apos|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e]!);
  return { status: res.statusCode, body, fault: detail ?? bare, faultString: bare };
}
