// Branded ids at the modules' front doors: an id of one kind passed where another is expected
// does not compile. Each `// @ts-expect-error` below is checked by `npm run typecheck`: if a
// front door went back to taking a plain string, the error would vanish and the directive would
// fail the typecheck. The runtime part checks the one place untrusted ids are narrowed, the
// resolvers' idArgument.

import { describe, expect, it } from "vitest";
import { accountFacts, type DestinationRequest } from "./accounts/api.ts";
import { createTransfer } from "./balances/api.ts";
import { readBalances } from "./ledger/api.ts";
import { payoutsInFlight } from "./payouts/api.ts";
import { idArgument } from "./shared/errors.ts";
import { newId } from "./shared/ids.ts";
import { parseCurrency } from "./shared/money/currency.ts";

const accountId = newId("account");
const payoutId = newId("payout");
const USD = parseCurrency("USD")!;

// What each front door takes, as a plain function of that argument (nothing is called for real).
const transferTo = (input: Parameters<typeof createTransfer>[2]) => input.destinationAccountId;
const factsOf = (id: Parameters<typeof accountFacts>[2]) => id;
const inFlightOf = (id: Parameters<typeof payoutsInFlight>[2]) => id;
const balancesOf = (ids: Parameters<typeof readBalances>[2]) => ids;
const paidTo = (request: Pick<DestinationRequest, "externalAccountId">) => request.externalAccountId;

describe("ids across modules", () => {
  it("take the kind they mean", () => {
    expect(transferTo({ destinationAccountId: accountId, amount: 1n, currency: USD })).toBe(accountId);
    expect([factsOf(accountId), inFlightOf(accountId), ...balancesOf([accountId])]).toEqual([accountId, accountId, accountId]);
  });

  it("refuse, at compile time, a payout id where an account id is expected", () => {
    // @ts-expect-error a payout id is not a transfer's destination account
    transferTo({ destinationAccountId: payoutId, amount: 1n, currency: USD });
    // @ts-expect-error a payout id is not an account id
    factsOf(payoutId);
    // @ts-expect-error a payout id is not an account id
    inFlightOf(payoutId);
    // @ts-expect-error payout ids are not account ids
    balancesOf([payoutId]);
    // @ts-expect-error an account id is not a bank account id
    paidTo({ externalAccountId: accountId });
  });

  it("refuse, at compile time, a string that was never narrowed", () => {
    // @ts-expect-error an unchecked string is not an account id
    factsOf("acct_unchecked");
  });

  it("are narrowed once, at the edge: an argument of another kind or shape is NOT_FOUND", () => {
    expect(idArgument("account", accountId, "account")).toBe(accountId);
    for (const wrong of [payoutId, "x", "acct_abc'; DROP TABLE account"]) {
      expect(() => idArgument("account", wrong, "account")).toThrow(`No such account: '${wrong}'`);
    }
  });
});
