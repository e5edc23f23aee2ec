// Account.ledgerProof through the gateway: an account's chain heads equal to the ledger's rows,
// the latest checkpoint with the heads it recorded, tenancy and a bad currency.

import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ledgerProofOf } from "../subgraphs/balances/service/ledger-proof.ts";
import { checkpointLedger } from "../subgraphs/ledger/api.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { CreateTopupDocument, LedgerProofDocument } from "./generated/graphql.ts";
import { codes, newPlatform, ok, request, type TestTenant } from "./support/client.ts";
import { testDatabase } from "./support/database.ts";
import { testDeps } from "./support/deps.ts";
import { insertConnectedAccount } from "./support/fixtures.ts";
import { testPlatform } from "./support/platform.ts";

let platform: TestTenant;
let other: TestTenant;
let seller: string;

/** The current head of a customer balance's chain, read from the rows. */
async function headOf(accountId: string, kind: string): Promise<{ hash: string; micros: string } | undefined> {
  const db = await testDatabase();
  const [row] = await db.sql.query<{ hash: string; micros: string }>(
    `SELECT encode(le.hash, 'hex') AS hash, (extract(epoch FROM le.created_at) * 1000000)::bigint::text AS micros
       FROM ledger_entry le JOIN ledger_account la ON la.id = le.ledger_account_id
      WHERE la.account_id = $1 AND la.currency = 'USD' AND la.kind = $2::"LedgerAccountKind" AND la.livemode = false
      ORDER BY le.created_at DESC, le.id DESC LIMIT 1`,
    [accountId, kind],
  );
  return row;
}

beforeAll(async () => {
  await testPlatform();
  [platform, other] = await Promise.all([newPlatform("Proof Co"), newPlatform("Other Proof Co")]);
  seller = await insertConnectedAccount({ tenantId: platform.accountId });
  await ok(
    CreateTopupDocument,
    { input: { accountId: platform.accountId, amount: "2500", currency: "USD" }, key: randomUUID() },
    platform.key,
  );
});

describe("Account.ledgerProof", () => {
  it("answers each customer balance's chain head and the latest checkpoint with the heads it recorded", async () => {
    // Until a checkpoint of this state is in: written here, or by a worker's checkpointer that
    // was at it (busy), after which nothing has moved (unchanged) or this one writes it.
    let written = await checkpointLedger(await testDatabase());
    for (let attempt = 0; written.skipped === "busy" && attempt < 100; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      written = await checkpointLedger(await testDatabase());
    }
    expect(written.skipped).not.toBe("busy");
    const db = await testDatabase();
    const latestSeq = async () =>
      Number((await db.sql.query<{ seq: string }>("SELECT max(seq)::text AS seq FROM ledger_checkpoint"))[0]!.seq);
    const latestBefore = await latestSeq();
    const proof = (await ok(LedgerProofDocument, { id: platform.accountId, currency: "USD" }, platform.key)).account!.ledgerProof;
    const available = (await headOf(platform.accountId, "AVAILABLE"))!;
    const pending = (await headOf(platform.accountId, "PENDING"))!;
    expect(proof.currency).toBe("USD");
    expect(proof.heads.map((head) => [head.kind, head.hash])).toEqual([
      ["AVAILABLE", available.hash],
      ["PENDING", pending.hash],
      ["HELD", "0".repeat(64)],
    ]);
    expect(new Date(proof.heads[0]!.appliedAt!).getTime()).toBe(Math.floor(Number(available.micros) / 1000));
    expect(proof.heads[2]!.appliedAt).toBeNull();

    // The latest checkpoint when the proof was read (this one or a later one: the workers of the
    // suite's other platforms write checkpoints too, before and after) recorded this platform's
    // heads as they are.
    const [recorded] = await db.sql.query<{ id: string; seq: string; digest: string }>(
      "SELECT id, seq::text AS seq, encode(digest, 'hex') AS digest FROM ledger_checkpoint WHERE id = $1",
      [proof.checkpoint!.id],
    );
    expect(proof.checkpoint).toMatchObject({ id: recorded!.id, sequence: recorded!.seq, digest: recorded!.digest });
    expect(Number(recorded!.seq)).toBeGreaterThanOrEqual(latestBefore);
    expect(Number(recorded!.seq)).toBeLessThanOrEqual(await latestSeq());
    if (written.written) expect(Number(recorded!.seq)).toBeGreaterThanOrEqual(Number(written.written.seq));

    expect(proof.checkpoint!.id).toMatch(/^lcp_/);
    expect(proof.checkpoint!.heads.map((head) => [head.kind, head.hash])).toEqual([
      ["AVAILABLE", available.hash],
      ["PENDING", pending.hash],
    ]);
  });

  it("answers a connected account that never moved money with empty chains", async () => {
    const proof = (await ok(LedgerProofDocument, { id: seller, currency: "USD" }, platform.key)).account!.ledgerProof;
    expect(proof.heads).toEqual(["AVAILABLE", "PENDING", "HELD"].map((kind) => ({ kind, hash: "0".repeat(64), appliedAt: null })));
    expect(proof.checkpoint?.heads ?? []).toEqual([]);
  });

  it("answers another platform's account NOT_FOUND, through the gateway and in the balances subgraph itself", async () => {
    expect(codes(await request(LedgerProofDocument, { id: platform.accountId, currency: "USD" }, { key: other.key }))).toEqual([
      "NOT_FOUND",
    ]);
    expect(codes(await request(LedgerProofDocument, { id: seller, currency: "USD" }, { key: other.key }))).toEqual(["NOT_FOUND"]);
    const deps = await testDeps();
    const otherPrincipal = { kind: "platform" as const, tenantId: other.accountId, livemode: false, keyId: "key_test" };
    try {
      await expect(ledgerProofOf(deps, otherPrincipal as never, seller, parseCurrency("USD")!)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    } finally {
      await deps.stop();
    }
  });

  it("refuses an unknown currency with BAD_USER_INPUT", async () => {
    expect(codes(await request(LedgerProofDocument, { id: platform.accountId, currency: "XYZ" }, { key: platform.key }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });
});
