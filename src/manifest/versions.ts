import type { ConnectorManifest } from '../generated/manifest-types';

/**
 * Five9's API versions in release order: the unversioned "default" path, v3, v4, then v9_5 … v14.
 * A version's rank is its number (v9_5 → 9.5); "default" ranks 0.
 */
export function versionRank(version: string): number {
  if (version === 'default') return 0;
  const m = /^v(\d+)(?:_(\d+))?$/.exec(version);
  if (!m) return Number.NaN;
  return Number(m[1]) + (m[2] ? Number(`0.${m[2]}`) : 0);
}

export function isKnownVersion(manifest: ConnectorManifest, version: string): boolean {
  return manifest.apiVersions.known.includes(version) || new RegExp(manifest.apiVersions.later.pattern).test(version);
}

/** True when `version` has what was introduced in `since`. */
export function versionHas(version: string, since: string): boolean {
  return versionRank(version) >= versionRank(since);
}

export function versionSegment(version: string): string {
  return version === 'default' ? '' : `/${version}`;
}

/** Per-value versions of an enum schema (x-enumVersions: {value: {since, until}}; until is exclusive). */
export function enumValueIn(schema: { enum?: unknown[]; 'x-enumVersions'?: Record<string, { since?: string; until?: string }> }, value: string, version: string): boolean {
  const v = schema['x-enumVersions']?.[value];
  if (!v) return true;
  return (!v.since || versionHas(version, v.since)) && (!v.until || !versionHas(version, v.until));
}

/** The enum's values as the given version has them. */
export function enumValuesIn(schema: { enum?: unknown[]; 'x-enumVersions'?: Record<string, { since?: string; until?: string }> }, version: string): string[] {
  return ((schema.enum ?? []) as string[]).filter((v) => enumValueIn(schema, v, version));
}
