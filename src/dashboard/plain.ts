// Plain progress for pipes, files, CI and --plain: one line per interval, never an escape
// sequence. Reads only run events; it never drives training.
import { A2C_DISPLAY, type RunEvent, type TrainingDisplay } from '../experiments/events.ts';
import { duration, fixed } from './format.ts';

/** A run-event listener that writes plain lines to `write`, at most one progress line per `intervalSeconds`. */
export function plainProgress(write: (line: string) => void, intervalSeconds = 5): (event: RunEvent) => void {
  let lastLine = -Infinity;
  // The rate is measured in training seconds from the first update seen, so pauses do not skew the
  // ETA and a followed run (whose records arrive all at once) gets the run's own rate.
  let anchor: { update: number; wallSeconds: number } | null = null;
  // A run gone bad warns every update; repeats of one warning print at most once per interval.
  let lastWarning = { key: '', at: -Infinity, suppressed: 0 };
  const displays = new Map<string, TrainingDisplay>();
  return (event) => {
    switch (event.type) {
      case 'run-start':
        for (const p of event.run.plan) displays.set(p.agent, p.display);
        write(`${event.resumed ? 'resuming' : 'run'} ${event.run.name} (seed ${event.run.seed}) in ${event.runDir}`);
        break;
      case 'train-start':
        anchor = null;
        lastLine = -Infinity;
        write(
          `${event.agent}: training for ${event.updates} updates` +
            (event.fromUpdate > 0 ? ` from update ${event.fromUpdate}` : ''),
        );
        break;
      case 'update': {
        const now = performance.now();
        const m = event.metrics;
        if (anchor === null) anchor = { update: m.update, wallSeconds: event.wallSeconds };
        if (now - lastLine < intervalSeconds * 1000 && m.update < event.updates) break;
        lastLine = now;
        const updateRate = (m.update - anchor.update) / (event.wallSeconds - anchor.wallSeconds);
        const eta = m.update >= event.updates ? 0 : (event.updates - m.update) / updateRate;
        const pct = ((100 * m.update) / Math.max(1, event.updates)).toFixed(1);
        // The charted metrics and the first listed one (meta-RL: reward, regret, entropy).
        const display = displays.get(event.agent) ?? A2C_DISPLAY;
        const shown = [...display.charts, ...display.stats.slice(0, 1)].map(
          (x) => `${x.label} ${fixed(m[x.key], x.digits ?? 2)}`,
        );
        const stepRate = Object.entries(m).find(([key]) => key.startsWith('perf/'))?.[1];
        write(
          `${event.agent} ${pct.padStart(5)}% update ${m.update}/${event.updates} ` +
            `${fixed(stepRate, 0)} ${display.rate} ${shown.join(' ')} ETA ${duration(eta)}`,
        );
        break;
      }
      case 'checkpoint':
        break;
      case 'train-end':
        write(`${event.agent}: ${event.stopped ? 'stopped; resume with --resume' : 'training done'}`);
        break;
      case 'eval-start':
        break;
      case 'eval': {
        const r = event.result;
        const headline = r.mainMeasure as
          | { name: string; unit: string; value: { mean: number; ci95: [number, number] } }
          | undefined;
        const regret = r.expectedRegret;
        const shown =
          headline ??
          (regret && Number.isFinite(regret.mean) ? { name: 'expected regret', unit: '', value: regret } : undefined);
        const ci =
          shown !== undefined
            ? ` ${shown.name} ${fixed(shown.value.mean, 2)}${shown.unit ? ` ${shown.unit}` : ''} ` +
              `[${fixed(shown.value.ci95[0], 2)}, ${fixed(shown.value.ci95[1], 2)}]`
            : '';
        write(`eval ${event.agent}: reward ${fixed(r.meanTotalReward, 2)}${ci} over ${r.episodes} held-out episodes`);
        break;
      }
      case 'part-start':
        write(`part ${event.index + 1}/${event.parts}: ${event.part}`);
        break;
      case 'note':
        write(event.message);
        break;
      case 'warning': {
        const now = performance.now();
        // Numbers are blanked, not the digits of a name ("attn-2", "layer1").
        const key = event.message.replace(/(?<![\w-])-?\d+(\.\d+)?/g, '#');
        if (key === lastWarning.key && now - lastWarning.at < intervalSeconds * 1000) {
          lastWarning.suppressed++;
          break;
        }
        const more =
          key === lastWarning.key && lastWarning.suppressed > 0 ? ` (and ${lastWarning.suppressed} like it)` : '';
        lastWarning = { key, at: now, suppressed: 0 };
        write(`warning: ${event.message}${more}`);
        break;
      }
      case 'run-end':
        write(
          event.stopped ? `stopped; continue with: npx engram run --resume ${event.runDir}` : `done: ${event.runDir}`,
        );
        break;
    }
  };
}
