// Which agents of an experiment get meta-trained, and for how long: what the dashboard lists
// before their first update arrives, and what `engram dashboard` needs to show progress of a
// run it only reads.
import { findAgent } from '../../agents/index.ts';
import { agentKey, agentTraining, type ExperimentSpec } from '../experiments/spec.ts';

export interface TrainingPlan {
  agent: string;
  updates: number;
  /** The global gradient-norm clip: a reported norm far above it is worth a warning. */
  gradClip: number;
  logEvery: number;
}

/** The agents of `spec` that run.ts meta-trains (those with a network), in training order. */
export function trainingPlan(spec: ExperimentSpec): TrainingPlan[] {
  const plan: TrainingPlan[] = [];
  for (const a of spec.agents) {
    let trainable = false;
    try {
      trainable = findAgent(a.id).createNetwork !== undefined;
    } catch {
      // An agent this build does not know (a run made by a newer engram): show nothing for it.
    }
    // An agent evaluated from a shipped checkpoint is not trained (a run with --train drops the name).
    if (!trainable || a.checkpoint !== undefined) continue;
    const t = agentTraining(spec, a);
    plan.push({ agent: agentKey(a), updates: t.updates, gradClip: t.gradClip, logEvery: t.logEvery });
  }
  return plan;
}
