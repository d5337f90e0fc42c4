// One simulation step of a recurrent network of leaky integrate-and-fire neurons with
// spike-frequency adaptation (an LSNN: Bellec et al. 2018, "Long short-term memory and
// learning-to-learn in networks of spiking neurons"; Subramoney et al. 2021/2024), as one fused tape
// node with a hand-written backward pass, like the LSTM cell. Per neuron j of batch element b, with
// time step δt, α = exp(−δt/τ_m), ρ = exp(−δt/τ_a) and κ = exp(−δt/τ_out):
//
//   a'_j = ρ a_j + (1 − ρ) z_j                          adaptation, raised by each spike
//   A'_j = v_th + β_j a'_j                              adaptive threshold (β_j = 0: plain LIF)
//   I_j  = Σ_i x_i W_in[i, j] + Σ_{i≠j} z_i W_rec[i, j]  input and recurrent current
//   v'_j = α v_j + (1 − α) I_j − A'_j z_j               leaky integration, reset by subtraction
//   u_j  = (v'_j − A'_j) / A'_j                         normalized distance to threshold
//   z'_j = H(u_j), or 0 during the refractory period    the spike
//   o'_j = κ o_j + z'_j                                  filtered spikes: each adds 1, decaying with τ_out
//
// The spike's derivative is Bellec et al.'s pseudo-derivative ψ(u) = γ max(0, 1 − |u|) (γ the
// dampening factor), zero while refractory. With `spike: 'smooth'` the step function is replaced by
// S(u) = γ ∫_{−∞}^{u} max(0, 1 − |s|) ds, whose true derivative is ψ: the same backward pass is
// then an exact gradient, which tests check against finite differences. The refractory counter is
// not differentiable: it counts down from `refractory` steps after each (hard) spike. Self-connections
// are excluded (the diagonal of W_rec is neither read nor given a gradient).
import { finishOp, recordingAny, savedBuffer } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/** The constants of a spiking step (derived from the neuron model's options). */
export interface SpikingConstants {
  /** Membrane decay per step, exp(−δt/τ_m). */
  alpha: number;
  /** Adaptation decay per step, exp(−δt/τ_a). */
  rho: number;
  /** Readout filter decay per step, exp(−δt/τ_out). */
  kappa: number;
  /** Baseline threshold v_th (> 0). */
  threshold: number;
  /** Per neuron, the threshold's adaptation strength β_j (0 for LIF neurons). */
  beta: Float64Array;
  /** Refractory period in steps (0: none). */
  refractory: number;
  /** The pseudo-derivative's dampening factor γ. */
  dampening: number;
  /** `step`: spikes are 0 or 1 (the model); `smooth`: the differentiable stand-in of the tests. */
  spike: 'step' | 'smooth';
}

/** The state of the neurons: membranes, adaptation, spikes, refractory counters, filtered spikes (all B × N). */
export interface SpikingState {
  v: Tensor;
  a: Tensor;
  z: Tensor;
  /** Steps left in the refractory period (not differentiable). */
  refractory: Float64Array;
  o: Tensor;
}

/** The zero state: at rest, no adaptation, no spikes. */
export function restingState(batch: number, neurons: number): SpikingState {
  return {
    v: Tensor.zeros(batch, neurons),
    a: Tensor.zeros(batch, neurons),
    z: Tensor.zeros(batch, neurons),
    refractory: new Float64Array(batch * neurons),
    o: Tensor.zeros(batch, neurons),
  };
}

/** S(u): the smooth stand-in whose derivative is ψ(u)/γ, times γ. */
function smoothSpike(u: number, gamma: number): number {
  if (u <= -1) return 0;
  if (u <= 0) return (gamma * (u + 1) * (u + 1)) / 2;
  if (u < 1) return gamma * (0.5 + u - (u * u) / 2);
  return gamma;
}

