// Number and time formats shared by the dashboard and the plain progress, so both read the same.

/** A duration as 42s, 3m07s or 2h05m; '?' when unknown (no rate yet). */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** A fixed-point number, or '-' for anything that is not a finite number (a metric not logged yet, NaN). */
export function fixed(x: unknown, digits: number): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** A compact magnitude: 3.2k, 41.7k, 1.2M; small numbers keep `digits` decimals. */
export function compact(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(digits);
}

/** A number in about `width` characters: fixed point where it fits, exponent otherwise (losses can explode). */
export function short(x: unknown, width = 6): string {
  if (typeof x !== 'number') return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  for (let digits = 3; digits >= 0; digits--) {
    const s = x.toFixed(digits);
    if (s.length <= width) return s;
  }
  return x.toExponential(1);
}

/** Pads or cuts `text` to exactly `width` columns (every character used here is one column wide). */
export function padTo(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width > 1 ? `${text.slice(0, width - 1)}…` : text.slice(0, width);
  return text.padEnd(width);
}
