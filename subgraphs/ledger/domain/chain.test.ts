import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, entryContent, entryHash, type ChainedEntryContent } from "./chain.ts";

const entry: ChainedEntryContent = {
  ledgerAccountId: "la_1",
  slot: 0,
  transactionId: "ltx_1",
  currency: "USD",
  amount: -500n,
  balanceAfter: 1_500n,
  createdAtMicros: 1_764_540_000_123_456n,
};

describe("ledger hash chain", () => {
  it("writes an entry's content as its fields joined by '|', an empty field for a null balance", () => {
    expect(entryContent(entry).toString("utf8")).toBe("la_1|0|ltx_1|USD|-500|1500|1764540000123456");
    expect(entryContent({ ...entry, slot: 7, balanceAfter: null }).toString("utf8")).toBe("la_1|7|ltx_1|USD|-500||1764540000123456");
  });

  it("hashes the previous hash followed by the content", () => {
    const expected = createHash("sha256").update(Buffer.concat([GENESIS_HASH, Buffer.from("la_1|0|ltx_1|USD|-500|1500|1764540000123456")]));
    expect(entryHash(GENESIS_HASH, entry).toString("hex")).toBe(expected.digest("hex"));
    expect(GENESIS_HASH).toEqual(Buffer.alloc(32));
  });

  it("changes with every field and with the previous hash", () => {
    const base = entryHash(GENESIS_HASH, entry).toString("hex");
    const variants: ChainedEntryContent[] = [
      { ...entry, ledgerAccountId: "la_2" },
      { ...entry, slot: 1 },
      { ...entry, transactionId: "ltx_2" },
      { ...entry, currency: "EUR" },
      { ...entry, amount: -501n },
      { ...entry, balanceAfter: 1_501n },
      { ...entry, balanceAfter: null },
      { ...entry, createdAtMicros: entry.createdAtMicros + 1n },
    ];
    for (const variant of variants) expect(entryHash(GENESIS_HASH, variant).toString("hex")).not.toBe(base);
    expect(entryHash(Buffer.alloc(32, 1), entry).toString("hex")).not.toBe(base);
  });
});
