// Entry of a sweep worker thread (run by piscina): worker threads start without the parent's
// TypeScript loader, so register tsx here before loading the task handler.
import { register } from 'tsx/esm/api';

register();
const { runSweepTask } = await import('./sweep-worker.ts');
export default runSweepTask;
