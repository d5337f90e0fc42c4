// Benchmark of the network engine (src/nn), on the JavaScript and the WebAssembly kernels side by
// side, at the sizes of the shipped agents:
// - the matrix products of the LSTM-48 (batch 32, input 5): x·W (32×53 · 53×192), dGates·Wᵀ and
//   xᵀ·dGates, in GFLOP/s;
// - the LSTM-48 forward and backward through 100 time steps, in batch-element time steps per
//   second (one forward+backward over the 100 steps counts 3200) and GFLOP/s of its products;
//   inference-mode stepping; an actor-critic training step (inputs → LSTM → policy log-softmax and
//   gather, value head, loss, backward) as the A2C trainer runs it;
// - the attention of the transformer of bandit-wang2018-transformer (width 16, 2 heads, batch 32)
//   over a cache of 100 steps, forward and backward, in GFLOP/s, and that transformer's block
//   stepped through 100 steps forward and backward, in batch-element steps per second;
// and once, the same LSTM written with ml-matrix's generic operations (the baseline the flat
// kernels replace).
//
//   npm run bench:nn [-- --json] [-- --seconds S]
//
// Times are wall-clock, best of repeated runs after a warm-up (the median of the LSTM is reported
// too, as a measure of interference from other processes). Everything runs on one core.
import { Matrix } from 'ml-matrix';
import { Rng } from '../../src/core/rng.ts';
import {
  add,
  concatColumns,
  gatherColumns,
  kernels,
  Linear,
  LstmCell,
  type LstmState,
  logSoftmax,
  mean,
  noGrad,
  scale,
  scaleRows,
  setCheckNumerics,
  square,
  sub,
  Tape,
  Tensor,
  TransformerBlock,
} from '../../src/nn/index.ts';
import { type KernelsName, selectKernels } from '../../src/nn/kernels.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const secondsIndex = args.indexOf('--seconds');
const seconds = secondsIndex >= 0 ? Number(args[secondsIndex + 1]) : 2;
if (!(seconds > 0)) {
  process.stderr.write('bench:nn: --seconds must be a positive number\n');
  process.exit(2);
}

const INPUT = 5;
const HIDDEN = 48;
const BATCH = 32;
const STEPS = 100;
const H4 = 4 * HIDDEN;

/** Runs `fn` repeatedly for about `budget` seconds after a warm-up; returns the best and median seconds per call. */
function time(fn: () => void, budget: number): { best: number; median: number; runs: number } {
  const warmUntil = performance.now() + Math.min(500, budget * 250);
  while (performance.now() < warmUntil) fn();
  const samples: number[] = [];
  const end = performance.now() + budget * 1000;
  while (performance.now() < end || samples.length < 3) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { best: samples[0], median: samples[Math.floor(samples.length / 2)], runs: samples.length };
}

const rng = Rng.fromSeed('bench-nn');
const inputs = Array.from({ length: STEPS }, () => {
  const t = Tensor.zeros(BATCH, INPUT);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(-1, 1);
  return t;
});

// --- The engine's LSTM: forward and backward through 100 steps, every h receiving a gradient.
const cell = new LstmCell({ inputSize: INPUT, hiddenSize: HIDDEN }, rng);
const hiddenGradient = new Float64Array(BATCH * HIDDEN).fill(1 / (BATCH * HIDDEN));
function engineForwardBackward(): void {
  cell.zeroGrad();
  const tape = new Tape();
  const outputs: Tensor[] = [];
  tape.record(() => {
    let state: LstmState = cell.initialState(BATCH);
    for (let t = 0; t < STEPS; t++) {
      state = cell.step(inputs[t], state);
      outputs.push(state.h);
    }
  });
  tape.backwardFrom(outputs.map((h) => [h, hiddenGradient] as const));
}
function engineInference(): void {
  noGrad(() => {
    let state: LstmState = cell.initialState(BATCH);
    for (let t = 0; t < STEPS; t++) state = cell.step(inputs[t], state);
  });
}

