export { StatisticsFeed, type FeedEvent, type FeedOptions } from './feed';
export { StatsTable, type TableChange, type Cell } from './table';
