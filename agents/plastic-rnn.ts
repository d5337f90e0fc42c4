// `plastic-rnn`: a recurrent actor-critic whose recurrent weights are partly plastic, meta-trained
// by the same A2C trainer as the LSTM (Miconi et al. 2018 "Differentiable plasticity"; Miconi et
// al. 2019 "Backpropamine"). Its connection from unit i to unit j is W_ij + α_ij Hebb_ij: W, α,
// the trace rate η and the neuromodulator weights are parameters, meta-trained across episodes;
// Hebb (and the eligibility trace E of the retroactive rule) is episode state, one H×H matrix per
// batch element, created fresh by `initialState` and changed by the network's own activity within
// the episode. So with frozen parameters it can still learn within an episode in two places: its
// activity h, and its plastic synapses Hebb. `engram eval --lesion` takes one of them away:
// `reset-state` zeroes h at every trial and keeps the traces; `freeze-plasticity` keeps h and
// holds the traces at their initial value 0.
//
// The step is one fused tape node (src/nn/ops/plastic.ts); the policy and value heads are linear
// readouts of h, as for the LSTM (agents/learned-common.ts).
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import { type Lesion, type PolicyNetwork, policyInputSize, type StepOutput } from '../src/core/policy.ts';
import { unknownRecordable } from '../src/core/recordable.ts';
import type { Rng } from '../src/core/rng.ts';
import type { RecordableVariable, TaskFamily } from '../src/core/types.ts';
import { constantParameter, uniformParameter } from '../src/nn/init.ts';
import { Linear } from '../src/nn/layers/linear.ts';
import { Module } from '../src/nn/module.ts';
import { sigmoid } from '../src/nn/ops/elementwise.ts';
import { PLASTICITY_MODES, type PlasticityMode, type PlasticWeights, plasticRnnCell } from '../src/nn/ops/plastic.ts';
import { Tensor } from '../src/nn/tensor.ts';
import { networkAgentEntry } from './kit/network-agent.ts';

/** Options of the plastic recurrent agent. */
export const plasticRnnOptions = z.strictObject({
  // Each batch element carries an H×H plastic trace.
  hidden: option(z.number().int().min(1).max(256).default(48), 'H, the number of recurrent units'),
  // `hebbian` (Miconi 2018): Hebb ← (1 − η) Hebb + η h_{t−1} h_tᵀ; `neuromodulated` (Miconi 2019):
  // Hebb ← clip(Hebb + M_t h_{t−1} h_tᵀ); `retroactive` (Miconi 2019): an eligibility trace
  // E ← (1 − η) E + η h_{t−1} h_tᵀ and Hebb ← clip(Hebb + M_t E).
  plasticity: option(z.enum(PLASTICITY_MODES).default('neuromodulated'), 'The plasticity rule'),
  // Miconi 2019 clip at 1.
  clip: option(z.number().gt(0).max(100).default(1), 'c, the bound of neuromodulated traces: Hebb in [−c, c]'),
  // `stop` treats h_t as a constant in M_t = tanh(h_t · w_M + b_M) (w_M and b_M still learn), an
  // ablation of the loop h → M → Hebb → h. Tried against the gradient-norm spikes of meta-training at
  // lr 3e-3 (docs/results/bandit-mechanisms.md); it did not remove them, so the default is `full`.
  modulatorGradient: option(z.enum(['full', 'stop']).default('full'), 'Gradient into h_t through M_t: full, or stop'),
});
export type PlasticRnnOptions = z.output<typeof plasticRnnOptions>;

