/**
 * What the simulator counts per user for `five9 simulator --report` and `sim.report()`: a fleet's
 * test bed reads it to prove that no session expired, no request was denied as concurrent and no
 * limit was exceeded. Fixed-size counters per user (byOperation only ever holds the manifest's
 * operations), never a log of requests.
 */
export interface UserCounters {
  /** Authenticated SOAP requests, whatever their answer. */
  requests: number;
  /** setSessionParameters that opened a session where there was none. */
  sessionsStarted: number;
  /** Sessions that ended because their Idle Time Out passed (counted when seen, or at report time). */
  expiries: number;
  /** Requests denied because another request of the same user was in flight. */
  concurrentDenied: number;
  /** OperationsLimitExceededFault answers. */
  quotaFaults: number;
  /** Requests by SOAP operation (only operations the manifest knows). */
  byOperation: Record<string, number>;
}

export interface SimReport {
  users: Record<string, UserCounters>;
}

export function newCounters(): UserCounters {
  return { requests: 0, sessionsStarted: 0, expiries: 0, concurrentDenied: 0, quotaFaults: 0, byOperation: {} };
}
