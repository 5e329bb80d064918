import { SimFault } from './state';

/**
 * Which faults the server may answer where an operation does not declare them. Every other fault
 * an operation answers is one its WSDL declares (a handler that throws an undeclared one is a
 * simulator bug: it is answered bare and counted in `undeclaredFaults`, which the tests keep empty).
 *
 * JAX-WS sends an exception that an operation does not declare as a bare SOAP fault: faultcode
 * Server, the message, no detail. Five9 raises these around every method, before it runs, so an
 * operation that does not declare one still gets it, bare:
 */
export const BARE_WHEN_UNDECLARED: Record<string, string> = {
  ServiceUnavailableFault: "a maintenance window refuses every request; closeSession declares no fault and still fails while Five9's Web Services are down",
  InvalidAccountFault: 'a disabled account is refused on every request before the method runs; closeSession does not declare it',
  AccessDisallowedFault: 'a user without the Web Services permission is refused on every request before the method runs; closeSession and getUserLimits do not declare it',
  ServerFault: 'the one-request-at-a-time rule denies a concurrent request of the same credentials before the method runs ("Concurrent requests with the same credentials are denied"); closeSession and getUserLimits do not declare ServerFault',
};

/*
 * And two Client faults of JAX-WS itself, bare by nature (no operation could declare them):
 * - "Unmarshalling Error: …": the body is not XML, not a SOAP envelope, nests deeper than the limit,
 *   or holds a value its XSD type cannot hold (`abc` for an xs:long);
 * - "Cannot find dispatch method for {namespace}op": the operation is not in this version's WSDL.
 */

export type FaultAnswer = { kind: 'declared' } | { kind: 'bare'; undeclared: boolean };

/** How a fault is answered for an operation that declares `declared`. */
export function faultAnswer(fault: SimFault, declared: readonly string[]): FaultAnswer {
  if (declared.includes(fault.fault)) return { kind: 'declared' };
  return { kind: 'bare', undeclared: !(fault.fault in BARE_WHEN_UNDECLARED) };
}
