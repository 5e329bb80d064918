import ms from 'ms';

/**
 * A duration as people write it in a flag or a config file (`30s`, `15m`, `1h`, `1.5h`, `500ms`),
 * in milliseconds, or undefined when it is not one. A bare number is refused: "15" could mean
 * seconds or minutes, and a schedule off by 60× is worse than an error.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(t)) return undefined;
  const v = ms(t as ms.StringValue);
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** "15m", "30s", "1h 30m": a duration in ms as a short text. */
export function formatDuration(msValue: number): string {
  if (msValue < 1000) return `${Math.round(msValue)}ms`;
  const s = Math.round(msValue / 1000);
  const parts: string[] = [];
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (sec || !parts.length) parts.push(`${sec}s`);
  return parts.join(' ');
}