/** The episode state: activity and plastic traces, all reset by `initialState` and nowhere else. */
export interface PlasticState {
  /** B × H activity h_{t−1}. */
  h: Tensor;
  /**
   * The h_{t−1} the plasticity rule pairs with h_t when it differs from `h`: after a `reset-state`
   * lesion, the activity before the wipe (the synapses saw it; the next step's activity does not).
   */
  presynaptic: Tensor | null;
  /** B × H² plastic trace Hebb_t (the P of the retroactive rule). */
  trace: Tensor;
  /** B × H² eligibility trace E_t (retroactive rule only). */
  eligibility: Tensor | null;
  /** The trace at the start of the episode and one step earlier (for `plasticityReport`). */
  initialTrace: Tensor;
  previousTrace: Tensor;
  /** The neuromodulation M of the last step, per batch element (null before the first step and for `hebbian`). */
  modulation: Float64Array | null;
  /** Set by the `freeze-plasticity` lesion: steps leave the traces at their initial value. */
  frozen: boolean;
}

/** η starts at 0.1 (a trace memory of about ten steps), parameterized through a logistic so it stays in (0, 1). */
const INITIAL_ETA = 0.1;
/** Half-width of α's uniform initialisation. */
const ALPHA_INIT = 0.01;

export class PlasticRnnNetwork extends Module implements PolicyNetwork<PlasticState, Tensor> {
  readonly agentId = 'plastic-rnn';
  readonly kind = 'plastic';
  readonly weights: PlasticWeights;
  /** The logit of η (η = σ(etaLogit)); null for the neuromodulated rule, which has no η. */
  readonly etaLogit: Tensor | null;
  readonly policy: Linear;
  readonly value: Linear;
  private readonly mode: PlasticityMode;

  constructor(
    readonly inputSize: number,
    readonly numActions: number,
    readonly resolved: PlasticRnnOptions,
    rng: Rng,
  ) {
    super();
    const H = resolved.hidden;
    this.mode = resolved.plasticity;
    // As PyTorch's nn.RNN: every fixed weight uniform on ±1/√H. The plasticity coefficients α
    // start small (uniform on ±0.01), so the network starts close to a plain recurrent network
    // and the plastic part grows only as far as meta-training finds it useful; with α as large as
    // W, the traces (which saturate at the clip within an episode) add a strong random recurrent
    // drive from the first episode on. (In our short trials, docs/results/bandit-mechanisms.md, neither start learned
    // anything in its first 1000 updates at lr 1e-3, so this is a choice, not a measured gain.)
    const bound = 1 / Math.sqrt(H);
    const core = rng.fork('core');
    const weightInput = this.registerParameter('weightInput', uniformParameter(inputSize, H, bound, core));
    const bias = this.registerParameter('bias', uniformParameter(1, H, bound, core));
    const weightRecurrent = this.registerParameter('weightRecurrent', uniformParameter(H, H, bound, core));
    const alpha = this.registerParameter('alpha', uniformParameter(H, H, ALPHA_INIT, core));
    this.etaLogit =
      this.mode === 'neuromodulated'
        ? null
        : this.registerParameter('etaLogit', constantParameter(1, 1, Math.log(INITIAL_ETA / (1 - INITIAL_ETA))));
    const usesModulation = this.mode !== 'hebbian';
    const modulationWeight = usesModulation
      ? this.registerParameter('modulationWeight', uniformParameter(H, 1, bound, core))
      : null;
    const modulationBias = usesModulation ? this.registerParameter('modulationBias', constantParameter(1, 1, 0)) : null;
    this.weights = { weightInput, bias, weightRecurrent, alpha, eta: null, modulationWeight, modulationBias };
    this.policy = this.registerModule(
      'policy',
      new Linear({ inputSize: H, outputSize: numActions }, rng.fork('policy')),
    );
    this.value = this.registerModule('value', new Linear({ inputSize: H, outputSize: 1 }, rng.fork('value')));
  }

  initialState(batchSize: number): PlasticState {
    const H = this.resolved.hidden;
    const trace = Tensor.zeros(batchSize, H * H);
    return {
      h: Tensor.zeros(batchSize, H),
      presynaptic: null,
      trace,
      eligibility: this.mode === 'retroactive' ? Tensor.zeros(batchSize, H * H) : null,
      initialTrace: trace,
      previousTrace: trace,
      modulation: null,
      frozen: false,
    };
  }

