// When a payout is expected at the bank, pure.
//   STANDARD: midnight UTC at the start of the second business day (Monday to Friday, UTC)
//             after the day it was created: created Monday -> Wednesday; Thursday -> Monday;
//             Friday, Saturday or Sunday -> Tuesday. Bank holidays are not modelled.
//   INSTANT:  30 minutes after creation.
// The test-mode bank rail moves faster (PAYOUT_STEP_MS per step); this is the promise shown.

import type { PayoutMethod } from "./pricing.ts";

export const STANDARD_BUSINESS_DAYS = 2;
export const INSTANT_ARRIVAL_MS = 30 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

function isBusinessDay(date: Date): boolean {
  const day = date.getUTCDay();
  return day !== 0 && day !== 6;
}

export function arrivalDate(method: PayoutMethod, createdAt: Date): Date {
  if (method === "INSTANT") return new Date(createdAt.getTime() + INSTANT_ARRIVAL_MS);
  let day = new Date(Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate()));
  let remaining = STANDARD_BUSINESS_DAYS;
  while (remaining > 0) {
    day = new Date(day.getTime() + DAY_MS);
    if (isBusinessDay(day)) remaining -= 1;
  }
  return day;
}
