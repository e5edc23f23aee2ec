import { describe, expect, it } from "vitest";
import type { Principal } from "./principal.ts";
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, signPrincipal, TIMESTAMP_HEADER, verifyPrincipal } from "./signature.ts";
import { testId } from "../../../test/support/fixtures.ts";

const SECRET = "s".repeat(64);
const principal: Principal = { kind: "platform", tenantId: testId("account", "acct_A"), livemode: false, keyId: "key_1" };
const now = 1_800_000_000_000;
const OP = { query: "query($id: ID!) { account(id: $id) { id } }", variables: { id: "acct_A" } };

describe("principal signatures", () => {
  it("verifies what it signed", () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, OP, now), SECRET, 60_000, OP, now)).toEqual({
      ok: true,
      principal,
      signedAt: now,
    });
  });

  it("refuses a missing header", () => {
    const headers: Record<string, string> = { ...signPrincipal(principal, SECRET, OP, now) };
    delete headers[SIGNATURE_HEADER];
    expect(verifyPrincipal(headers, SECRET, 60_000, OP, now)).toMatchObject({ ok: false, reason: "missing gateway signature" });
  });

  it("refuses another secret's signature", () => {
    expect(verifyPrincipal(signPrincipal(principal, "t".repeat(64), OP, now), SECRET, 60_000, OP, now)).toMatchObject({
      ok: false,
      reason: "bad signature",
    });
  });

  it("refuses a signature older or newer than the allowed skew", () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, OP, now - 60_001), SECRET, 60_000, OP, now)).toMatchObject({
      ok: false,
      reason: "stale signature",
    });
    expect(verifyPrincipal(signPrincipal(principal, SECRET, OP, now + 60_001), SECRET, 60_000, OP, now)).toMatchObject({
      ok: false,
      reason: "stale signature",
    });
  });

  it("binds the timestamp and the principal into the signature", () => {
    const signed = signPrincipal(principal, SECRET, OP, now);
    const otherTime = { ...signed, [TIMESTAMP_HEADER]: String(now + 1) };
    const other = Buffer.from(JSON.stringify({ ...principal, tenantId: testId("account", "acct_B") })).toString("base64url");
    const otherPrincipal = { ...signed, [PRINCIPAL_HEADER]: other };
    expect(verifyPrincipal(otherTime, SECRET, 60_000, OP, now)).toMatchObject({ ok: false });
    expect(verifyPrincipal(otherPrincipal, SECRET, 60_000, OP, now)).toMatchObject({ ok: false });
  });

  it("binds the operation: its query, name and variables", () => {
    const signed = signPrincipal(principal, SECRET, OP, now);
    expect(verifyPrincipal(signed, SECRET, 60_000, { ...OP, variables: { id: "acct_B" } }, now)).toMatchObject({
      ok: false,
      reason: "bad signature",
    });
    expect(verifyPrincipal(signed, SECRET, 60_000, { ...OP, query: "{ viewer { id } }" }, now)).toMatchObject({ ok: false });
    expect(verifyPrincipal(signed, SECRET, 60_000, { ...OP, operationName: "X" }, now)).toMatchObject({ ok: false });
    // The same operation arriving through JSON (what a subgraph parses) verifies.
    expect(verifyPrincipal(signed, SECRET, 60_000, JSON.parse(JSON.stringify(OP)), now)).toEqual({ ok: true, principal, signedAt: now });
  });

  it("keeps a connection's signature and an operation's apart", () => {
    const connection = signPrincipal({ kind: "gateway" }, SECRET, undefined, now);
    expect(verifyPrincipal(connection, SECRET, 60_000, undefined, now)).toEqual({
      ok: true,
      principal: { kind: "gateway" },
      signedAt: now,
    });
    expect(verifyPrincipal(connection, SECRET, 60_000, {}, now)).toMatchObject({ ok: false });
    expect(verifyPrincipal(signPrincipal(principal, SECRET, OP, now), SECRET, 60_000, undefined, now)).toMatchObject({ ok: false });
  });

  it("refuses repeated headers and malformed values without throwing", () => {
    const signed = signPrincipal(principal, SECRET, OP, now);
    expect(verifyPrincipal({ ...signed, [SIGNATURE_HEADER]: [signed[SIGNATURE_HEADER], "x"] }, SECRET, 60_000, OP, now)).toMatchObject({
      ok: false,
    });
    expect(verifyPrincipal({ ...signed, [SIGNATURE_HEADER]: "zz" }, SECRET, 60_000, OP, now)).toMatchObject({ ok: false });
    expect(verifyPrincipal({ ...signed, [TIMESTAMP_HEADER]: "1e12" }, SECRET, 60_000, OP, now)).toMatchObject({ ok: false });
  });
});
