// One trained agent in the training view: progress bar with percent, elapsed and ETA; throughput;
// each charted metric (reward and expected regret in meta-RL, the loss in in-context regression)
// with its latest and smoothed value and a chart of its history; the listed metrics (entropy, the
// losses, the gradient norm). A compact one-line form stands for agents that are waiting or done
// when the terminal is too short to show every panel.
import { progressBar, resample, sparkline, tallSparkline } from './chart.ts';
import { compact, duration, short } from './format.ts';
import { type Line, seg } from './lines.ts';
import type { AgentProgress, ChartSeries } from './store.ts';

/** Width of the label column left of the charts. */
const LABEL_WIDTH = 24;
const INDENT = '  ';
const CHART_COLORS = ['green', 'magenta', 'cyan', 'yellow'] as const;

/** Lines a full panel of `a` needs with charts `chartRows` tall. */
export function panelHeight(chartRows: number, a?: AgentProgress): number {
  return 3 + (a?.charts.length ?? 2) * chartRows;
}

export function agentPanel(a: AgentProgress, width: number, chartRows: number, nameWidth: number): Line[] {
  const lines: Line[] = [progressLine(a, width, nameWidth)];
  const chartWidth = Math.max(4, width - INDENT.length - LABEL_WIDTH - 1);
  const covered = a.update - (a.firstUpdate ?? a.update);
  lines.push([
    seg(INDENT),
    seg(`${compact(a.stepsPerSecond)} ${a.display.rate}`, { bold: true }),
    seg(`  ${compact(a.envSteps)} ${a.display.steps}`),
    seg(a.lastCheckpoint !== null ? `  checkpoint @${a.lastCheckpoint}` : '', { dim: true }),
    seg(covered > 0 ? `  charts: updates ${a.firstUpdate}–${a.update}` : '', { dim: true }),
  ]);
  for (const [i, c] of a.charts.entries())
    lines.push(...chart(c, a, chartWidth, chartRows, CHART_COLORS[i % CHART_COLORS.length]));
  const m = a.latest;
  lines.push([
    seg(INDENT),
    ...a.display.stats.flatMap((stat, i) => {
      const value = m?.[stat.key];
      const warn = stat.key === 'train/gradNorm' && value !== undefined && value > a.gradClip;
      return [
        seg(`${i > 0 ? '  ' : ''}${stat.label} `),
        seg(short(value), { bold: true, ...(warn ? { color: 'yellow' as const } : {}) }),
      ];
    }),
  ]);
  return lines;
}

function progressLine(a: AgentProgress, width: number, nameWidth: number): Line {
  const fraction = a.updates > 0 ? a.update / a.updates : 0;
  const pct = `${(100 * fraction).toFixed(1)}%`.padStart(6);
  const eta = a.status === 'done' ? 'done' : a.status === 'stopped' ? 'stopped' : `ETA ${duration(a.etaSeconds)}`;
  const tail = ` ${pct}  ${a.update}/${a.updates}  ${duration(a.wallSeconds)} elapsed  ${eta}`;
  const barWidth = Math.max(8, width - nameWidth - 1 - tail.length);
  const barColor = a.status === 'stopped' ? 'yellow' : 'green';
  return [
    seg(a.agent.padEnd(nameWidth), { bold: true }),
    seg(' '),
    seg(progressBar(fraction, barWidth), { color: barColor }),
    seg(tail),
  ];
}

function chart(
  c: ChartSeries,
  a: AgentProgress,
  width: number,
  rows: number,
  color: (typeof CHART_COLORS)[number],
): Line[] {
  const values = resample(c.history.values(), width);
  const latest = a.latest?.[c.key];
  const smoothed = a.latest ? c.smoothed : undefined;
  const shown = values.slice(-width).filter(Number.isFinite);
  const max = shown.length > 0 ? Math.max(...shown) : Number.NaN;
  const min = shown.length > 0 ? Math.min(...shown) : Number.NaN;
  if (rows <= 1) {
    const label = `${c.label} ${short(latest)} avg ${short(smoothed)}`.padEnd(LABEL_WIDTH);
    return [[seg(INDENT), seg(label), seg(' '), seg(sparkline(values, width), { color })]];
  }
  const labels = [
    `${c.label.padEnd(8)}latest ${short(latest, 8)}`,
    `${''.padEnd(8)}smooth ${short(smoothed, 8)}`,
    `${''.padEnd(8)}max    ${short(max, 8)}`,
    `${''.padEnd(8)}min    ${short(min, 8)}`,
  ];
  return tallSparkline(values, width, rows).map((row, i) => [
    seg(INDENT),
    seg((labels[i] ?? '').padEnd(LABEL_WIDTH), i === 0 ? { bold: true } : { dim: true }),
    seg(' '),
    seg(row, { color }),
  ]);
}

/** One line: an agent that is waiting, done or stopped. */
export function agentSummary(a: AgentProgress, _width: number, nameWidth: number): Line {
  const name = seg(a.agent.padEnd(nameWidth), { bold: true });
  if (a.status === 'waiting') return [name, seg(` waiting · ${a.updates} updates`, { dim: true })];
  const state =
    a.status === 'done'
      ? seg(' ✓ done', { color: 'green' })
      : a.status === 'stopped'
        ? seg(' ■ stopped', { color: 'yellow' })
        : seg(' ▶ training', { color: 'cyan' });
  const charts = a.charts.map((c) => ` · ${c.label} ${short(c.smoothed)}`).join('');
  const rate = `${compact(a.stepsPerSecond)} ${a.display.rate}`;
  return [name, state, seg(` ${a.update}/${a.updates} · ${duration(a.wallSeconds)} · ${rate}${charts}`)];
}
