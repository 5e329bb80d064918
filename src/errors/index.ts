/**
 * The single table of every error this package raises (fastify's model): each code has one class,
 * one CLI exit code and one line of documentation. test/errors.test.ts checks that every code is
 * raised through this table and documented in docs/errors.md.
 */
export const ERROR_TABLE = {
  FIVE9_INVALID_INPUT: { exitCode: 2, doc: 'The input does not match the action\'s schema; nothing was sent. `issues` lists each field and rule.' },
  FIVE9_UNSUPPORTED_VERSION: { exitCode: 2, doc: 'The action, or a field of its input, does not exist in the chosen API version; nothing was sent.' },
  FIVE9_UNKNOWN_ACTION: { exitCode: 2, doc: 'No action has that id, operation or display name.' },
  FIVE9_CONFIG: { exitCode: 2, doc: 'The connection settings are incomplete or wrong (missing credentials, unknown data centre, plain HTTP to a remote host).' },
  FIVE9_FAULT: { exitCode: 1, doc: 'Five9 answered with a SOAP fault; `fault` keeps its name (for example SessionNotInitializedFault) and its fields.' },
  FIVE9_AUTH: { exitCode: 3, doc: 'Five9 refused the credentials (HTTP 401 with an HTML page); the message names the user, never the password.' },
  FIVE9_HTTP: { exitCode: 4, doc: 'Five9 answered with an HTTP status that carries no SOAP envelope, or a REST error status other than 401, 403 and 429.' },
  FIVE9_TRANSPORT: { exitCode: 4, doc: 'The request could not be sent or its answer could not be read (connection refused, reset, TLS).' },
  FIVE9_TIMEOUT: { exitCode: 4, doc: 'No complete answer within the request time-out (for long polls: the poll plus a margin).' },
  FIVE9_COORDINATION: { exitCode: 4, doc: 'The store shared by the processes of one Five9 user (Redis) could not be used; the request was not sent.' },
  FIVE9_RESPONSE_TOO_LARGE: { exitCode: 4, doc: 'The answer exceeded the maximum response size and was abandoned.' },
  FIVE9_BAD_RESPONSE: { exitCode: 4, doc: 'The answer is not a usable SOAP envelope (not XML, truncated, carrying a DOCTYPE, of the wrong operation), or a value in it is not in the XSD form or exact range of its type (`element` names it).' },
  FIVE9_INVALID_OUTPUT: { exitCode: 4, doc: 'The answer parsed but does not match the action\'s output schema.' },
  FIVE9_QUOTA: { exitCode: 5, doc: 'The call would exceed a Five9 domain limit (quota class and window given); it was not sent.' },
  FIVE9_REST_AUTH: { exitCode: 3, doc: 'The REST token endpoint refused the consumer key and secret, or a request was still refused (401) with a freshly fetched token; the message names the consumer key, never the secret or a token.' },
  FIVE9_REST_SCOPE: { exitCode: 3, doc: 'The consumer key was not granted the scope the REST action needs (checked against the token before sending, or a 403 answer); `scope` names it.' },
  FIVE9_RATE_LIMITED: { exitCode: 5, doc: 'Five9 kept answering 429 Too Many Requests after the client waited Retry-After as many times as allowed.' },
  FIVE9_INVALID_ROWS: { exitCode: 2, doc: 'Contacts to upload failed validation; `rows` lists each row number, field and rule, and nothing was sent.' },
  FIVE9_CHECKPOINT: { exitCode: 2, doc: 'An upload checkpoint file could not be read or written, or another upload holds it (`pid` names that process).' },
  FIVE9_INTERRUPTED: { exitCode: 130, doc: 'An upload was stopped (abort signal, Ctrl-C) after its last acknowledged chunk; running it again with the same checkpoint resumes it.' },
  FIVE9_MANIFEST_INVALID: { exitCode: 6, doc: 'The connector manifest breaks its meta-schema or a functional check (`five9 lint`).' },
  FIVE9_TEMPLATE_INVALID: { exitCode: 6, doc: 'A cycle template breaks its meta-schema or a lint rule (`five9 lint TEMPLATE`).' },
  FIVE9_INTERNAL: { exitCode: 70, doc: 'A bug in the connector itself (an unexpected exception, not anything the user or Five9 did); the message says how to report it.' },
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface Five9ErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class Five9Error extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: Five9ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Five9Error';
    this.code = code;
    this.exitCode = ERROR_TABLE[code].exitCode;
    this.details = options.details ?? {};
  }

  /** One JSON object for `--json` output and run events; never contains secrets (callers redact). */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details };
  }
}

