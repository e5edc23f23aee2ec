import { describe, expect, it } from "vitest";
import type { BalanceEventRow } from "../../ledger/api.ts";
import { LAGGED, Subscriber } from "./subscriber.ts";
import { testId } from "../../../test/support/fixtures.ts";

const scope = { tenantId: testId("account", "acct_t"), livemode: false };
const row = (seq: number, overrides: Partial<BalanceEventRow> = {}): BalanceEventRow =>
  ({
    seq: BigInt(seq),
    id: `evt_${seq}`,
    tenantId: testId("account", "acct_t"),
    livemode: false,
    accountId: testId("account", "acct_t"),
    ...overrides,
  }) as BalanceEventRow;

describe("Subscriber", () => {
  it("hands rows over in order, waiting for the next one", async () => {
    const subscriber = new Subscriber("acct_t", scope, 10);
    const waiting = subscriber.next();
    subscriber.push(row(1));
    subscriber.push(row(2));
    expect(await waiting).toMatchObject({ seq: 1n });
    expect(await subscriber.next()).toMatchObject({ seq: 2n });
  });

  it("keeps at most `limit` rows: past that it lets them go and remembers the newest, then queues again", async () => {
    const subscriber = new Subscriber("acct_t", scope, 3);
    for (let seq = 1; seq <= 10; seq++) subscriber.push(row(seq));
    expect(subscriber.pending).toBe(0);
    expect(await subscriber.next()).toBe(LAGGED);
    expect(subscriber.resume()).toBe(10n);
    subscriber.push(row(11));
    expect(await subscriber.next()).toMatchObject({ seq: 11n });
  });

  it("ignores rows of another tenant or mode", async () => {
    const subscriber = new Subscriber("acct_t", scope, 3);
    subscriber.push(row(1, { livemode: true }));
    subscriber.push(row(2, { tenantId: testId("account", "acct_other") }));
    subscriber.push(row(3));
    expect(await subscriber.next()).toMatchObject({ seq: 3n });
    expect(subscriber.pending).toBe(0);
  });

  it("answers undefined once ended, even to a reader already waiting", async () => {
    const subscriber = new Subscriber("acct_t", scope, 3);
    const waiting = subscriber.next();
    subscriber.end();
    expect(await waiting).toBeUndefined();
    subscriber.push(row(1));
    expect(await subscriber.next()).toBeUndefined();
  });
});
