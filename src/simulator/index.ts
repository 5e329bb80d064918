export { Five9Simulator, type SimulatorOptions, type SimRequestRecord, type SimulatorContext } from './server';
export { SimFault, QuotaCounters, type SimUser, type QuotaWindow } from './state';
export { HANDLERS } from './handlers';
export { RestSimulator, type SimConsumer, type RestSimOptions, type RestRequestRecord } from './rest';
/** The WSDL the simulator serves (also what `five9 simulator` answers to ?wsdl). */
export { generateWsdl } from '../wsdl';
