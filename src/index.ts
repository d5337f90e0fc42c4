/**
 * engram as a library: the task and agent contracts and the helpers to write your own, the
 * registries, seeded randomness, rollouts and frozen evaluation, the A2C trainer, behavioral
 * measures and statistics, and the functions behind the `engram` command (runs, suites, sweeps,
 * reports, checks).
 *
 * ```ts
 * import { checkTask, createBanditFamily, option, registerTask, runExperiment } from 'engram';
 * ```
 *
 * docs/extending.md walks through a task of one's own (examples/custom-task), and
 * docs/architecture.md describes the layers and contracts.
 *
 * @packageDocumentation
 */

/** zod, the schema library option records are written in (`z.strictObject({ … })`). */
export { z } from 'zod';
// --- The registries, and tasks and agents of one's own.
export { AGENTS, agentRegistry, findAgent } from '../agents/index.ts';
export type { AgentEntry } from '../agents/kit/entry.ts';
export { NetworkAgent, networkAgentEntry } from '../agents/kit/network-agent.ts';
export { recurrentAgentEntry } from '../agents/kit/recurrent.ts';
export { findTask, TASKS, taskRegistry } from '../tasks/index.ts';
export {
  BANDIT_INFO_FIELDS,
  type BanditFamily,
  type BanditSpec,
  BernoulliBanditInstance,
  createBanditFamily,
} from '../tasks/kit/bandit.ts';
export { UsageError } from './core/errors.ts';
// --- Writing tasks and agents: options, errors, randomness, and the kits the built-ins use.
export {
  describeOptions,
  type OptionDoc,
  type OptionRecord,
  option,
  optionMeta,
  parseOptions,
} from './core/options.ts';
export { packageVersion } from './core/package.ts';
export {
  encodeInput,
  LESIONS,
  type Lesion,
  type PolicyNetwork,
  policyInputSize,
  type StepOutput,
} from './core/policy.ts';
export type { TaskEntry } from './core/registry.ts';
export { Rng, type RngState } from './core/rng.ts';
// --- Contracts: tasks, agents, policy networks, episode records.
export type {
  Agent,
  AgentInput,
  AgentKind,
  AgentOutput,
  BanditPrior,
  EpisodeRecord,
  GroundTruth,
  LatentVariable,
  MainMeasure,
  ReportColumn,
  ReportFigure,
  Space,
  StepInfo,
  StepResult,
  TaskFamily,
  TaskInstance,
  TaskMetadata,
  TaskTraits,
} from './core/types.ts';
export { CHOICE_INFO_FIELDS } from './core/types.ts';
export { type BaselineReport, runBaseline } from './experiments/baseline.ts';
export { readCheckpoint } from './experiments/checkpoint.ts';
export type { RunEvent } from './experiments/events.ts';
export { type IclRunResult, resumeIclRun, runIclExperiment } from './experiments/icl-run.ts';
export {
  type IclSequenceEvalFile,
  type IclSequenceRunResult,
  resumeIclSequenceRun,
  runIclSequenceExperiment,
  type WalkFinal,
} from './experiments/icl-sequence-run.ts';
export {
  importPlugin,
  loadModules,
  type PluginModule,
  registerAgent,
  registerTask,
  resolveSpecModules,
} from './experiments/plugins.ts';
export type { RecordedAgent, RecordingHeader, RecordRequest } from './experiments/recording.ts';
export { type Block, type RecordedRun, readRecordedRun, readRecordingHeader } from './experiments/recording-read.ts';
export { type RunOptions, type RunResult, resumeRun, runExperiment } from './experiments/run.ts';
// --- Runs, suites, sweeps, reports: what the command line does.
export {
  type AnyExperimentSpec,
  type ExperimentSpec,
  type IclSequenceExperimentSpec,
  loadAnyExperiment,
  loadExperiment,
  parseAnyExperiment,
  parseExperiment,
  type SuiteSpec,
} from './experiments/spec.ts';
export { resumeSuite, runSuite, type SuiteResult } from './experiments/suite.ts';
export { runSweep, type SweepResult } from './experiments/sweep.ts';
export {
  builtinSweeps,
  type ExpandedSweep,
  expandSweep,
  loadSweep,
  type SweepExperimentSpec,
} from './experiments/sweep-spec.ts';
export {
  type AlgorithmIdentification,
  type AlgorithmIdentificationOptions,
  type AlgorithmRow,
  identifyAlgorithms,
} from './icl/algorithms.ts';
export { createRegressionModel, type RegressionModel } from './icl/models.ts';
export {
  type BurstyEvaluation,
  evaluateBursty,
  evaluateInduction,
  type InductionEvaluation,
  type InductionEvaluationOptions,
} from './icl/sequence-evaluate.ts';
export {
  crossEntropyByRow,
  inContextLearningScore,
  labelAccuracy,
  meanByPosition,
  prefixMatchingScore,
  prefixMatchingScores,
  prefixMatchingTotals,
  previousTokenScore,
  repeatPositions,
  segmentLosses,
} from './icl/sequence-measures.ts';
export {
  type AttentionPattern,
  burstyInputs,
  burstyTargets,
  createSequenceModel,
  inductionInputs,
  inductionTargets,
  type SequenceModel,
  SequenceTransformer,
  walkInputs,
  walkTargets,
} from './icl/sequence-models.ts';
export {
  burstySource,
  inductionSource,
  type SequenceSource,
  SequenceTrainer,
  SequenceTrainingSchema,
  walkSource,
} from './icl/sequence-train.ts';
export { TemT, type TemTOptions, type TemTTrace } from './icl/tem-t.ts';
export {
  evaluateWalks,
  WALK_KINDS,
  type WalkAccuracy,
  type WalkEvaluation,
  type WalkKind,
  walkAccuracies,
} from './icl/walk-evaluate.ts';
export {
  gridScore,
  type RateMap,
  rateMap,
  spatialInformation,
  type WalkRepresentations,
  walkRepresentations,
} from './icl/walk-representations.ts';
// --- Measures and statistics.
export {
  type ArmPosterior,
  type ArmPosteriorSeries,
  armPosterior,
  armPosteriorSeries,
} from './measures/bandit-posterior.ts';
export {
  type BehaviorSummary,
  expectedRegrets,
  pBestByTrial,
  shiftAfterLose,
  stayAfterWin,
  summarize,
  totalRewards,
  trialsOf,
} from './measures/behavior.ts';
export {
  type ChoiceRows,
  choiceAgreementByStep,
  ckaEstimate,
  type DecodeOptions,
  type DecodeResult,
  type Groups,
  linearCka,
  meanOverSteps,
  type Pca,
  pca,
  policyAgreementByStep,
  ridgeDecode,
  rsa,
  rsaEstimate,
  type Samples,
  type StepAgreement,
  windowScore,
} from './measures/dynamics.ts';
export { type Coefficient, type LogisticFit, logisticRegression } from './measures/logistic.ts';
export {
  escapeLatencyMeasure,
  expectedRegretMeasure,
  rewardPerEpisode,
  trialAccuracyMeasure,
} from './measures/main-measure.ts';
export { type SwimTrial, swimTrials } from './measures/spatial.ts';
export {
  type BootstrapEstimate,
  ci95,
  type Estimate,
  formatEstimate,
  mean,
  pairedBootstrap,
  sem,
  variance,
  wilsonInterval,
} from './measures/stats.ts';
export {
  STAY_CONDITIONS,
  type StayProbabilities,
  type StayProbability,
  type StayRegression,
  stayProbabilities,
  stayRegression,
  twoStepReport,
} from './measures/two-step.ts';
// --- The network engine (tensors, autodiff, layers, Adam, kernels).
export * as nn from './nn/index.ts';
export { type CompareResult, compareRuns } from './report/compare.ts';
export { analyzeRecording, type DynamicsAnalysis, type DynamicsOptions } from './report/dynamics.ts';
export { writeReport } from './report/report.ts';
export { writeSweepReport } from './report/sweep-report.ts';
export { type A2CArgs, A2CArgsSchema, A2CTrainer } from './rl/a2c.ts';
export { type Check, type CheckReport, checkAgent, checkTask } from './rl/check.ts';
export {
  type AgentResult,
  agentResult,
  type ComparisonAgent,
  evaluateAgent,
  frozenEvaluation,
} from './rl/frozen-eval.ts';
// --- Playing, training and evaluating.
export { type EvaluateOptions, evalInstance, evaluate, playBatch, STREAMS } from './rl/rollout.ts';
