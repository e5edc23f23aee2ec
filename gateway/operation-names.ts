// Which operation names may become metric labels. A client names its operations, so a label
// taken from the request as it comes would let any client create series without end (and write
// into our monitoring whatever it likes). A name becomes a label value only when an operation of
// that name, as written in a document that passed validation, starts executing for an
// authenticated caller, and only while fewer than `max` names have been taken (first come, first
// served, for the life of the gateway). Every other name is counted as "(other)"; an unnamed
// operation as "(anonymous)".

export const MAX_OPERATION_NAMES = 200;
/** GraphQL names have no length limit; labels this long are someone's experiment, not a client's operation. */
export const MAX_NAME_LENGTH = 100;

export const ANONYMOUS = "(anonymous)";
export const OTHER = "(other)";

export class OperationNames {
  private readonly admitted = new Set<string>();

  constructor(private readonly max: number = MAX_OPERATION_NAMES) {}

  /**
   * The label of an operation that starts executing (so its document passed validation):
   * `name` is the name it has in that document, `authenticated` whether a key vouched for the caller.
   */
  admit(name: string | null | undefined, authenticated: boolean): string {
    if (!name || name === "Anonymous") return ANONYMOUS;
    if (this.admitted.has(name)) return name;
    if (!authenticated || this.admitted.size >= this.max || name.length > MAX_NAME_LENGTH) return OTHER;
    this.admitted.add(name);
    return name;
  }

  /**
   * The label of a name as a request gives it (perhaps before or without validation): a name
   * already admitted, else "(other)". ("Anonymous" is the Prometheus plugin's word for no name.)
   */
  label(name: string | null | undefined): string {
    if (!name || name === "Anonymous") return ANONYMOUS;
    return this.admitted.has(name) ? name : OTHER;
  }

  get size(): number {
    return this.admitted.size;
  }
}
