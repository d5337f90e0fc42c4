// `lsnn`: a recurrent network of spiking neurons, some with spike-frequency adaptation, meta-trained
// by A2C (Bellec et al. 2018, "Long short-term memory and learning-to-learn in networks of spiking
// neurons"; Subramoney, Bellec, Scherr, Legenstein & Maass 2021/2024, "Fast learning without
// synaptic plasticity in spiking neural networks"). With its synapses frozen it can still learn
// within an episode, and what it learns is held in membrane potentials and, over seconds, in the
// adaptive thresholds A_j = v_th + β a_j, which rise with every spike and decay with τ_a.
//
// Each environment step is `stepDuration` of simulated time: the step's input (observation, one-hot
// previous action, previous reward, t/T, and a constant 1 whose weights are a bias) is injected as a
// constant current through W_in for stepDuration/dt simulation steps of the fused spiking step
// (src/nn/ops/spiking.ts); the policy and value are linear readouts of the neurons' spikes low-pass
// filtered with τ_out, read at the end of the environment step. Membranes are in units of the
// baseline threshold (v_th = 1). `adaptive: 0`, or `beta: 0`, is the LIF control: the same network
// without adaptation.
//
// Lesions: `reset-state` returns every neuron to rest (membrane, adaptation, spikes, filter) at
// every trial boundary; `reset-adaptation` resets only the adaptation a (so the thresholds to v_th).
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import { type Lesion, policyInputSize } from '../src/core/policy.ts';
import type { Rng } from '../src/core/rng.ts';
import { Module } from '../src/nn/module.ts';
import { restingState, type SpikingConstants, type SpikingState, spikingStep } from '../src/nn/ops/spiking.ts';
import { concatColumns } from '../src/nn/ops/structure.ts';
import { Tensor } from '../src/nn/tensor.ts';
import { networkAgentEntry } from './kit/network-agent.ts';
import { RecurrentActorCritic, type RecurrentCore, type RecurrentStateVariable } from './kit/recurrent.ts';

/** Options of the spiking agent, in SI units (quantities such as '20 ms' are converted). */
export const lsnnOptions = z.strictObject({
  lif: option(z.number().int().min(0).max(2048).default(40), 'Neurons without adaptation (LIF)'),
  adaptive: option(
    z.number().int().min(0).max(2048).default(40),
    'Neurons with an adaptive threshold A = v_th + β a (ALIF)',
  ),
  tauMembrane: option(z.number().gt(0).max(10).default(0.02), 'τ_m, the membrane time constant', 's'),
  tauAdaptation: option(
    z.number().gt(0).max(100).default(1),
    'τ_a, the time constant of the adaptation a (Bellec et al. 2018: hundreds of ms to seconds)',
    's',
  ),
  beta: option(
    z.number().min(0).max(1000).default(50),
    'β, the threshold increase per unit of adaptation (a ≈ the spike probability per simulation step), ' +
      'in units of v_th',
  ),
  refractory: option(z.number().min(0).max(1).default(0.002), 'The refractory period after a spike', 's'),
  dt: option(z.number().gt(0).max(1).default(0.001), 'δt, the simulation step', 's'),
  stepDuration: option(
    z.number().gt(0).max(10).default(0.01),
    'Simulated time per environment step (a multiple of δt)',
    's',
  ),
  tauReadout: option(z.number().gt(0).max(10).default(0.02), 'τ_out, the low-pass filter of the readout', 's'),
  dampening: option(
    z.number().gt(0).max(10).default(0.3),
    'γ, the dampening factor of the pseudo-derivative γ max(0, 1 − |v − A|/A)',
  ),
  encoding: option(z.enum(['current']).default('current'), 'How inputs reach the neurons: a constant current'),
  rateTarget: option(
    z.number().gt(0).max(1000).default(10),
    'The firing rate the regularizer pulls every neuron toward (Bellec et al. 2018: 10–20 Hz)',
    'Hz',
  ),
  rateCost: option(
    z.number().min(0).max(1e6).default(1),
    'Weight of the firing-rate regularizer: cost × mean over neurons and episodes of ' +
      '((rate − target)/target)², each rate over an episode',
  ),
  inputScale: option(
    z.number().gt(0).max(100).default(3),
    'Standard deviation of the initial input weights times √inputs (the initial drive)',
  ),
  recurrentScale: option(
    z.number().min(0).max(100).default(1),
    'Standard deviation of the initial recurrent weights times √neurons',
  ),
});
export type LsnnOptions = z.output<typeof lsnnOptions>;