// --- The same LSTM on ml-matrix's generic Matrix operations (allocating, get/set per element).
const wi = new Matrix(cell.weightInput.toArray());
const wh = new Matrix(cell.weightHidden.toArray());
const bias = new Matrix(cell.bias.toArray());
const inputMatrices = inputs.map((x) => new Matrix(x.toArray()));
function mlMatrixForwardBackward(): void {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  type Saved = { x: Matrix; h: Matrix; c: Matrix; gates: Matrix; tc: Matrix };
  const saved: Saved[] = [];
  let h = Matrix.zeros(BATCH, HIDDEN);
  let c = Matrix.zeros(BATCH, HIDDEN);
  for (let t = 0; t < STEPS; t++) {
    const x = inputMatrices[t];
    const gates = x.mmul(wi).add(h.mmul(wh)).addRowVector(bias.getRow(0));
    const hNext = new Matrix(BATCH, HIDDEN);
    const cNext = new Matrix(BATCH, HIDDEN);
    const tc = new Matrix(BATCH, HIDDEN);
    for (let b = 0; b < BATCH; b++) {
      for (let j = 0; j < HIDDEN; j++) {
        const ig = sig(gates.get(b, j));
        const fg = sig(gates.get(b, HIDDEN + j));
        const cg = Math.tanh(gates.get(b, 2 * HIDDEN + j));
        const og = sig(gates.get(b, 3 * HIDDEN + j));
        gates
          .set(b, j, ig)
          .set(b, HIDDEN + j, fg)
          .set(b, 2 * HIDDEN + j, cg)
          .set(b, 3 * HIDDEN + j, og);
        const cv = fg * c.get(b, j) + ig * cg;
        cNext.set(b, j, cv);
        tc.set(b, j, Math.tanh(cv));
        hNext.set(b, j, og * Math.tanh(cv));
      }
    }
    saved.push({ x, h, c, gates, tc });
    h = hNext;
    c = cNext;
  }
  const dWi = Matrix.zeros(INPUT, H4);
  const dWh = Matrix.zeros(HIDDEN, H4);
  let dh = Matrix.zeros(BATCH, HIDDEN);
  let dc = Matrix.zeros(BATCH, HIDDEN);
  const whT = wh.transpose(); // dL/dh = dGates · W_hhᵀ
  for (let t = STEPS - 1; t >= 0; t--) {
    const s = saved[t];
    dh = dh.add(new Matrix(BATCH, HIDDEN).fill(1 / (BATCH * HIDDEN)));
    const dGates = new Matrix(BATCH, H4);
    const dcPrev = new Matrix(BATCH, HIDDEN);
    for (let b = 0; b < BATCH; b++) {
      for (let j = 0; j < HIDDEN; j++) {
        const ig = s.gates.get(b, j);
        const fg = s.gates.get(b, HIDDEN + j);
        const cg = s.gates.get(b, 2 * HIDDEN + j);
        const og = s.gates.get(b, 3 * HIDDEN + j);
        const tcv = s.tc.get(b, j);
        const dcv = dc.get(b, j) + dh.get(b, j) * og * (1 - tcv * tcv);
        dGates.set(b, j, dcv * cg * ig * (1 - ig));
        dGates.set(b, HIDDEN + j, dcv * s.c.get(b, j) * fg * (1 - fg));
        dGates.set(b, 2 * HIDDEN + j, dcv * ig * (1 - cg * cg));
        dGates.set(b, 3 * HIDDEN + j, dh.get(b, j) * tcv * og * (1 - og));
        dcPrev.set(b, j, dcv * fg);
      }
    }
    dWi.add(s.x.transpose().mmul(dGates));
    dWh.add(s.h.transpose().mmul(dGates));
    dh = dGates.mmul(whT);
    dc = dcPrev;
  }
}

