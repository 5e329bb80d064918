/** The package's public surface. */
export { Five9Client, type ClientOptions, type ActionResult } from './runtime';
export { loadManifest, Manifest, lintManifest, type Action, type ConnectorManifest, type Target } from './manifest';
export { Five9Simulator, type SimulatorOptions } from './simulator';
export { runOnce, runSchedule, lintTemplate, readTemplate, type RunEvent, type CycleTemplate } from './cycles';
export { VirtualClock, systemClock, type Clock } from './clock';
export { QuotaTracker, type QuotaWindow } from './quota';
export { Five9Error, Five9Fault, Five9InputError, Five9QuotaError, ERROR_TABLE, type ErrorCode } from './errors';
export { generateWsdl } from './wsdl';
export type * from './generated/five9-types';
