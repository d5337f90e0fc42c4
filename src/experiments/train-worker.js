// Entry of a training worker thread when engram runs from its sources: worker threads start
// without the parent's loaders, so register them (bin/register-source.js) before loading the
// worker's TypeScript. The built library (dist/) runs the compiled train-worker.ts instead.
import { registerSourceLoader } from '../../bin/register-source.js';

registerSourceLoader();
await import('./train-worker.ts');
