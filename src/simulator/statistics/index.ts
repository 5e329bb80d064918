export { StatisticsEngine } from './engine';
export type { StatisticsOptions, StatisticsTable } from './types';
export { STATISTIC_SPECS, STATISTIC_TYPES, type StatisticType, type AgentStateName, customDispositionName } from './columns';
