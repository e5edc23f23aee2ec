// The isolation both group commits share (the transfer batcher's and the ledger's): a batch
// commits all or nothing, so when its commit fails for something in the data the batch is split
// in two and each half tried again, until an item no commit can hold fails alone and every other
// item commits. One caller's bad input never fails another's. A database outage fails the whole
// batch at once (splitting cannot help). Nothing of a failed commit happened, so a half may retry.

import { isDatabaseUnavailable } from "./unavailable.ts";

/**
 * Runs `commit` on `items`, splitting on failure as above; `onSplit` is called at each split
 * (the callers count them). Answers, in order, each item's outcome or the error its caller gets.
 */
export async function commitSplittingOnFailure<I, O>(
  items: readonly I[],
  commit: (items: readonly I[]) => Promise<readonly O[]>,
  onSplit: () => void,
): Promise<(O | Error)[]> {
  try {
    return [...(await commit(items))];
  } catch (error) {
    if (items.length === 1 || isDatabaseUnavailable(error)) return items.map(() => error as Error);
    onSplit();
    const half = Math.ceil(items.length / 2);
    return [
      ...(await commitSplittingOnFailure(items.slice(0, half), commit, onSplit)),
      ...(await commitSplittingOnFailure(items.slice(half), commit, onSplit)),
    ];
  }
}
