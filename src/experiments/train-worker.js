// Entry of a training worker thread: worker threads start without the parent's TypeScript loader,
// so register tsx here before loading the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
