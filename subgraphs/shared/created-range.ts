// A list's `created` filter (Stripe's shape: any of gte, gt, lte, lt), checked and reduced to
// one lower and one upper bound before it reaches a store. Pure, so every list can reuse it.

import { badInput } from "./errors.ts";

export interface CreatedRangeArgs {
  readonly gte?: Date | null | undefined;
  readonly gt?: Date | null | undefined;
  readonly lte?: Date | null | undefined;
  readonly lt?: Date | null | undefined;
}

export interface CreatedBound {
  readonly at: Date;
  readonly inclusive: boolean;
}

/** At least one side; a store keeps `created` >= / > `from` and <= / < `to`. */
export interface CreatedBounds {
  readonly from: CreatedBound | undefined;
  readonly to: CreatedBound | undefined;
}

/**
 * The range's two bounds, or BAD_USER_INPUT (argument `created`) when it has none or holds no
 * instant (lower above upper, or equal with a side exclusive). Given both gte and gt, the
 * stricter wins; likewise lte and lt.
 */
export function createdBounds(range: CreatedRangeArgs): CreatedBounds {
  const from = stricter(bound(range.gte, true), bound(range.gt, false), 1);
  const to = stricter(bound(range.lte, true), bound(range.lt, false), -1);
  if (!from && !to) throw badInput("created needs at least one of gte, gt, lte, lt", "created");
  if (from && to) {
    const gap = to.at.getTime() - from.at.getTime();
    if (gap < 0 || (gap === 0 && !(from.inclusive && to.inclusive))) {
      throw badInput("created: the lower bound is after the upper bound", "created");
    }
  }
  return { from, to };
}

function bound(at: Date | null | undefined, inclusive: boolean): CreatedBound | undefined {
  return at ? { at, inclusive } : undefined;
}

/** Of two bounds on one side, the one that admits less (`direction` 1: the later for a lower bound). */
function stricter(a: CreatedBound | undefined, b: CreatedBound | undefined, direction: 1 | -1): CreatedBound | undefined {
  if (!a || !b) return a ?? b;
  const diff = (a.at.getTime() - b.at.getTime()) * direction;
  if (diff !== 0) return diff > 0 ? a : b;
  return a.inclusive ? b : a;
}

/**
 * The SQL of a `created` filter on `created_at` (`alias` qualifies it), on parameters $n to $n+3
 * (`params`, in that order): a no-op without bounds. ANDed onto a list's (…, created_at desc, id
 * desc) index range, it bounds the scan.
 */
export function createdSql(bounds: CreatedBounds | undefined, n: number, alias?: string): { where: string; params: unknown[] } {
  const column = `${alias ? `${alias}.` : ""}created_at`;
  const { from, to } = bounds ?? { from: undefined, to: undefined };
  return {
    where:
      `($${n}::timestamptz IS NULL OR ${column} >= $${n}::timestamptz)` +
      ` AND ($${n + 1}::timestamptz IS NULL OR ${column} > $${n + 1}::timestamptz)` +
      ` AND ($${n + 2}::timestamptz IS NULL OR ${column} <= $${n + 2}::timestamptz)` +
      ` AND ($${n + 3}::timestamptz IS NULL OR ${column} < $${n + 3}::timestamptz)`,
    params: [
      from?.inclusive ? from.at : null,
      from && !from.inclusive ? from.at : null,
      to?.inclusive ? to.at : null,
      to && !to.inclusive ? to.at : null,
    ],
  };
}
