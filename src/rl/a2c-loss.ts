// The advantage actor-critic objective of Mnih et al. 2016 as Wang et al. 2016/2018 used it for
// meta-reinforcement learning, written in closed form: the trainer needs only the gradient of
// the loss with respect to each step's policy logits and value estimate, which it then sends
// backward through time through the network. Computing these by hand keeps the autodiff tape out
// of the hot path of every learned agent.
//
// Loss per batch element, summed over the steps t of the episode and averaged over the batch:
//   L = Σ_t [ −log π(a_t | h_t) · Â_t  +  c_v · (R_t − V_t)²  −  β · H(π(· | h_t)) ]
// with Â_t from generalized advantage estimation (Schulman et al. 2016, eq. 16):
//   δ_t = r_t + γ V_{t+1} − V_t,   Â_t = δ_t + γ λ Â_{t+1},   R_t = Â_t + V_t,
// treated as constants (no gradient through the targets). Episodes end at a terminal step, after
// which V is 0; steps past an element's end are masked out.

/** The rollout of one update, time-major: index [t][b] or [t][b * numActions + j]. */
export interface RolloutBuffers {
  steps: number;
  batchSize: number;
  numActions: number;
  /** Policy logits per step, batch × numActions. */
  logits: Float64Array[];
  /** Value estimate per step. */
  values: Float64Array[];
  actions: Int32Array[];
  rewards: Float64Array[];
  /** 1 while the element is still in its episode at step t (the step counts), 0 after it ended. */
  alive: Float64Array[];
}

export interface A2CCoefficients {
  /** Discount γ. */
  discount: number;
  /** GAE λ (1 gives the Monte-Carlo return minus the baseline). */
  gaeLambda: number;
  /** Value-loss coefficient c_v. */
  valueCoef: number;
  /** Entropy coefficient β at this update. */
  entropyCoef: number;
}

export interface A2CLossStats {
  /** Mean over the alive steps of the rollout. */
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** Number of alive (element, step) pairs. */
  count: number;
}

/**
 * Fills `dLogits[t]` and `dValues[t]` with ∂L/∂logits and ∂L/∂V and returns the loss terms
 * (averaged over alive steps) for logging. The loss is averaged over `batchNormalizer` episodes:
 * the whole batch's size when this rollout is one slice of it.
 */
export function a2cGradients(
  r: RolloutBuffers,
  c: A2CCoefficients,
  dLogits: Float64Array[],
  dValues: Float64Array[],
  batchNormalizer: number = r.batchSize,
): A2CLossStats {
  const { steps: T, batchSize: B, numActions: A } = r;
  const advantage = new Float64Array(B);
  const probs = new Float64Array(A);
  const logProbs = new Float64Array(A);
  let policyLoss = 0;
  let valueLoss = 0;
  let entropySum = 0;
  let count = 0;
  const invB = 1 / batchNormalizer;
  for (let t = T - 1; t >= 0; t--) {
    const logits = r.logits[t];
    const values = r.values[t];
    const actions = r.actions[t];
    const rewards = r.rewards[t];
    const alive = r.alive[t];
    const nextValues = t + 1 < T ? r.values[t + 1] : null;
    const nextAlive = t + 1 < T ? r.alive[t + 1] : null;
    const dl = dLogits[t];
    const dv = dValues[t];
    for (let b = 0; b < B; b++) {
      const o = b * A;
      if (alive[b] === 0) {
        advantage[b] = 0;
        dv[b] = 0;
        for (let j = 0; j < A; j++) dl[o + j] = 0;
        continue;
      }
      // The element's episode goes on at t+1 only if it is alive then; otherwise t was terminal.
      const cont = nextAlive !== null && nextAlive[b] !== 0 ? 1 : 0;
      const vNext = cont ? nextValues![b] : 0;
      const delta = rewards[b] + c.discount * vNext - values[b];
      const adv = delta + c.discount * c.gaeLambda * cont * advantage[b];
      advantage[b] = adv;
      const target = adv + values[b];
      // Log-softmax, stabilised by the row maximum.
      let max = -Infinity;
      for (let j = 0; j < A; j++) if (logits[o + j] > max) max = logits[o + j];
      let z = 0;
      for (let j = 0; j < A; j++) {
        probs[j] = Math.exp(logits[o + j] - max);
        z += probs[j];
      }
      const logZ = Math.log(z);
      let entropy = 0;
      for (let j = 0; j < A; j++) {
        probs[j] /= z;
        logProbs[j] = logits[o + j] - max - logZ;
        if (probs[j] > 0) entropy -= probs[j] * logProbs[j];
      }
      const a = actions[b];
      policyLoss -= logProbs[a] * adv;
      const err = target - values[b];
      valueLoss += err * err;
      entropySum += entropy;
      count++;
      // ∂(−log π_a Â)/∂z_j = (π_j − 1[j=a]) Â;  ∂(−βH)/∂z_j = β π_j (log π_j + H).
      for (let j = 0; j < A; j++) {
        const pg = (probs[j] - (j === a ? 1 : 0)) * adv;
        const eg = probs[j] > 0 ? c.entropyCoef * probs[j] * (logProbs[j] + entropy) : 0;
        dl[o + j] = (pg + eg) * invB;
      }
      dv[b] = -2 * c.valueCoef * err * invB;
    }
  }
  const n = Math.max(1, count);
  return { policyLoss: policyLoss / n, valueLoss: valueLoss / n, entropy: entropySum / n, count };
}
