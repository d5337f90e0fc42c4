// The evaluation view's table: the frozen agents of this run beside the classic agents, all on
// the same held-out instances, as mean ± 95% CI. Wider terminals add the behavioural columns.
import { formatEstimate } from '../measures/stats.ts';
import { padTo } from './format.ts';
import { type Line, seg } from './lines.ts';
import type { DashboardStore } from './store.ts';

interface Column {
  title: string;
  width: number;
  cell: (row: DashboardStore['evaluation'][number]) => string;
}

const BASE: Column[] = [
  { title: 'agent', width: 18, cell: (r) => `${r.agent}${r.frozen ? ' (frozen)' : ''}` },
  { title: 'kind', width: 9, cell: (r) => r.result.kind },
  { title: 'total reward', width: 17, cell: (r) => formatEstimate(r.result.totalReward) },
  // Retitled by the task's headline measure when the evaluation carries one (evaluationTable).
  { title: 'expected regret', width: 28, cell: (r) => formatEstimate(headline(r)?.value ?? r.result.expectedRegret) },
];

function headline(
  row: DashboardStore['evaluation'][number],
): { name: string; unit: string; value: { mean: number; ci95: [number, number] } } | undefined {
  return row.result.mainMeasure as ReturnType<typeof headline>;
}

const WIDE: Column[] = [
  { title: 'stay after win', width: 16, cell: (r) => formatEstimate(r.result.stayAfterWin) },
  { title: 'shift after lose', width: 17, cell: (r) => formatEstimate(r.result.shiftAfterLose) },
];

export function evaluationTable(store: DashboardStore, width: number): Line[] {
  const lines: Line[] = [];
  const episodes = store.run
    ? `${store.run.episodes} held-out episodes, the same for every agent`
    : 'held-out episodes';
  lines.push([seg('Evaluation', { bold: true }), seg(` · frozen weights · ${episodes}`, { dim: true })]);
  const first = store.evaluation.map(headline).find((h) => h !== undefined);
  const columns =
    first === undefined
      ? [...BASE]
      : BASE.map((c, i) =>
          i === BASE.length - 1 ? { ...c, title: `${first.name}${first.unit ? ` (${first.unit})` : ''}` } : c,
        );
  let used = BASE.reduce((n, c) => n + c.width + 1, 0);
  for (const c of WIDE) {
    if (used + c.width + 1 > width) break;
    columns.push(c);
    used += c.width + 1;
  }
  lines.push([seg(columns.map((c) => padTo(c.title, c.width)).join(' '), { dim: true })]);
  for (const r of store.evaluation) {
    lines.push([seg(columns.map((c) => padTo(c.cell(r), c.width)).join(' '), r.frozen ? { bold: true } : {})]);
  }
  if (store.evaluating !== null) lines.push([seg(`evaluating ${store.evaluating}…`, { color: 'cyan' })]);
  else if (store.evaluation.length === 0) {
    lines.push([
      seg(
        store.phase === 'stopped'
          ? 'No evaluation: the run was stopped before it.'
          : 'No evaluation yet: it runs when training ends.',
        { dim: true },
      ),
    ]);
  }
  return lines;
}