/** One step of the network: x (B × I), the state, W_in (I × N), W_rec (N × N) → the next state. */
export function spikingStep(
  x: Tensor,
  state: SpikingState,
  weightInput: Tensor,
  weightRecurrent: Tensor,
  c: SpikingConstants,
): SpikingState {
  const B = x.rows;
  const I = x.cols;
  const N = weightRecurrent.rows;
  const { v, a, z, o } = state;
  if (weightInput.rows !== I || weightInput.cols !== N)
    throw new Error(`spikingStep: shapes ${x.shape} and ${weightInput.shape} do not match (W_in must be ${I}x${N})`);
  if (weightRecurrent.cols !== N) throw new Error(`spikingStep: W_rec is ${weightRecurrent.shape}, expected ${N}x${N}`);
  for (const [name, t] of [
    ['v', v],
    ['a', a],
    ['z', z],
    ['o', o],
  ] as const)
    if (t.rows !== B || t.cols !== N) throw new Error(`spikingStep: ${name} is ${t.shape}, expected ${B}x${N}`);
  if (state.refractory.length !== B * N) throw new Error(`spikingStep: refractory counters for ${B}x${N} expected`);
  if (c.beta.length !== N) throw new Error(`spikingStep: ${c.beta.length} adaptation strengths for ${N} neurons`);
  if (!(c.threshold > 0)) throw new Error(`spikingStep: the threshold must be positive, got ${c.threshold}`);

  const { alpha, rho, kappa, threshold, beta, dampening: gamma } = c;
  const inputs = [x, v, a, z, o, weightInput, weightRecurrent];
  const record = recordingAny(inputs);
  const vOut = new Tensor(B, N);
  const aOut = new Tensor(B, N);
  const zOut = new Tensor(B, N);
  const oOut = new Tensor(B, N);
  const refractory = new Float64Array(B * N);
  // Saved for the backward pass: the threshold A' and the pseudo-derivative ψ of every neuron.
  const thr = record ? savedBuffer(B * N) : new Float64Array(B * N);
  const psi = record ? savedBuffer(B * N) : new Float64Array(B * N);
  const current = new Float64Array(N);
  const wi = weightInput.data;
  const wr = weightRecurrent.data;
  for (let b = 0; b < B; b++) {
    const row = b * N;
    current.fill(0);
    for (let i = 0; i < I; i++) {
      const xi = x.data[b * I + i];
      if (xi === 0) continue;
      const w = i * N;
      for (let j = 0; j < N; j++) current[j] += xi * wi[w + j];
    }
    // Spikes are sparse: only the neurons that fired contribute a row of W_rec.
    for (let i = 0; i < N; i++) {
      const zi = z.data[row + i];
      if (zi === 0) continue;
      const w = i * N;
      for (let j = 0; j < N; j++) if (j !== i) current[j] += zi * wr[w + j];
    }
    for (let j = 0; j < N; j++) {
      const k = row + j;
      const aj = rho * a.data[k] + (1 - rho) * z.data[k];
      const A = threshold + beta[j] * aj;
      const vj = alpha * v.data[k] + (1 - alpha) * current[j] - A * z.data[k];
      const u = (vj - A) / A;
      const blocked = state.refractory[k] > 0;
      const hard = !blocked && u > 0;
      const zj = blocked ? 0 : c.spike === 'step' ? (hard ? 1 : 0) : smoothSpike(u, gamma);
      aOut.data[k] = aj;
      vOut.data[k] = vj;
      zOut.data[k] = zj;
      oOut.data[k] = kappa * o.data[k] + zj;
      thr[k] = A;
      psi[k] = blocked ? 0 : gamma * Math.max(0, 1 - Math.abs(u));
      refractory[k] = hard ? c.refractory : Math.max(0, state.refractory[k] - 1);
    }
  }
  const next: SpikingState = { v: vOut, a: aOut, z: zOut, refractory, o: oOut };
  finishOp(
    'spikingStep',
    inputs,
    [vOut, aOut, zOut, oOut],
    record
      ? () => {
          const gvOut = vOut.grad;
          const gaOut = aOut.grad;
          const gzOut = zOut.grad;
          const goOut = oOut.grad;
          const gx = x.requiresGrad ? x.gradBuffer() : null;
          const gv = v.requiresGrad ? v.gradBuffer() : null;
          const ga = a.requiresGrad ? a.gradBuffer() : null;
          const gz = z.requiresGrad ? z.gradBuffer() : null;
          const go = o.requiresGrad ? o.gradBuffer() : null;
          const gwi = weightInput.requiresGrad ? weightInput.gradBuffer() : null;
          const gwr = weightRecurrent.requiresGrad ? weightRecurrent.gradBuffer() : null;
          const gI = new Float64Array(N);
          for (let b = 0; b < B; b++) {
            const row = b * N;
            for (let j = 0; j < N; j++) {
              const k = row + j;
              const gzTotal = (gzOut?.[k] ?? 0) + (goOut?.[k] ?? 0);
              if (go) go[k] += kappa * (goOut?.[k] ?? 0);
              const A = thr[k];
              const vj = vOut.data[k];
              const gu = gzTotal * psi[k];
              const gvTotal = (gvOut?.[k] ?? 0) + gu / A;
              const gA = gu * (-vj / (A * A)) - z.data[k] * gvTotal;
              const gaTotal = (gaOut?.[k] ?? 0) + beta[j] * gA;
              if (gv) gv[k] += alpha * gvTotal;
              if (ga) ga[k] += rho * gaTotal;
              if (gz) gz[k] += -A * gvTotal + (1 - rho) * gaTotal;
              gI[j] = (1 - alpha) * gvTotal;
            }
            // I = x W_in + z W_rec (no self-connections).
            for (let i = 0; i < I; i++) {
              const xi = x.data[b * I + i];
              const w = i * N;
              if (gx) {
                let s = 0;
                for (let j = 0; j < N; j++) s += gI[j] * wi[w + j];
                gx[b * I + i] += s;
              }
              if (gwi && xi !== 0) for (let j = 0; j < N; j++) gwi[w + j] += xi * gI[j];
            }
            for (let i = 0; i < N; i++) {
              const zi = z.data[row + i];
              const w = i * N;
              if (gz) {
                let s = 0;
                for (let j = 0; j < N; j++) if (j !== i) s += gI[j] * wr[w + j];
                gz[row + i] += s;
              }
              if (gwr && zi !== 0) for (let j = 0; j < N; j++) if (j !== i) gwr[w + j] += zi * gI[j];
            }
          }
        }
      : null,
  );
  return next;
}
