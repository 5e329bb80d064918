/**
 * The package's main entry: the SOAP client and what it needs, kept light. Importing it loads
 * neither the simulator, nor the WSDL generator, nor the cycle runner and its diagram renderer,
 * nor the REST side: those are subpaths (package.json `exports`):
 *   five9-statistics-connector/simulator   Five9Simulator, generateWsdl
 *   five9-statistics-connector/cycles      runOnce, runSchedule, ConnectorExecutor, templates, diagrams
 *   five9-statistics-connector/rest        RestClient, uploadContacts, contact files
 *   five9-statistics-connector/fleet       many accounts: accounts files, EmbeddedFleet, BullMQ scheduler and worker
 */
export {
  Five9Client,
  type ClientOptions,
  type ActionResult,
  type InputArg,
  type SoapActionName,
  type SoapActionOf,
  type SoapActions,
  type RestActionName,
  type RestActionOf,
  type RestActions,
  type UntypedAction,
  type RequestRecord,
  type ClientEvent,
} from './runtime';
export { openCoordinator, MemoryCoordinator, LocalCoordinator, RedisCoordinator, stateDir, type Coordinator, type CoordinationOptions, type CoordinatorHandle, type RedisCoordinatorOptions, type SlotInfo, type TakeResult, type Window } from './coordination';
export { loadManifest, Manifest, lintManifest, isRestAction, type Action, type SoapAction, type RestAction, type ConnectorManifest, type Target } from './manifest';
export { VirtualClock, ScaledClock, systemClock, clockForScale, type Clock } from './clock';
export { QuotaTracker, type QuotaWindow } from './quota';
export { Five9Error, Five9Fault, Five9InputError, Five9QuotaError, Five9RowsError, ERROR_TABLE, type ErrorCode, type RowIssue, type InputIssue } from './errors';
export { Redactor, MASK } from './util/redact';
export type * from './generated/five9-types';
export type { ParseOutputContext, ParseOutputHook, HookName } from './hooks';
export { StatisticsFeed, StatsTable, type FeedEvent, type FeedOptions } from './stats';
