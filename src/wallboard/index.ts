export { FeedHub, type HubOptions, type Subscriber } from './hub';
export { WallboardServer, defaultAssetsDir, type WallboardServerOptions } from './server';
export { DEFAULT_TYPES, panelsFor } from './view';
export type * from './protocol';

/** How the page names the target: host and path only, so no credential in a URL can reach it. */
export function describeTarget(endpoint: string): string {
  const u = new URL(endpoint);
  return `${u.host}${u.pathname}`;
}
