/** Why the service cannot start (or a reload cannot apply): every problem, one line each, for the operator. */
export class StartupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
