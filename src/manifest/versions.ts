import type { ConnectorManifest } from '../generated/manifest-types';

/**
 * Five9's API versions in release order: the unversioned "default" path, v3, v4, then v9_5 and
 * later ones up to the newest (the manifest's apiVersions.latest).
 * A version's rank is its number (v9_5 → 9.5); "default" ranks 0.
 */
export function versionRank(version: string): number {
  if (version === 'default') return 0;
  const m = /^v(\d+)(?:_(\d+))?$/.exec(version);
  if (!m) return Number.NaN;
  return Number(m[1]) + (m[2] ? Number(`0.${m[2]}`) : 0);
}

/** The newest version Five9 serves today (apiVersions.latest). */
export function latestVersion(manifest: ConnectorManifest): string {
  return manifest.apiVersions.latest;
}

/**
 * The API version a request path names by the manifest's pathTemplate
 * (/wssupervisor/v3/SupervisorWebService → "v3", /wssupervisor/SupervisorWebService → "default"),
 * or undefined for any other path or an unknown version. A trailing slash is allowed.
 */
export function versionOfServicePath(manifest: ConnectorManifest, path: string): string | undefined {
  const [before, after] = manifest.apiVersions.pathTemplate.split('{versionSegment}');
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (!p.startsWith(before) || !p.endsWith(after) || p.length < before.length + after.length) return undefined;
  const segment = p.slice(before.length, p.length - after.length);
  const version = segment === '' ? 'default' : segment.startsWith('/') ? segment.slice(1) : undefined;
  return version !== undefined && isKnownVersion(manifest, version) ? version : undefined;
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
