// One form submission's idempotency key: made when it is first sent, repeated by every send of
// the same submission (a double click, a retry after a lost or retryable answer), dropped after a
// definite answer or when the form changes. A ref, not state: a double click's second submit
// runs before React renders again, and must see the key the first one took.

import { useRef } from "react";
import { isRetryable } from "./errors.ts";

export function useSubmission() {
  const key = useRef<string | undefined>(undefined);
  return {
    /** This submission's key. */
    key: () => (key.current ??= crypto.randomUUID()),
    /** The form changed: the next send is a new submission. */
    reset: () => {
      key.current = undefined;
    },
    /** The answer came: a success or a definite refusal ends the submission; a retryable one keeps it. */
    settle: (error?: unknown) => {
      if (error === undefined || !isRetryable(error)) key.current = undefined;
    },
  };
}
