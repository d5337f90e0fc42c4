// The shape of the task registry (tasks/index.ts; the agent registry's is agents/kit/entry.ts): ids
// map to factories that validate options and build families. Only src/experiments and the
// layers above it look ids up; everything below receives families, agents and networks as values.
import { UsageError } from './errors.ts';
import type { OptionRecord } from './options.ts';
import type { TaskFamily } from './types.ts';

export interface TaskEntry {
  id: string;
  description: string;
  /** The option record `create` validates against: names, defaults, ranges, units (docs/tasks.md lists them). */
  options: OptionRecord;
  /** Builds a family from user options; unknown or out-of-range options throw a UsageError naming the key. */
  create(options?: Record<string, unknown>): TaskFamily;
}

/** Entries by id: the tasks (tasks/index.ts) and the agents (agents/index.ts). Ids are unique and stable. */
export class Registry<E extends { id: string }> {
  private readonly byId = new Map<string, E>();

  /** `kind` names what the entries are, in error messages ("unknown task 'x'"). */
  constructor(
    readonly kind: string,
    entries: readonly E[],
  ) {
    for (const entry of entries) this.register(entry);
  }

  /** Every entry, in the order registered. */
  get entries(): readonly E[] {
    return [...this.byId.values()];
  }

  /** Adds an entry; an id already taken is a UsageError. */
  register(entry: E): void {
    if (this.byId.has(entry.id)) throw new UsageError(`a ${this.kind} with id '${entry.id}' is already registered`);
    this.byId.set(entry.id, entry);
  }

  /** Whether an entry has id `id`. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The entry of `id`; an unknown id is a UsageError listing the known ones. */
  find(id: string): E {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      throw new UsageError(`unknown ${this.kind} '${id}' (known: ${[...this.byId.keys()].join(', ') || 'none'})`);
    }
    return entry;
  }
}
