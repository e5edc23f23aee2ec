// A money-moving form's state: its answer, and its submission's idempotency key, made when the
// submission is first sent and repeated by every send of the same submission (a double click, a
// retry after a lost or retryable answer), dropped after a definite answer or when the form
// changes. The key is a ref, not state: a double click's second submit runs before React renders
// again, and must see the key the first one took.

import { useRef, useState } from "react";
import { describeError, isRetryable } from "./errors.ts";
import type { FormAnswer } from "./pages/parts.tsx";

export function useMoneyForm() {
  const key = useRef<string | undefined>(undefined);
  const [answer, setAnswer] = useState<FormAnswer>();
  const reset = () => {
    key.current = undefined;
    setAnswer(undefined);
  };
  return {
    answer,
    /** This submission's key. */
    key: () => (key.current ??= crypto.randomUUID()),
    /** A setter that also starts a new submission: the form changed. */
    edited:
      <T>(set: (value: T) => void) =>
      (value: T) => {
        set(value);
        reset();
      },
    reset,
    /** A refusal before sending (the form's own check). */
    refuse: (text: string) => setAnswer({ ok: false, text }),
    /** Success: a new submission next time. */
    succeeded: (text: string) => {
      key.current = undefined;
      setAnswer({ ok: true, text });
    },
    /** An error: a definite refusal ends the submission; a retryable answer keeps its key. */
    failed: (error: unknown) => {
      if (!isRetryable(error)) key.current = undefined;
      setAnswer({ ok: false, text: describeError(error) });
    },
  };
}
