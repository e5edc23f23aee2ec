import { parse, print } from "graphql";
import { describe, expect, it } from "vitest";
import { cursorOf, resumablePrimary } from "./resume.ts";

const normalized = (query: string) => print(parse(query));

describe("the resumable primary fetch", () => {
  it("takes its position from gateway variables and always selects the cursor", () => {
    const primary = resumablePrimary("subscription S__balances__0($a:ID!$after:ID){balanceChanged(accountId:$a after:$after){currency}}")!;
    expect(normalized(primary.query)).toBe(
      normalized(
        "subscription S__balances__0($a: ID!, $mgAfter: ID, $mgFromStart: Boolean, $mgCurrent: Boolean) { balanceChanged(accountId: $a, after: $mgAfter, fromStart: $mgFromStart, current: $mgCurrent) { currency _mgCursor: id } }",
      ),
    );
    expect(primary.operationName).toBe("S__balances__0");
    expect(primary.responseName).toBe("balanceChanged");
  });

  it("keeps the fragments the planner's operation uses", () => {
    const primary = resumablePrimary(
      "subscription($a:ID!){balanceChanged(accountId:$a){...e}} fragment e on BalanceEvent{currency account{__typename id}}",
    )!;
    expect(normalized(primary.query)).toBe(
      normalized(
        "subscription($a: ID!, $mgAfter: ID, $mgFromStart: Boolean, $mgCurrent: Boolean) { balanceChanged(accountId: $a, after: $mgAfter, fromStart: $mgFromStart, current: $mgCurrent) { ...e _mgCursor: id } } fragment e on BalanceEvent { currency account { __typename id } }",
      ),
    );
  });

  it("reads the client's own `after` from a variable or a literal", () => {
    const fromVariable = resumablePrimary("subscription($a:ID!$after:ID){balanceChanged(accountId:$a after:$after){id}}")!;
    expect(fromVariable.originalAfter({ a: "acct_1", after: "evt_9" })).toBe("evt_9");
    expect(fromVariable.originalAfter({ a: "acct_1" })).toBeNull();
    const literal = resumablePrimary('subscription{balanceChanged(accountId:"acct_1" after:"evt_7"){id}}')!;
    expect(literal.originalAfter({})).toBe("evt_7");
    expect(normalized(literal.query)).toContain("after: $mgAfter");
    expect(literal.query).not.toContain("evt_7");
  });

  it("sends the position it is given, and only the client variables still used", () => {
    const primary = resumablePrimary("subscription($a:ID!$after:ID){balanceChanged(accountId:$a after:$after){id}}")!;
    expect(primary.variables({ a: "acct_1", after: "evt_1" }, { after: "evt_5" })).toEqual({
      a: "acct_1",
      mgAfter: "evt_5",
      mgFromStart: null,
      mgCurrent: false,
    });
    expect(primary.variables({ a: "acct_1" }, { fromStart: true })).toEqual({
      a: "acct_1",
      mgAfter: null,
      mgFromStart: true,
      mgCurrent: false,
    });
  });

  it("reads the client's `current` and sets it only when told (the first subscribe, resume.ts)", () => {
    const primary = resumablePrimary("subscription($a:ID!$c:Boolean){balanceChanged(accountId:$a current:$c){id}}")!;
    expect(primary.originalCurrent({ a: "acct_1", c: true })).toBe(true);
    expect(primary.originalCurrent({ a: "acct_1", c: false })).toBe(false);
    expect(primary.originalCurrent({ a: "acct_1" })).toBe(false);
    // The client's variable fed only `current`: the gateway's own takes its place.
    expect(primary.variables({ a: "acct_1", c: true }, { after: "evt_2" }, true)).toEqual({
      a: "acct_1",
      mgAfter: "evt_2",
      mgFromStart: null,
      mgCurrent: true,
    });
    const literal = resumablePrimary('subscription{balanceChanged(accountId:"acct_1" current:true){id}}')!;
    expect(literal.originalCurrent({})).toBe(true);
    expect(normalized(literal.query)).toContain("current: $mgCurrent");
  });

  it("asks the position query with the stream's key argument", () => {
    const primary = resumablePrimary('subscription{b: balanceChanged(accountId:"acct_3"){id}}')!;
    expect(primary.responseName).toBe("b");
    expect(primary.positionQuery({})).toEqual({
      query: "query GatewayPosition($key: ID!) { _latestBalanceEvent(accountId: $key) }",
      variables: { key: "acct_3" },
      field: "_latestBalanceEvent",
    });
  });

  it("leaves a field it does not know as not resumable", () => {
    expect(resumablePrimary("subscription{somethingElse{id}}")).toBeUndefined();
  });

  it("reads the cursor of a result under the root field's response name", () => {
    expect(cursorOf({ b: { _mgCursor: "evt_1", id: "x" } }, "b")).toBe("evt_1");
    expect(cursorOf({ b: null }, "b")).toBeUndefined();
    expect(cursorOf(null, "b")).toBeUndefined();
  });
});