// --- The matrix products alone at the LSTM's shapes: B × (I+H) times (I+H) × 4H, and its two backward products.
const K = INPUT + HIDDEN;
const a = new Float64Array(BATCH * K).map(() => rng.uniformRange(-1, 1));
const bMat = new Float64Array(K * H4).map(() => rng.uniformRange(-1, 1));
const cMat = new Float64Array(BATCH * H4).map(() => rng.uniformRange(-1, 1));
const dA = new Float64Array(BATCH * K);
const dB = new Float64Array(K * H4);
const GEMM_FLOPS = 100 * 2 * BATCH * K * H4;
const gemmForward = () => {
  for (let r = 0; r < 100; r++) kernels.gemm(a, bMat, cMat, BATCH, K, H4, false);
};
const gemmInputGradient = () => {
  for (let r = 0; r < 100; r++) kernels.gemmNT(cMat, bMat, dA, BATCH, H4, K, false);
};
const gemmWeightGradient = () => {
  for (let r = 0; r < 100; r++) kernels.gemmTN(a, cMat, dB, K, BATCH, H4, false);
};

// --- The transformer of bandit-wang2018-transformer: attention over 100 cached steps, and its block.
const WIDTH = 16;
const HEADS = 2;
const keys = Array.from({ length: STEPS }, () => new Float64Array(BATCH * WIDTH).map(() => rng.uniformRange(-1, 1)));
const values = Array.from({ length: STEPS }, () => new Float64Array(BATCH * WIDTH).map(() => rng.uniformRange(-1, 1)));
const query = new Float64Array(BATCH * WIDTH).map(() => rng.uniformRange(-1, 1));
const attentionShape = { batch: BATCH, width: WIDTH, numHeads: HEADS, first: new Int32Array(BATCH) };
const attentionOut = new Float64Array(BATCH * WIDTH);
const probs = new Float64Array(BATCH * HEADS * STEPS);
const gKeys = keys.map((k) => new Float64Array(k.length));
const gValues = values.map((v) => new Float64Array(v.length));
const gQuery = new Float64Array(BATCH * WIDTH);
/** Scores and weighted sum forward (4·B·D·T), their four products backward (8·B·D·T). */
const ATTENTION_FLOPS = 12 * BATCH * WIDTH * STEPS;
function attentionStep(): void {
  attentionOut.fill(0);
  probs.fill(0);
  kernels.attendForward(query, keys, values, attentionShape, attentionOut, probs);
  kernels.attendBackward(attentionOut, query, keys, values, probs, attentionShape, gQuery, gKeys, gValues);
}
const block = new TransformerBlock({ modelSize: WIDTH, numHeads: HEADS, mlpSize: 32 }, rng);
const blockInputs = Array.from({ length: STEPS }, () => {
  const t = Tensor.zeros(BATCH, WIDTH);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(-1, 1);
  return t;
});
const blockGradient = new Float64Array(BATCH * WIDTH).fill(1 / (BATCH * WIDTH));
function transformerForwardBackward(): void {
  block.zeroGrad();
  const tape = new Tape();
  const outputs: Tensor[] = [];
  tape.record(() => {
    const cache = block.createCache(BATCH);
    for (let t = 0; t < STEPS; t++) outputs.push(block.step(blockInputs[t], cache));
  });
  tape.backwardFrom(outputs.map((y) => [y, blockGradient] as const));
}

// --- An actor-critic training step as the A2C trainer runs it, over 100 steps.
const ACTIONS = 2;
const policy = new Linear({ inputSize: HIDDEN, outputSize: ACTIONS }, rng);
const valueHead = new Linear({ inputSize: HIDDEN, outputSize: 1 }, rng);
const a2cCell = new LstmCell({ inputSize: 2 + ACTIONS + 1, hiddenSize: HIDDEN }, rng);
const actions = Array.from({ length: STEPS }, () => Int32Array.from({ length: BATCH }, () => rng.int(ACTIONS)));
const advantages = Array.from({ length: STEPS }, () => Float64Array.from({ length: BATCH }, () => rng.normal()));
const returns = Array.from({ length: STEPS }, () => Tensor.from(Array.from({ length: BATCH }, () => [rng.normal()])));
const observations = Array.from({ length: STEPS }, () => Tensor.full(BATCH, 2, 1));
function actorCriticStep(): void {
  a2cCell.zeroGrad();
  policy.zeroGrad();
  valueHead.zeroGrad();
  const tape = new Tape();
  const loss = tape.record(() => {
    let state = a2cCell.initialState(BATCH);
    let total = Tensor.scalar(0);
    for (let t = 0; t < STEPS; t++) {
      const previousAction = Tensor.zeros(BATCH, ACTIONS);
      if (t > 0) for (let b = 0; b < BATCH; b++) previousAction.data[b * ACTIONS + actions[t - 1][b]] = 1;
      const input = concatColumns([observations[t], previousAction, Tensor.zeros(BATCH, 1)]);
      state = a2cCell.step(input, state);
      const logProb = gatherColumns(logSoftmax(policy.forward(state.h)), actions[t]);
      const value = valueHead.forward(state.h);
      const policyLoss = mean(scaleRows(logProb, advantages[t]));
      const valueLoss = scale(mean(square(sub(returns[t], value))), 0.5);
      total = add(total, sub(valueLoss, policyLoss));
    }
    return total;
  });
  tape.backward(loss);
}

