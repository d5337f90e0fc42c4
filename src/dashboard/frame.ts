// The whole frame for a terminal of a given size: header, the training or evaluation view, the
// log pane, and a footer naming the keys. Heights are decided here: the focused agent's charts
// grow with spare rows, and the log pane takes what is left.
import type { RunControl } from '../experiments/events.ts';
import { agentPanel, agentSummary, panelHeight } from './agent-panel.ts';
import { evaluationTable } from './evaluation-table.ts';
import { clip, type Line, lineLength, seg } from './lines.ts';
import type { AgentProgress, DashboardStore } from './store.ts';

export type View = 'training' | 'evaluation';

export interface FrameOptions {
  width: number;
  /** Lines the frame may take (one less than the terminal's rows). */
  height: number;
  view: View;
  /** What the keys do: a run in this process, a followed run, or no keys (stdin is not a terminal). */
  keys: 'run' | 'follow' | 'none';
  control?: RunControl;
}

/** The log pane keeps at least this many rows, or a quarter of the frame on tall terminals. */
const MIN_LOG = 3;
const MAX_CHART_ROWS = 6;

export function frame(store: DashboardStore, o: FrameOptions): Line[] {
  const width = Math.max(20, o.width);
  const height = Math.max(8, o.height);
  const head = header(store, o, width);
  const foot = footer(store, o);
  const room = height - 3 - Math.max(MIN_LOG, Math.floor(height / 4));
  const body = (o.view === 'training' ? trainingBody(store, width, room) : evaluationBody(store, width)).slice(0, room);
  const logRows = Math.max(1, height - 3 - body.length);
  const log = logPane(store, logRows);
  const lines = [head, ...body, rule('log', width), ...log, foot].slice(0, height);
  return lines.map((l) => clip(l, width));
}

function header(store: DashboardStore, o: FrameOptions, width: number): Line {
  const run = store.run;
  const left: Line = [
    seg('engram ', { bold: true }),
    ...(store.part !== null ? [seg(`part ${store.part.index + 1}/${store.part.parts} · `, { dim: true })] : []),
    seg(run ? `${run.name} · ${run.task} · seed ${run.seed}` : 'waiting for the run to start'),
  ];
  const state = stateBadge(store, o.control);
  const tabs: Line = [
    seg(' '),
    seg(' training ', o.view === 'training' ? { inverse: true } : { dim: true }),
    seg(' evaluation ', o.view === 'evaluation' ? { inverse: true } : { dim: true }),
  ];
  const right: Line = [state, ...tabs];
  const gap = width - lineLength(left) - lineLength(right);
  return gap >= 1
    ? [...left, seg(' '.repeat(gap)), ...right]
    : [...clip(left, Math.max(0, width - lineLength(right) - 1)), seg(' '), ...right];
}

function stateBadge(store: DashboardStore, control?: RunControl) {
  if (store.phase === 'done') return seg('DONE', { color: 'green', bold: true });
  if (store.phase === 'stopped') return seg('STOPPED', { color: 'yellow', bold: true });
  if (control?.stop) return seg('STOPPING', { color: 'yellow', bold: true });
  if (control?.paused) return seg('PAUSED', { color: 'yellow', bold: true });
  if (store.phase === 'evaluating') return seg('EVALUATING', { color: 'cyan', bold: true });
  if (store.phase === 'training') return seg('TRAINING', { color: 'cyan', bold: true });
  return seg('STARTING', { dim: true });
}

/** The agent the training view details: the one training now, else the last one that trained. */
function focusAgent(agents: AgentProgress[]): AgentProgress | undefined {
  return (
    agents.find((a) => a.status === 'training') ??
    [...agents].reverse().find((a) => a.status !== 'waiting') ??
    agents[0]
  );
}

function trainingBody(store: DashboardStore, width: number, room: number): Line[] {
  const agents = store.agents;
  if (agents.length === 0)
    return [
      [seg(store.phase === 'starting' ? 'Preparing the run…' : 'No agent to train in this experiment.', { dim: true })],
    ];
  const nameWidth = Math.min(16, Math.max(...agents.map((a) => a.agent.length)));
  // Agents that have trained in full when they all fit (the waiting ones have nothing to chart),
  // else the focused one in full and the others on one line each.
  const full = agents.filter((a) => a.status !== 'waiting');
  const layout = (inFull: AgentProgress[], rows: number) =>
    agents.flatMap((a) =>
      inFull.includes(a) ? agentPanel(a, width, rows, nameWidth) : [agentSummary(a, width, nameWidth)],
    );
  for (let rows = MAX_CHART_ROWS; rows >= 1 && full.length > 1; rows--) {
    if (full.reduce((n, a) => n + panelHeight(rows, a), 0) + agents.length - full.length <= room)
      return layout(full, rows);
  }
  const focus = focusAgent(agents)!;
  let rows = 1;
  while (rows < MAX_CHART_ROWS && panelHeight(rows + 1, focus) + agents.length - 1 <= room) rows++;
  return layout([focus], rows);
}

function evaluationBody(store: DashboardStore, width: number): Line[] {
  const nameWidth = store.agents.length > 0 ? Math.min(16, Math.max(...store.agents.map((a) => a.agent.length))) : 0;
  return [...store.agents.map((a) => agentSummary(a, width, nameWidth)), ...evaluationTable(store, width)];
}

function rule(title: string, width: number): Line {
  return [seg(`─ ${title} ${'─'.repeat(Math.max(0, width - title.length - 3))}`, { dim: true })];
}

function logPane(store: DashboardStore, rows: number): Line[] {
  const entries = store.log.slice(-rows);
  const lines: Line[] = entries.map((e) => [
    seg(e.level === 'warn' ? '! ' : '· ', e.level === 'warn' ? { color: 'yellow', bold: true } : { dim: true }),
    seg(e.text, e.level === 'warn' ? { color: 'yellow' } : {}),
    seg(e.repeat > 1 ? ` (×${e.repeat})` : '', { dim: true }),
  ]);
  while (lines.length < rows) lines.push([seg('')]);
  return lines;
}

function footer(store: DashboardStore, o: FrameOptions): Line {
  const other = o.view === 'training' ? 'evaluation' : 'training';
  if (o.keys === 'run' && (store.phase === 'done' || store.phase === 'stopped')) {
    return [
      seg(
        store.phase === 'done'
          ? `finished: ${store.runDir}`
          : `stopped: npx engram run --resume ${store.runDir} continues`,
        { dim: true },
      ),
    ];
  }
  if (o.keys === 'run') {
    const pause = o.control?.paused ? 'resume' : 'pause';
    return [
      seg('q', { bold: true }),
      seg(' stop (checkpoint; --resume continues)  '),
      seg('p', { bold: true }),
      seg(` ${pause}  `),
      seg('tab', { bold: true }),
      seg(` ${other} view`),
    ];
  }
  if (o.keys === 'follow')
    return [
      seg('q', { bold: true }),
      seg(' quit  '),
      seg('tab', { bold: true }),
      seg(` ${other} view  `),
      seg(`following ${store.runDir}`, { dim: true }),
    ];
  return [seg(`keys need a terminal on stdin; Ctrl-C ${o.control ? 'stops at a checkpoint' : 'quits'}`, { dim: true })];
}
