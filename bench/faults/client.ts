// A client that follows the README's retry contract: a request whose outcome is unknown (no
// answer, or an answer marked `extensions.retryable`) is sent again, unchanged (same
// idempotency key), after `Retry-After`, until a definite answer: data, or any other code.

export interface GraphQLError {
  readonly message?: string;
  readonly extensions?: { code?: string; retryable?: boolean; retryAfterMs?: number; [key: string]: unknown };
}

export interface GraphQLResponse {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: GraphQLError[];
}

/** A definite answer: the operation's object, or the code it was refused with. */
export type Definite =
  { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly code: string; readonly message: string };

export interface Answered {
  readonly definite: Definite | undefined;
  /** From the first attempt to the definite answer (or to giving up). */
  readonly ms: number;
  readonly attempts: number;
  /** Codes and transport failures seen on the way, e.g. { SERVICE_UNAVAILABLE: 3, "no answer": 1 }. */
  readonly retried: Record<string, number>;
  /** Answers that broke the contract itself (a retryable code without `retryable: true`). */
  readonly contractBreaks: string[];
}

const RETRYABLE_CODES = new Set(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "IDEMPOTENCY_KEY_IN_USE", "RATE_LIMITED"]);

export interface ClientOptions {
  readonly url: () => string;
  readonly key: string;
  /** Give up (an operation without a definite answer) after this long. */
  readonly giveUpMs: number;
  readonly requestTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one mutation until its answer is definite; `field` names the mutation's root field. */
export async function untilDefinite(
  options: ClientOptions,
  field: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answered> {
  const started = performance.now();
  const retried: Record<string, number> = {};
  const contractBreaks: string[] = [];
  for (let attempt = 1; ; attempt++) {
    // Our own backoff when the answer gives no hint; jittered so that the clients that lost their
    // answers in one fault do not all come back at once.
    let waitMs = Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
    let why: string;
    try {
      const response = await fetch(options.url(), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${options.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
      });
      const retryAfter = Number(response.headers.get("retry-after"));
      const body = (await response.json().catch(() => undefined)) as GraphQLResponse | undefined;
      const value = body?.data?.[field];
      const error = body?.errors?.[0];
      const code = error?.extensions?.code;
      if (value && typeof value === "object") {
        return {
          definite: { ok: true, value: value as Record<string, unknown> },
          ms: performance.now() - started,
          attempts: attempt,
          retried,
          contractBreaks,
        };
      }
      if (code && error?.extensions?.retryable !== true && !RETRYABLE_CODES.has(code)) {
        return {
          definite: { ok: false, code, message: error?.message ?? "" },
          ms: performance.now() - started,
          attempts: attempt,
          retried,
          contractBreaks,
        };
      }
      if (code && error?.extensions?.retryable !== true)
        contractBreaks.push(`${code} without extensions.retryable (HTTP ${response.status})`);
      why = code ?? `HTTP ${response.status} without a GraphQL error`;
      const hintMs =
        typeof error?.extensions?.retryAfterMs === "number"
          ? error.extensions.retryAfterMs
          : retryAfter > 0
            ? retryAfter * 1_000
            : undefined;
      // Never before the hint: a little after it, spread.
      if (hintMs !== undefined) waitMs = hintMs * (1 + Math.random() / 4);
    } catch (error) {
      why = "no answer";
      void error;
    }
    retried[why] = (retried[why] ?? 0) + 1;
    if (performance.now() - started > options.giveUpMs) {
      return { definite: undefined, ms: performance.now() - started, attempts: attempt, retried, contractBreaks };
    }
    await sleep(waitMs);
  }
}