  step(state: PlasticState, input: Tensor): StepOutput<PlasticState, Tensor> {
    const eta = this.etaLogit === null ? null : sigmoid(this.etaLogit);
    const out = plasticRnnCell(
      this.mode,
      input,
      state.h,
      state.trace,
      state.eligibility,
      { ...this.weights, eta },
      this.resolved.clip,
      state.presynaptic ?? state.h,
      this.resolved.modulatorGradient === 'stop',
    );
    const next: PlasticState = state.frozen
      ? { ...state, h: out.h, presynaptic: null, previousTrace: state.trace, modulation: out.modulation }
      : {
          h: out.h,
          presynaptic: null,
          trace: out.trace,
          eligibility: out.eligibility,
          initialTrace: state.initialTrace,
          previousTrace: state.trace,
          modulation: out.modulation,
          frozen: false,
        };
    return { state: next, logits: this.policy.forward(out.h), value: this.value.forward(out.h) };
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }

  /**
   * `reset-state` zeroes the activity h and keeps the traces — and keeps them learning: the
   * plasticity rule still pairs h_t with the activity before the wipe (otherwise, with one step
   * per trial, the Hebbian product h_{t−1} h_tᵀ would be zero and the lesion would stop plasticity
   * too). `freeze-plasticity` keeps h and holds the traces at their initial value (zero).
   */
  lesion(kind: Lesion, state: PlasticState, batchSize: number): PlasticState | null {
    const H = this.resolved.hidden;
    if (kind === 'reset-state')
      return { ...state, h: Tensor.zeros(batchSize, H), presynaptic: state.presynaptic ?? state.h };
    if (kind === 'freeze-plasticity') {
      if (state.frozen) return state;
      const fresh = this.initialState(batchSize);
      return { ...fresh, h: state.h, presynaptic: state.presynaptic, modulation: state.modulation, frozen: true };
    }
    return null;
  }

  /** Batch means of |Hebb_t − Hebb_0|, |Hebb_t − Hebb_{t−1}|, |Hebb_t| and the neuromodulation M_t. */
  plasticityReport(state: PlasticState): Record<string, number> {
    const t = state.trace.data;
    const t0 = state.initialTrace.data;
    const tp = state.previousTrace.data;
    let change = 0;
    let step = 0;
    let size = 0;
    for (let k = 0; k < t.length; k++) {
      change += Math.abs(t[k] - t0[k]);
      step += Math.abs(t[k] - tp[k]);
      size += Math.abs(t[k]);
    }
    const n = Math.max(1, t.length);
    const report: Record<string, number> = {
      meanAbsTraceChange: change / n,
      meanAbsTraceStepChange: step / n,
      meanAbsTrace: size / n,
    };
    if (state.modulation !== null) {
      let m = 0;
      let am = 0;
      for (const v of state.modulation) {
        m += v;
        am += Math.abs(v);
      }
      report.meanModulation = m / Math.max(1, state.modulation.length);
      report.meanAbsModulation = am / Math.max(1, state.modulation.length);
    }
    return report;
  }