/** The agent's episode state: the neurons after the last simulation step, and that step's spikes. */
export interface LsnnState {
  neurons: SpikingState;
  /** The spikes of every simulation step of the last environment step (for the firing-rate measures). */
  spikes: Tensor[];
}

/** The spiking core: input weights (with a bias row), recurrent weights, and the neuron model. */
class LsnnCore extends Module implements RecurrentCore<LsnnState> {
  readonly weightInput: Tensor;
  readonly weightRecurrent: Tensor;
  readonly neurons: number;
  readonly simulationSteps: number;
  readonly constants: SpikingConstants;
  readonly stateVariables: readonly RecurrentStateVariable<LsnnState>[];

  constructor(
    readonly inputSize: number,
    readonly o: LsnnOptions,
    rng: Rng,
  ) {
    super();
    const n = o.lif + o.adaptive;
    if (n < 1) throw new UsageError('lsnn: the network needs at least one neuron (lif + adaptive ≥ 1)');
    const steps = o.stepDuration / o.dt;
    if (Math.abs(steps - Math.round(steps)) > 1e-9)
      throw new UsageError(
        `lsnn: stepDuration (${o.stepDuration} s) must be a whole number of simulation steps δt (${o.dt} s)`,
      );
    this.neurons = n;
    this.simulationSteps = Math.round(steps);
    const beta = new Float64Array(n);
    for (let j = o.lif; j < n; j++) beta[j] = o.beta;
    this.constants = {
      alpha: Math.exp(-o.dt / o.tauMembrane),
      rho: Math.exp(-o.dt / o.tauAdaptation),
      kappa: Math.exp(-o.dt / o.tauReadout),
      threshold: 1,
      beta,
      refractory: Math.round(o.refractory / o.dt),
      dampening: o.dampening,
      spike: 'step',
    };
    const inputs = inputSize + 1;
    const wIn = new Tensor(inputs, n, undefined, true);
    const wRec = new Tensor(n, n, undefined, true);
    const r = rng.fork('weights');
    for (let i = 0; i < wIn.size; i++) wIn.data[i] = r.normal(0, o.inputScale / Math.sqrt(inputs));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) wRec.data[i * n + j] = i === j ? 0 : r.normal(0, o.recurrentScale / Math.sqrt(n));
    this.weightInput = this.registerParameter('weightInput', wIn);
    this.weightRecurrent = this.registerParameter('weightRecurrent', wRec);
    this.stateVariables = [
      {
        name: 'v',
        description: 'membrane potentials v after the environment step, in units of v_th',
        read: (state) => state.neurons.v,
      },
      {
        name: 'threshold',
        description: 'adaptive thresholds A = v_th + β a after the environment step (v_th = 1; LIF neurons stay at 1)',
        read: (state) => this.thresholds(state),
      },
      {
        name: 'spikes',
        description:
          'the spikes (0 or 1) of every neuron at each simulation step of the environment step: ' +
          '[simulation steps, neurons], for rasters',
        shape: [this.simulationSteps, n],
        onRequest: true,
        read: (state) => this.spikeRaster(state),
      },
      {
        name: 'rate',
        description: "each neuron's firing rate over the environment step's simulated time, in Hz",
        read: (state) => this.rates(state),
      },
    ];
  }

  initialState(batchSize: number): LsnnState {
    return { neurons: restingState(batchSize, this.neurons), spikes: [] };
  }

  advance(x: Tensor, state: LsnnState): LsnnState {
    const input = concatColumns([x, Tensor.full(x.rows, 1, 1)]);
    let neurons = state.neurons;
    const spikes: Tensor[] = [];
    for (let k = 0; k < this.simulationSteps; k++) {
      neurons = spikingStep(input, neurons, this.weightInput, this.weightRecurrent, this.constants);
      spikes.push(neurons.z);
    }
    return { neurons, spikes };
  }

  output(state: LsnnState): Tensor {
    return state.neurons.o;
  }

  /** The adaptive thresholds of a state (B × N). */
  thresholds(state: LsnnState): Tensor {
    const { a } = state.neurons;
    const out = new Tensor(a.rows, a.cols);
    for (let b = 0; b < a.rows; b++)
      for (let j = 0; j < a.cols; j++)
        out.data[b * a.cols + j] = this.constants.threshold + this.constants.beta[j] * a.data[b * a.cols + j];
    return out;
  }

  /** The spikes of the last environment step, B × (simulation steps · N), row-major per batch element. */
  spikeRaster(state: LsnnState): Tensor {
    const n = this.neurons;
    const K = this.simulationSteps;
    const B = state.neurons.z.rows;
    const out = new Tensor(B, K * n);
    state.spikes.forEach((z, k) => {
      for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) out.data[b * K * n + k * n + j] = z.data[b * n + j];
    });
    return out;
  }

  /** Each neuron's firing rate over the last environment step, in Hz (B × N). */
  rates(state: LsnnState): Tensor {
    const { z } = state.neurons;
    const out = new Tensor(z.rows, z.cols);
    for (const s of state.spikes) for (let i = 0; i < out.size; i++) out.data[i] += s.data[i];
    const seconds = this.simulationSteps * this.o.dt;
    for (let i = 0; i < out.size; i++) out.data[i] /= seconds;
    return out;
  }

  /** The mean firing rate over neurons and batch elements in the last environment step, and of the adaptive neurons. */
  activityReport(state: LsnnState): Record<string, number> {
    const rates = this.rates(state);
    const n = this.neurons;
    let all = 0;
    let adaptive = 0;
    for (let i = 0; i < rates.size; i++) {
      all += rates.data[i];
      if (i % n >= this.o.lif) adaptive += rates.data[i];
    }
    const report: Record<string, number> = { firingRateHz: all / rates.size };
    if (this.o.adaptive > 0) report.adaptiveFiringRateHz = adaptive / ((rates.size / n) * this.o.adaptive);
    return report;
  }

  /**
   * The firing-rate regularizer of Bellec et al. (2018), per episode: L = cost · mean over the batch
   * elements b and neurons j of ((f_bj − f*)/f*)², f_bj neuron j's rate over every simulation step
   * of element b's rollout, in Hz. Each element's term depends on its own spikes only, so data-parallel
   * slices (weighted by their share of the batch) add up to the whole batch's gradient exactly.
   */
  regularizer(states: readonly LsnnState[], weight: number): { loss: number; seeds: [Tensor, Float64Array][] } | null {
    if (this.o.rateCost === 0 || states.length === 0) return null;
    const n = this.neurons;
    const B = states[0].neurons.z.rows;
    const sums = new Float64Array(B * n);
    let steps = 0;
    for (const state of states)
      for (const z of state.spikes) {
        for (let i = 0; i < z.size; i++) sums[i] += z.data[i];
        steps++;
      }
    if (steps === 0) return null;
    const target = this.o.rateTarget;
    const seconds = steps * this.o.dt;
    const scale = (weight * this.o.rateCost) / (B * n);
    let loss = 0;
    // ∂L/∂z of one simulation step: 2 · scale · deviation / f* · ∂f/∂z, with ∂f/∂z = 1/seconds.
    const perSpike = new Float64Array(B * n);
    for (let i = 0; i < B * n; i++) {
      const deviation = (sums[i] / seconds - target) / target;
      loss += scale * deviation * deviation;
      perSpike[i] = (2 * scale * deviation) / (target * seconds);
    }
    const seeds: [Tensor, Float64Array][] = [];
    for (const state of states) for (const z of state.spikes) seeds.push([z, Float64Array.from(perSpike)]);
    return { loss, seeds };
  }

  /** `reset-state`: every neuron at rest; `reset-adaptation`: only the adaptation (thresholds back to v_th). */
  lesion(kind: Lesion, state: LsnnState, batchSize: number): LsnnState | null {
    // The spikes are the last step's record for the rate measures, not memory: they stay.
    if (kind === 'reset-state') return { neurons: restingState(batchSize, this.neurons), spikes: state.spikes };
    if (kind === 'reset-adaptation' && this.o.adaptive > 0 && this.o.beta > 0)
      return { ...state, neurons: { ...state.neurons, a: Tensor.zeros(batchSize, this.neurons) } };
    return null;
  }
}

export const lsnn = networkAgentEntry({
  id: 'lsnn',
  kind: 'learned',
  description:
    'recurrent spiking network with adaptive thresholds (LSNN) meta-trained by A2C; learns with frozen synapses ' +
    '(Bellec et al. 2018; Subramoney et al. 2021/2024)',
  papers: [
    'Bellec et al. 2018, Long short-term memory and learning-to-learn in networks of spiking neurons',
    'Subramoney, Bellec, Scherr, Legenstein & Maass 2021/2024, Fast learning without synaptic plasticity in ' +
      'spiking neural networks',
  ],
  options: lsnnOptions,
  createNetwork: (family, options, rng) => {
    const resolved = parseOptions('lsnn', lsnnOptions, options);
    const inputSize = policyInputSize(family);
    const core = new LsnnCore(inputSize, resolved, rng.fork('core'));
    return new RecurrentActorCritic('lsnn', inputSize, family.numActions, resolved, core, rng, core.neurons);
  },
});
