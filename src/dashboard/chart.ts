// Text charts that fit one terminal row: a sparkline of a metric's history and a progress bar.
// Plain Unicode block characters, so a captured frame still reads as text.

const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * `values` averaged into at most `width` buckets of consecutive values (non-finite ones poison
 * their bucket, so a NaN stays visible): the whole history fits the chart, and a wider chart
 * shows it in finer detail.
 */
export function resample(values: readonly number[], width: number): number[] {
  const n = values.length;
  if (n <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const lo = Math.floor((i * n) / width);
    const hi = Math.floor(((i + 1) * n) / width);
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += values[j];
    out.push(sum / (hi - lo));
  }
  return out;
}

/** The last `width` values, the least finite one among them and the span up to the greatest (NaN if none). */
function window(values: readonly number[], width: number): { shown: readonly number[]; lo: number; span: number } {
  const shown = values.slice(Math.max(0, values.length - Math.max(0, width)));
  const finite = shown.filter(Number.isFinite);
  const lo = Math.min(...finite);
  return { shown, lo, span: Math.max(...finite) - lo };
}

/**
 * The last `width` values as a sparkline, scaled between their own minimum and maximum (the
 * trend matters here, the numbers are printed beside it). Non-finite values show as a gap, so a
 * NaN is visible rather than flattening the chart.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const { shown, lo, span } = window(values, width);
  let out = '';
  for (const v of shown) {
    if (!Number.isFinite(v)) out += ' ';
    else if (!(span > 0)) out += LEVELS[3];
    else out += LEVELS[Math.min(LEVELS.length - 1, Math.floor(((v - lo) / span) * LEVELS.length))];
  }
  return out;
}

/**
 * The sparkline drawn `rows` rows tall (top row first), for terminals with height to spare:
 * each column is filled in eighths of a row from the bottom.
 */
export function tallSparkline(values: readonly number[], width: number, rows: number): string[] {
  const { shown, lo, span } = window(values, width);
  const total = rows * LEVELS.length;
  // The lowest value still gets one eighth, so a flat or minimal stretch is not mistaken for a gap.
  const levels = shown.map((v) =>
    !Number.isFinite(v) ? 0 : !(span > 0) ? Math.ceil(total / 2) : 1 + Math.round(((v - lo) / span) * (total - 1)),
  );
  const out: string[] = [];
  for (let r = rows - 1; r >= 0; r--) {
    let line = '';
    for (const level of levels) {
      const fill = Math.min(LEVELS.length, Math.max(0, level - r * LEVELS.length));
      line += fill === 0 ? ' ' : LEVELS[fill - 1];
    }
    out.push(line);
  }
  return out;
}

/** A bar of `width` cells filled in eighths, so slow runs still show movement. */
export function progressBar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  const partial = rest > 0 ? ' ▏▎▍▌▋▊▉'[rest] : '';
  return ('█'.repeat(full) + partial).padEnd(width, '░');
}