const perIteration = BATCH * STEPS;
const flopsPerIteration =
  STEPS * (2 * BATCH * H4 * (INPUT + HIDDEN) + 2 * BATCH * H4 * HIDDEN + 2 * BATCH * H4 * (INPUT + HIDDEN));
const gflops = (flops: number, t: { best: number }) => Number((flops / t.best / 1e9).toFixed(3));

/** Every measurement on one set of kernels. */
function measure(name: KernelsName) {
  selectKernels(name);
  const engine = time(engineForwardBackward, seconds);
  // The NaN check is on by default; this is what turning it off gains.
  const checking = setCheckNumerics(false);
  const unchecked = time(engineForwardBackward, seconds / 2);
  setCheckNumerics(checking);
  const inference = time(engineInference, seconds / 2);
  const a2c = time(actorCriticStep, seconds / 2);
  const transformer = time(transformerForwardBackward, seconds / 2);
  return {
    gemmGflops: gflops(GEMM_FLOPS, time(gemmForward, seconds / 4)),
    gemmNTGflops: gflops(GEMM_FLOPS, time(gemmInputGradient, seconds / 4)),
    gemmTNGflops: gflops(GEMM_FLOPS, time(gemmWeightGradient, seconds / 4)),
    lstmStepsPerSecond: Math.round(perIteration / engine.best),
    lstmStepsPerSecondMedian: Math.round(perIteration / engine.median),
    lstmGflops: gflops(flopsPerIteration, engine),
    lstmStepsPerSecondUnchecked: Math.round(perIteration / unchecked.best),
    lstmInferenceStepsPerSecond: Math.round(perIteration / inference.best),
    actorCriticStepsPerSecond: Math.round(perIteration / a2c.best),
    attentionGflops: gflops(ATTENTION_FLOPS, time(attentionStep, seconds / 4)),
    transformerStepsPerSecond: Math.round(perIteration / transformer.best),
    runs: engine.runs,
  };
}

const js = measure('js');
const wasm = measure('wasm');
const baseline = time(mlMatrixForwardBackward, seconds / 2);
const speedup = Object.fromEntries(
  Object.entries(wasm)
    .filter(([key]) => key !== 'runs')
    .map(([key, value]) => [key, Number((value / js[key as keyof typeof js]).toFixed(2))]),
);
const result = {
  js,
  wasm,
  speedup,
  mlMatrixLstmStepsPerSecond: Math.round(perIteration / baseline.best),
  config: {
    inputSize: INPUT,
    hiddenSize: HIDDEN,
    batchSize: BATCH,
    timeSteps: STEPS,
    transformer: { width: WIDTH, heads: HEADS, mlp: 32 },
    node: process.version,
  },
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const rows = Object.keys(js).filter((key) => key !== 'runs');
  const width = Math.max(...rows.map((r) => r.length));
  const lines = [
    `${'kernels'.padEnd(width)}  ${'js'.padStart(10)}  ${'wasm'.padStart(10)}  wasm/js`,
    ...rows.map(
      (key) =>
        `${key.padEnd(width)}  ${String(js[key as keyof typeof js]).padStart(10)}  ` +
        `${String(wasm[key as keyof typeof wasm]).padStart(10)}  ${speedup[key].toFixed(2)}`,
    ),
    `ml-matrix generic LSTM: ${result.mlMatrixLstmStepsPerSecond} steps/s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