/** One field that failed validation: a JSON pointer, the JSON Schema keyword and a sentence. */
export interface InputIssue {
  field: string;
  rule: string;
  message: string;
}

export class Five9InputError extends Five9Error {
  readonly issues: InputIssue[];
  constructor(code: 'FIVE9_INVALID_INPUT' | 'FIVE9_INVALID_OUTPUT' | 'FIVE9_UNSUPPORTED_VERSION', message: string, issues: InputIssue[]) {
    super(code, message, { details: { issues } });
    this.name = 'Five9InputError';
    this.issues = issues;
  }
}

/** A SOAP fault from Five9 (or the simulator), with Five9's own fault name and fields. */
export class Five9Fault extends Five9Error {
  readonly fault: string;
  readonly fields: Record<string, unknown>;
  readonly faultCode: string;
  constructor(fault: string, fields: Record<string, unknown>, faultString: string, faultCode = 'Server') {
    super('FIVE9_FAULT', `${fault}: ${faultString || (fields.message as string) || 'no message'}`, {
      details: { fault, fields, faultCode },
    });
    this.name = 'Five9Fault';
    this.fault = fault;
    this.fields = fields;
    this.faultCode = faultCode;
  }
}

export class Five9QuotaError extends Five9Error {
  readonly quotaClass: string;
  readonly windowSeconds: number;
  readonly limit: number;
  readonly retryAt: number;
  constructor(quotaClass: string, windowSeconds: number, limit: number, retryAt: number) {
    super(
      'FIVE9_QUOTA',
      `${quotaClass} limit of ${limit} per ${describeWindow(windowSeconds)} reached; retry after ${new Date(retryAt).toISOString()}. Nothing was sent.`,
      { details: { quotaClass, windowSeconds, limit, retryAt: new Date(retryAt).toISOString() } },
    );
    this.name = 'Five9QuotaError';
    this.quotaClass = quotaClass;
    this.windowSeconds = windowSeconds;
    this.limit = limit;
    this.retryAt = retryAt;
  }
}

/** One contact that failed validation before an upload: its row (1 = the first contact), field and rule. */
export interface RowIssue {
  row: number;
  field: string;
  rule: string;
  message: string;
}

/** Contacts refused before anything was sent; `rows` names every row, field and rule. */
export class Five9RowsError extends Five9Error {
  readonly rows: RowIssue[];
  constructor(message: string, rows: RowIssue[], extra: Record<string, unknown> = {}) {
    super('FIVE9_INVALID_ROWS', message, { details: { rows, ...extra } });
    this.name = 'Five9RowsError';
    this.rows = rows;
  }
}

/** Where a bug is reported; FIVE9_INTERNAL messages name it. */
export const BUG_REPORT = 'please report it as a bug to the connector\'s maintainers (the issue tracker of the five9-statistics-connector package), with the command you ran, the output of `five9 --version`, and this message; run it again with FIVE9_DEBUG=1 to add the stack trace';

/**
 * An exception that is no Five9Error reached the top: a programming error, not a transport
 * failure. The original is kept as the cause; its message (redacted by the caller) is quoted.
 */
export function internalError(e: unknown): Five9Error {
  if (e instanceof Five9Error) return e;
  const what = e instanceof Error ? `${e.name}: ${e.message}` : `a thrown ${typeof e}: ${String(e)}`;
  return new Five9Error('FIVE9_INTERNAL', `an unexpected error inside the connector (${what}); ${BUG_REPORT}`, { cause: e });
}

export function describeWindow(seconds: number): string {
  if (seconds === 60) return 'minute';
  if (seconds === 3600) return 'hour';
  if (seconds === 86400) return 'day';
  return `${seconds} s`;
}

export function isFive9Error(e: unknown): e is Five9Error {
  return e instanceof Five9Error;
}
