/** The package's public surface. */
export { Five9Client, type ClientOptions, type ActionResult, type RequestRecord, type ClientEvent } from './runtime';
export { openCoordinator, MemoryCoordinator, LocalCoordinator, RedisCoordinator, stateDir, type Coordinator, type CoordinationOptions, type CoordinatorHandle, type RedisCoordinatorOptions, type SlotInfo, type TakeResult, type Window } from './coordination';
export { loadManifest, Manifest, lintManifest, isRestAction, type Action, type SoapAction, type RestAction, type ConnectorManifest, type Target } from './manifest';
export { Five9Simulator, type SimulatorOptions, type SimConsumer, type RestSimOptions } from './simulator';
export { RestClient, uploadContacts, readContactsFile, UnreadableRow, type RestClientOptions, type RestResult, type UploadOptions, type UploadEvent, type UploadReport } from './rest';
export { runOnce, runSchedule, lintTemplate, readTemplate, type RunEvent, type CycleTemplate } from './cycles';
export { VirtualClock, ScaledClock, systemClock, clockForScale, type Clock } from './clock';
export { QuotaTracker, type QuotaWindow } from './quota';
export { Five9Error, Five9Fault, Five9InputError, Five9QuotaError, Five9RowsError, ERROR_TABLE, type ErrorCode, type RowIssue } from './errors';
export { generateWsdl } from './wsdl';
export type * from './generated/five9-types';
export { StatisticsFeed, StatsTable, type FeedEvent, type FeedOptions } from './stats';
