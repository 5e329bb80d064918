export { Five9Simulator } from './server';
export { numberedDomains, SCENARIOS, type Scenario, type SimulatorOptions, type SimDomainOptions, type SimRequestRecord } from './options';
export type { SimulatorContext, Handler } from './context';
export type { SimReport, UserCounters } from './report';
export { Tenant } from './tenant';
export { SimFault, QuotaCounters, type SimUser, type QuotaWindow } from './state';
export { HANDLERS } from './handlers';
export { RestSimulator, type SimConsumer, type RestSimOptions, type RestRequestRecord } from './rest';
/** The WSDL the simulator serves (also what `five9 simulator` answers to ?wsdl). */
export { generateWsdl } from '../wsdl';
export { startSimulatorProcess, type SimulatorProcess } from './process';
