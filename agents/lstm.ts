// `lstm`: the meta-reinforcement-learning agent of Wang et al. (2016 "Learning to reinforcement
// learn"; 2018 "Prefrontal cortex as a meta-reinforcement learning system") and Duan et al.
// (2016, RL²): an LSTM meta-trained by A2C across task instances. With its weights frozen it still
// improves within an episode, because what it learns there is held in its activity (h, c).
import type { Rng } from '../src/core/rng.ts';
import { LstmCell } from '../src/nn/layers/lstm.ts';
import type { LstmState } from '../src/nn/ops/recurrent.ts';
import type { Tensor } from '../src/nn/tensor.ts';
import { type RecurrentCore, type RecurrentStateVariable, recurrentAgentEntry } from './kit/recurrent.ts';

class LstmCore extends LstmCell implements RecurrentCore<LstmState> {
  // h, the output, is recorded by every recurrent core.
  readonly stateVariables: readonly RecurrentStateVariable<LstmState>[] = [
    {
      name: 'c',
      description: 'the cell state c after the step, the memory the gates write and h reads through tanh (unitless)',
      read: (state) => state.c,
    },
  ];

  advance(x: Tensor, state: LstmState): LstmState {
    return this.step(x, state);
  }

  output(state: LstmState): Tensor {
    return state.h;
  }
}

export const lstm = recurrentAgentEntry(
  {
    id: 'lstm',
    description: 'LSTM meta-trained by A2C; learns in context with frozen weights (Wang et al. 2018, RL²)',
    papers: [
      'Hochreiter, Younger & Conwell 2001, Learning to learn using gradient descent',
      'Wang et al. 2016, Learning to reinforcement learn',
      'Duan et al. 2016, RL²: Fast reinforcement learning via slow reinforcement learning',
      'Wang et al. 2018, Prefrontal cortex as a meta-reinforcement learning system',
    ],
  },
  (inputSize: number, hidden: number, rng: Rng) => new LstmCore({ inputSize, hiddenSize: hidden }, rng),
);
