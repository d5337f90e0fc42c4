// Entry of a sweep worker thread (run by piscina) when engram runs from its sources: worker threads
// start without the parent's loaders, so register them (bin/register-source.js) before loading
// the task handler. The built library (dist/) runs the compiled sweep-worker.ts instead.
import { registerSourceLoader } from '../../bin/register-source.js';

registerSourceLoader();
const { runSweepTask } = await import('./sweep-worker.ts');

export { runSweepTask };
