// The two-step task's figure (Daw et al. 2011, Fig. 2; Wang et al. 2018, Fig. 5): one panel per
// agent, P(stay with the first-stage choice) after a rewarded or unrewarded trial, by whether that
// trial's transition was common or rare. A model-free learner's bars rise with reward alone; a
// model-based learner's cross: after a reward it stays on a common transition and switches on a
// rare one, and the reverse after no reward.
import { STAY_CONDITIONS, type StayProbabilities } from '../measures/two-step.ts';
import { COLORS, CONFIG, fmt, noDataSpec, SCHEMA, titleOf } from './chart-style.ts';
import type { TopLevelSpec } from './svg.ts';

/** The four stay probabilities of each agent, as grouped bars with 95% intervals over episodes. */
export function stayProbabilitySpec(byAgent: Record<string, StayProbabilities>, title: string): TopLevelSpec {
  const agents = Object.keys(byAgent);
  const data = agents.flatMap((agent) =>
    STAY_CONDITIONS.flatMap((c) => {
      const e = byAgent[agent][c.key];
      if (e === undefined || !Number.isFinite(e.p)) return [];
      const [low, high] = Number.isFinite(e.ci95[0]) ? e.ci95 : [e.p, e.p];
      return [
        {
          agent,
          outcome: c.rewarded ? 'rewarded' : 'unrewarded',
          transition: c.common ? 'common' : 'rare',
          y: e.p,
          low,
          high,
          label: fmt(e.p),
        },
      ];
    }),
  );
  if (data.length === 0) return noDataSpec(title);
  const x = {
    field: 'outcome',
    type: 'nominal',
    sort: ['rewarded', 'unrewarded'],
    title: 'previous trial',
    axis: { labelAngle: 0 },
    scale: { paddingInner: 0.3 },
  };
  const xOffset = { field: 'transition', type: 'nominal', sort: ['common', 'rare'] };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: 'P(stay with the first-stage choice)',
    scale: { domain: [0, 1] },
  };
  const color = {
    field: 'transition',
    type: 'nominal',
    scale: { domain: ['common', 'rare'], range: [COLORS[0], COLORS[1]] },
    legend: { title: 'previous transition', titleLimit: 1000, symbolType: 'square' },
  };
  return {
    $schema: SCHEMA,
    title: titleOf(title, [
      'bars: P(stay) over held-out trials; whiskers: 95% CI over episodes',
      'model-free: higher after reward; model-based: higher after rewarded-common and unrewarded-rare',
    ]),
    config: CONFIG,
    data: { values: data },
    facet: { column: { field: 'agent', type: 'nominal', sort: agents, title: null, header: { labelFontSize: 12 } } },
    spec: {
      width: 170,
      height: 220,
      layer: [
        { mark: { type: 'bar', stroke: '#222', strokeWidth: 0.8 }, encoding: { x, xOffset, y, color } },
        {
          mark: { type: 'rule', color: '#000', strokeWidth: 1.2 },
          encoding: { x, xOffset, y: { ...y, field: 'low' }, y2: { field: 'high' } },
        },
        {
          mark: { type: 'text', fontSize: 8.5, baseline: 'bottom', dy: -3, color: '#111' },
          encoding: { x, xOffset, y: { ...y, field: 'high' }, text: { field: 'label' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}
