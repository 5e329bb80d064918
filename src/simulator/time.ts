import type { Clock } from '../clock';

/** Real ms for `ms` of a clock's time: a scaled clock says how many; any other clock is taken at the wall's pace. */
export function realMs(clock: Clock, ms: number): number {
  const scaled = clock as Clock & { real?: (ms: number) => number };
  return typeof scaled.real === 'function' ? scaled.real(ms) : ms;
}