  /**
   * The activity h; the plastic trace Hebb, whole (on request) and as its norm and mean magnitude;
   * the neuromodulation M (rules that have one); the eligibility trace E (retroactive rule). The
   * traces are the ones after the step's update, which shape the next step's activity.
   */
  recordable(): readonly RecordableVariable[] {
    const H = this.resolved.hidden;
    const variables: RecordableVariable[] = [
      {
        name: 'h',
        shape: [H],
        memory: 'activity',
        description: 'the recurrent activity h_t after the step, which the policy and value heads read (unitless)',
      },
      {
        name: 'trace-norm',
        shape: [1],
        memory: 'synapses',
        description: 'the Frobenius norm of the plastic trace Hebb after the step (unitless)',
      },
      {
        name: 'trace-mean-abs',
        shape: [1],
        memory: 'synapses',
        description: 'the mean of |Hebb_ij| over the H² plastic synapses after the step (unitless)',
      },
      {
        name: 'traces',
        shape: [H, H],
        memory: 'synapses',
        description:
          'the plastic trace Hebb after the step, entry (i, j) on the synapse from unit i to unit j, ' +
          'scaled by α_ij in the recurrent weights of the next step (unitless)',
        onRequest: true,
      },
    ];
    if (this.mode !== 'hebbian') {
      variables.push({
        name: 'modulation',
        shape: [1],
        memory: 'readout',
        description: "the step's neuromodulation M_t = tanh(h_t · w_M + b_M), which gates the trace update",
      });
    }
    if (this.mode === 'retroactive') {
      variables.push(
        {
          name: 'eligibility-norm',
          shape: [1],
          memory: 'synapses',
          description: 'the Frobenius norm of the eligibility trace E after the step (unitless)',
        },
        {
          name: 'eligibility',
          shape: [H, H],
          memory: 'synapses',
          description:
            'the eligibility trace E after the step, entry (i, j) on the synapse from unit i to unit j, ' +
            'which the next neuromodulation writes into Hebb (unitless)',
          onRequest: true,
        },
      );
    }
    return variables;
  }

  readRecordable(state: PlasticState, name: string): Float64Array {
    const B = state.h.rows;
    const HH = this.resolved.hidden ** 2;
    // Per batch element, a summary of its H² entries of `matrix`.
    const perElement = (matrix: Float64Array, summary: (row: Float64Array) => number) =>
      Float64Array.from({ length: B }, (_, b) => summary(matrix.subarray(b * HH, (b + 1) * HH)));
    const norm = (row: Float64Array) => Math.sqrt(row.reduce((sum, v) => sum + v * v, 0));
    const meanAbs = (row: Float64Array) => row.reduce((sum, v) => sum + Math.abs(v), 0) / row.length;
    const hasModulation = this.mode !== 'hebbian';
    const hasEligibility = this.mode === 'retroactive';
    switch (name) {
      case 'h':
        return Float64Array.from(state.h.data);
      case 'trace-norm':
        return perElement(state.trace.data, norm);
      case 'trace-mean-abs':
        return perElement(state.trace.data, meanAbs);
      case 'traces':
        return Float64Array.from(state.trace.data);
      case 'modulation':
        if (!hasModulation) break;
        if (state.modulation === null) throw new Error(`${this.agentId}: no '${name}' before the first step`);
        return Float64Array.from(state.modulation);
      case 'eligibility-norm':
        if (!hasEligibility) break;
        return perElement((state.eligibility as Tensor).data, norm);
      case 'eligibility':
        if (!hasEligibility) break;
        return Float64Array.from((state.eligibility as Tensor).data);
    }
    throw unknownRecordable(this.agentId, name, this.recordable());
  }
}

function createNetwork(family: TaskFamily, options: Record<string, unknown> | undefined, rng: Rng): PlasticRnnNetwork {
  const resolved = parseOptions('plastic-rnn', plasticRnnOptions, options);
  return new PlasticRnnNetwork(policyInputSize(family), family.numActions, resolved, rng);
}

export const plasticRnn = networkAgentEntry({
  id: 'plastic-rnn',
  kind: 'plastic',
  description:
    'RNN with meta-trained (neuromodulated) Hebbian plastic recurrent weights, ' +
    'trained by A2C (Miconi et al. 2018, 2019)',
  options: plasticRnnOptions,
  papers: [
    'Miconi, Clune & Stanley 2018, Differentiable plasticity: training plastic neural networks with backpropagation',
    'Miconi et al. 2019, Backpropamine: training self-modifying neural networks ' +
      'with differentiable neuromodulated plasticity',
  ],
  createNetwork,
});
