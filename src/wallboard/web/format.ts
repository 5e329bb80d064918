import type { Cell } from '../protocol';

/** A duration in ms as the wall reads it: 0:05, 12:34, 1:02:03. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A cell as a number, or NaN when it is not one ("3", "1250" are; "", "5 (4)" are not). */
export function num(v: Cell | undefined): number {
  return v === null || v === undefined || v.trim() === '' ? NaN : Number(v);
}

/** A state as a CSS class: "After Call Work" → s-after-call-work, NOT_RUNNING → s-not-running. */
export function stateClass(v: Cell): string {
  const slug = (v ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return slug ? `s-${slug}` : 's-none';
}

export function clock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "3 s ago", "2 min ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
