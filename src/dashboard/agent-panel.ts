// One meta-trained agent in the training view: progress bar with percent, elapsed and ETA;
// throughput; latest and smoothed reward and expected regret with a chart of their history;
// entropy and the losses. A compact one-line form stands for agents that are waiting or done
// when the terminal is too short to show every panel.
import { progressBar, resample, sparkline, tallSparkline } from './chart.ts';
import { compact, duration, short } from './format.ts';
import { seg, type Line } from './lines.ts';
import type { AgentProgress } from './store.ts';

/** Width of the label column left of the charts. */
const LABEL_WIDTH = 24;
const INDENT = '  ';

/** Lines a full panel needs with charts `chartRows` tall. */
export function panelHeight(chartRows: number): number {
  return 3 + 2 * chartRows;
}

export function agentPanel(a: AgentProgress, width: number, chartRows: number, nameWidth: number): Line[] {
  const lines: Line[] = [progressLine(a, width, nameWidth)];
  const chartWidth = Math.max(4, width - INDENT.length - LABEL_WIDTH - 1);
  const covered = a.update - (a.firstUpdate ?? a.update);
  lines.push([
    seg(INDENT),
    seg(`${compact(a.stepsPerSecond)} steps/s`, { bold: true }),
    seg(`  ${compact(a.envSteps)} env steps`),
    seg(a.lastCheckpoint !== null ? `  checkpoint @${a.lastCheckpoint}` : '', { dim: true }),
    seg(covered > 0 ? `  charts: updates ${a.firstUpdate}–${a.update}` : '', { dim: true }),
  ]);
  lines.push(...chart('reward', a.latest?.['train/episodeReward'], a.latest ? a.smoothedReward : undefined, resample(a.reward.values(), chartWidth), chartWidth, chartRows, 'green'));
  lines.push(...chart('regret', a.latest?.['train/expectedRegret'], a.latest ? a.smoothedRegret : undefined, resample(a.regret.values(), chartWidth), chartWidth, chartRows, 'magenta'));
  const m = a.latest;
  lines.push([
    seg(INDENT),
    seg('entropy '),
    seg(short(m?.['train/entropy']), { bold: true }),
    seg('  value loss '),
    seg(short(m?.['train/valueLoss']), { bold: true }),
    seg('  policy loss '),
    seg(short(m?.['train/policyLoss']), { bold: true }),
    seg('  grad norm '),
    seg(short(m?.['train/gradNorm']), { bold: true, ...(m && m['train/gradNorm'] > a.gradClip ? { color: 'yellow' as const } : {}) }),
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
  return [seg(a.agent.padEnd(nameWidth), { bold: true }), seg(' '), seg(progressBar(fraction, barWidth), { color: barColor }), seg(tail)];
}

function chart(name: string, latest: number | undefined, smoothed: number | undefined, values: number[], width: number, rows: number, color: 'green' | 'magenta'): Line[] {
  const shown = values.slice(-width).filter(Number.isFinite);
  const max = shown.length > 0 ? Math.max(...shown) : NaN;
  const min = shown.length > 0 ? Math.min(...shown) : NaN;
  if (rows <= 1) {
    const label = `${name} ${short(latest)} avg ${short(smoothed)}`.padEnd(LABEL_WIDTH);
    return [[seg(INDENT), seg(label), seg(' '), seg(sparkline(values, width), { color })]];
  }
  const labels = [
    `${name.padEnd(8)}latest ${short(latest, 8)}`,
    `${''.padEnd(8)}smooth ${short(smoothed, 8)}`,
    `${''.padEnd(8)}max    ${short(max, 8)}`,
    `${''.padEnd(8)}min    ${short(min, 8)}`,
  ];
  const bars = tallSparkline(values, width, rows);
  return bars.map((row, i) => [
    seg(INDENT),
    seg((labels[i] ?? '').padEnd(LABEL_WIDTH), i === 0 ? { bold: true } : { dim: true }),
    seg(' '),
    seg(row, { color }),
  ]);
}

/** One line: an agent that is waiting, done or stopped. */
export function agentSummary(a: AgentProgress, width: number, nameWidth: number): Line {
  const name = seg(a.agent.padEnd(nameWidth), { bold: true });
  if (a.status === 'waiting') return [name, seg(` waiting · ${a.updates} updates`, { dim: true })];
  const state =
    a.status === 'done' ? seg(' ✓ done', { color: 'green' }) : a.status === 'stopped' ? seg(' ■ stopped', { color: 'yellow' }) : seg(' ▶ training', { color: 'cyan' });
  return [
    name,
    state,
    seg(` ${a.update}/${a.updates} · ${duration(a.wallSeconds)} · ${compact(a.stepsPerSecond)} steps/s · reward ${short(a.smoothedReward)} · regret ${short(a.smoothedRegret)}`),
  ];
}
