// run.json: when a run started and finished, its wall time over every invocation, and the code
// version that made it (reports print these beside the resolved configuration and the seeds).
import { execFileSync } from 'node:child_process';

/** What a run records about itself when it ends (run.json). */
export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  /** Wall time of the whole run, over every invocation (a resumed run adds up). */
  wallSeconds: number;
  gitCommit: string | null;
  node: string;
}

/** The code version: the git commit of the working tree (marked when it has local changes), or null outside a repository. */
export function codeVersion(cwd = process.cwd()): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return dirty ? `${commit} (with local changes)` : commit;
  } catch {
    return null;
  }
}
