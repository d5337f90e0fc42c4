// The report of a run: report.md with its SVG figures, and metrics.csv beside metrics.jsonl. It
// reads only what a run wrote (config.json, eval.json, episodes.json, lesions.json, paths.json,
// metrics.jsonl, run.json, checkpoints) and the shipped checkpoints' training curves, so
// `engram report <run-dir>` can remake it at any time. A suite (the `mechanisms` experiment) has
// one section per part, each a run directory of its own under parts/; an in-context regression
// run has its own section (icl-report.ts).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { RECORDING_DIR } from '../experiments/evaluation.ts';
import type { IclEvalFile } from '../experiments/icl-run.ts';
import type { IclSequenceEvalFile } from '../experiments/icl-sequence-run.ts';
import { atomicWriteText, readJsonFile } from '../experiments/io.ts';
import { readRecordingHeader } from '../experiments/recording-read.ts';
import { codeVersion, type RunInfo } from '../experiments/run-dir.ts';
import { parseSuite } from '../experiments/spec.ts';
import { suiteRuns } from '../experiments/suite.ts';
import { analyzeRecording, cachedAnalysis, DEFAULT_FOLDS, dynamicsMarkdown, writeRasters } from './dynamics.ts';
import { iclSection } from './icl-report.ts';
import { iclSequenceSection } from './icl-sequence-report.ts';
import { agentOptionsText, taskOptionsText } from './option-values.ts';
import { runFigures } from './run-figures.ts';
import { type RunRecords, readOptional, readRunRecords, suiteParts, writeMetricsCsv } from './run-records.ts';
import { seedTables } from './seed-tables.ts';
import { isSweepDir, writeSweepReport } from './sweep-report.ts';
import { agentsTable, lesionTable } from './tables.ts';

/** One run's section of a report: its tables and figures (figure links relative to `reportDir`). */
export async function runSection(
  run: RunRecords,
  reportDir: string,
  prefix: string,
  heading: string,
): Promise<string[]> {
  const lines: string[] = [];
  const { spec } = run;
  lines.push(`${heading} ${spec.name}: ${spec.task.id}`, '');
  if (spec.description) lines.push(spec.description, '');
  const measure = run.episodes?.measure;
  const taskOptions = taskOptionsText(run.eval.task, run.eval.taskOptions);
  const agentOptions = agentOptionsText(spec);
  lines.push(
    `Task options: ${taskOptions}.${agentOptions === null ? '' : ` Agent options: ${agentOptions}.`} ` +
      `${run.eval.episodes} held-out episodes (evaluation ` +
      `seed ${run.eval.seed}), the same instances for every agent; learned agents play with frozen weights.` +
      (measure
        ? ` Headline measure: **${measure.name}**${measure.unit ? ` (${measure.unit})` : ''}, ` +
          `${measure.better} is better.`
        : ''),
    '',
  );
  const trained = Object.entries(run.eval.agents).filter(([, r]) => r.trainedUpdates !== undefined);
  for (const [key, r] of trained) {
    const source = typeof r.checkpoint === 'string' ? `shipped checkpoint \`${r.checkpoint}\`` : 'trained in this run';
    lines.push(
      `- ${key}: ${source}, ${r.trainedUpdates} updates, ${(Number(r.trainedEnvSteps) / 1e6).toFixed(2)}M ` +
        `environment steps, ${(Number(r.trainingSeconds) / 60).toFixed(1)} min of training.`,
    );
  }
  if (trained.length > 0) lines.push('');
  lines.push(...agentsTable(run), '');
  const lesions = lesionTable(run);
  if (lesions.length > 0) {
    lines.push(
      'Lesions, on the same held-out instances: `reset-state` wipes the within-episode state (recurrent activity, ' +
        'attention cache, eligibility) at every trial boundary; `freeze-plasticity` holds plastic weights at ' +
        'their start-of-episode values' +
        (lesions.some((l) => l.includes('reset-adaptation'))
          ? "; `reset-adaptation` returns a spiking network's adaptive thresholds to baseline at every trial boundary"
          : '') +
        (lesions.some((l) => l.includes('reset-goal'))
          ? "; `reset-goal` wipes the coordinate model's goal memory at every trial boundary, and its " +
            '`freeze-plasticity` holds its weights at their values at the start of each day'
          : '') +
        '. Δ is lesioned − intact, paired episode by episode (bootstrap 95% CI). ' +
        'An agent whose learning lives in its activity is hurt by the first; one whose learning lives in its ' +
        'synapses, by the second.',
      '',
      ...lesions,
      '',
    );
  }
  for (const f of await runFigures(run, path.join(reportDir, 'figures'), prefix)) {
    lines.push(
      `![${f.caption}](${path.relative(reportDir, f.file).split(path.sep).join('/')})`,
      '',
      `*${f.caption}*`,
      '',
    );
  }
  const recording = path.join(run.dir, RECORDING_DIR);
  if (fs.existsSync(path.join(recording, 'record.json'))) {
    const relative = `${path.relative(reportDir, recording).split(path.sep).join('/')}/`;
    if (readRecordingHeader(recording).episodes >= DEFAULT_FOLDS) {
      // The analysis is kept beside the recording (analysis.json) and redone only when the recording changed.
      const analysis = cachedAnalysis(recording) ?? (await analyzeRecording(recording));
      lines.push(...dynamicsMarkdown(analysis, `${heading}#`, relative));
    } else {
      // Too few episodes to decode from: only what one episode shows, the spikes of spiking agents.
      for (const { agent, figure, thresholds } of await writeRasters(recording))
        lines.push(
          `![${agent}: spikes over one held-out episode](${relative}${figure})`,
          '',
          `*${agent}: the spikes of every neuron over the first held-out episode` +
            (thresholds ? ' (adaptive neurons last) and, below, the adaptive thresholds that varied most.*' : '.*'),
          '',
        );
    }
  }
  return lines;
}

