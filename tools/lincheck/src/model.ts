/**
 * A sequential specification the checker linearizes against (Porcupine's
 * `Model`). States are immutable values; `key` gives a canonical string so
 * the search can memoise (linearized set, state) pairs, which is what keeps
 * Wing–Gong tractable on real histories (Lowe, "Testing for linearizability").
 */
export interface Model<State, Input, Output> {
  /** The state before any operation. */
  readonly init: () => State;
  /**
   * Applies `input` to `state`. `output` is what the system answered, or null
   * when the answer was never seen (a timeout or a crash): then any answer is
   * allowed and the model decides what the operation did.
   */
  readonly step: (state: State, input: Input, output: Output | null) => StepResult<State>;
  /** A canonical encoding of a state: equal states have equal keys. */
  readonly key: (state: State) => string;
  /** Independent sub-histories (per znode): operations with different keys never interact. */
  readonly partition: (input: Input) => string;
  /** One line describing an operation, for reports. */
  readonly describe: (input: Input, output: Output | null) => string;
}

/** Whether an operation is allowed in a state, and the state after it. */
export type StepResult<State> = { readonly ok: true; readonly next: State } | { readonly ok: false };
