// `gru`: the recurrent meta-learner of Duan et al. (2016, RL², which used GRUs) — a gated recurrent
// unit (Cho et al. 2014) meta-trained by A2C; with frozen weights its within-episode learning
// lives in its hidden activity h.
import type { Rng } from '../src/core/rng.ts';
import { GruCell } from '../src/nn/layers/gru.ts';
import type { Tensor } from '../src/nn/tensor.ts';
import { type RecurrentCore, recurrentAgentEntry } from './kit/recurrent.ts';

class GruCore extends GruCell implements RecurrentCore<Tensor> {
  advance(x: Tensor, h: Tensor): Tensor {
    return this.step(x, h);
  }

  output(h: Tensor): Tensor {
    return h;
  }
}

export const gru = recurrentAgentEntry(
  {
    id: 'gru',
    description: 'GRU meta-trained by A2C; learns in context with frozen weights (RL², Duan et al. 2016)',
    papers: [
      'Cho et al. 2014, Learning phrase representations using RNN encoder-decoder for statistical machine translation',
      'Duan et al. 2016, RL²: Fast reinforcement learning via slow reinforcement learning',
    ],
  },
  (inputSize: number, hidden: number, rng: Rng) => new GruCore({ inputSize, hiddenSize: hidden }, rng),
);