function headerLines(title: string, config: unknown, info: RunInfo | null, seed: number): string[] {
  const lines = [`# ${title}`, ''];
  lines.push(`- seed: ${seed}`);
  lines.push(`- code version: ${info?.gitCommit ?? codeVersion() ?? 'unknown (not a git checkout)'}`);
  if (info !== null)
    lines.push(
      `- wall time: ${(info.wallSeconds / 60).toFixed(1)} min (${info.startedAt} ` +
        `→ ${info.finishedAt}), Node ${info.node}`,
    );
  lines.push(
    '',
    '<details><summary>Resolved configuration</summary>',
    '',
    '```json',
    JSON.stringify(config, null, 2),
    '```',
    '',
    '</details>',
    '',
  );
  return lines;
}

/** Writes report.md (and its figures, and metrics.csv in every run directory); returns the report's path. */
export async function writeReport(runDir: string): Promise<string> {
  const config = readJsonFile(path.join(runDir, 'config.json'), 'run configuration') as {
    kind?: string;
    name: string;
    seed: number;
    description?: string;
    parts?: { name: string }[];
  };
  const info = readOptional<RunInfo>(path.join(runDir, 'run.json'), 'run information');
  const lines: string[] = [];
  if (config.kind === 'icl-regression') {
    writeMetricsCsv(runDir, 'icl-regression');
    lines.push(...headerLines(config.name, config, info, config.seed));
    lines.push(
      ...(await iclSection(readJsonFile(path.join(runDir, 'eval.json'), 'evaluation') as IclEvalFile, runDir)),
    );
  } else if (config.kind === 'icl-sequence') {
    writeMetricsCsv(runDir, 'icl-sequence');
    lines.push(...headerLines(config.name, config, info, config.seed));
    if (config.description) lines.push(config.description, '');
    lines.push(
      ...(await iclSequenceSection(
        readJsonFile(path.join(runDir, 'eval.json'), 'evaluation') as IclSequenceEvalFile,
        runDir,
      )),
    );
  } else if (config.kind === 'suite') {
    lines.push(...headerLines(`${config.name}: where does learning live?`, config, info, config.seed));
    if (config.description) lines.push(config.description, '');
    lines.push(
      'How to read it: each section is one task. The first table compares every agent on the task’s headline ' +
        'measure with the best classic algorithm, paired on the same held-out episodes. The lesion table then ' +
        'removes one kind of within-episode memory at a time: if wiping the activity at each trial (`reset-state`) ' +
        'undoes an agent’s improvement, its learning lives in activity (in context); if holding its synapses ' +
        'fixed (`freeze-plasticity`) does, it lives in synapses.',
      '',
    );
    const runs = suiteRuns(parseSuite(config, path.join(runDir, 'config.json')));
    for (const part of new Set(runs.map((r) => r.part))) {
      const seeded = runs.filter((r) => r.part === part);
      const records = seeded.map((r) => {
        const dir = path.join(runDir, 'parts', r.dir);
        writeMetricsCsv(dir);
        return { seed: r.trainingSeed, run: readRunRecords(dir) };
      });
      const section = await runSection(records[0].run, runDir, `${seeded[0].dir}-`, '##');
      if (seeded[0].trainingSeed === undefined) {
        lines.push(...section);
        continue;
      }
      // A part with training seeds: the first seed's section in full, then every seed in short.
      const [title, blank, ...rest] = section;
      lines.push(
        `${title} (training seed ${seeded[0].trainingSeed}; all ${seeded.length} seeds below)`,
        blank,
        ...rest,
        `### ${part} over training seeds`,
        '',
        ...seedTables(records.map((r) => ({ seed: r.seed as number, run: r.run }))),
        '',
      );
    }
  } else {
    const run = readRunRecords(runDir);
    writeMetricsCsv(runDir);
    lines.push(...headerLines(`${config.name}`, config, info, config.seed));
    lines.push(...(await runSection(run, runDir, '', '##')));
  }
  const file = path.join(runDir, 'report.md');
  atomicWriteText(file, lines.join('\n'));
  return file;
}

/**
 * `engram report <run-dir>`: checks the directory holds a finished run or suite, then writes its
 * report; of a sweep directory, the sweep's report (sweep-report.ts).
 */
export async function reportCommand(runDir: string): Promise<string> {
  const dir = path.resolve(runDir);
  if (isSweepDir(dir)) return writeSweepReport(runDir);
  if (!fs.existsSync(path.join(dir, 'config.json')))
    throw new UsageError(`${runDir} is not a run directory (no config.json)`);
  const config = readJsonFile(path.join(dir, 'config.json'), 'run configuration') as {
    kind?: string;
    parts?: { name: string }[];
  };
  const dirs = config.kind === 'suite' ? suiteParts(dir, config) : [dir];
  for (const d of dirs) {
    if (!fs.existsSync(path.join(d, 'eval.json')))
      throw new UsageError(
        `${d} has no eval.json: the run has not finished (resume it with engram run --resume ${runDir})`,
      );
  }
  return writeReport(dir);
}
