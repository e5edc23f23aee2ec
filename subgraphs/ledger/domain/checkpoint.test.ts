import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_GENESIS, checkpointContent, checkpointDigest, type CheckpointHead } from "./checkpoint.ts";

const hashA = Buffer.alloc(32, 0xab);
const hashB = Buffer.alloc(32, 0x01);
const heads: CheckpointHead[] = [
  { ledgerAccountId: "la_b", slot: 3, entryId: 12n, hash: hashA },
  { ledgerAccountId: "la_B", slot: 0, entryId: 7n, hash: hashB },
  { ledgerAccountId: "la_b", slot: 1, entryId: 9n, hash: hashB },
];

describe("ledger checkpoint digest", () => {
  it("writes one line per head, sorted by account id as bytes (upper case first) and then by slot", () => {
    expect(checkpointContent(heads).toString("utf8")).toBe(
      [`la_B|0|7|${"01".repeat(32)}`, `la_b|1|9|${"01".repeat(32)}`, `la_b|3|12|${"ab".repeat(32)}`].map((line) => `${line}\n`).join(""),
    );
    // Slots compare as numbers, not text.
    const tenth = { ledgerAccountId: "la_x", slot: 10, entryId: 1n, hash: hashA };
    const second = { ...tenth, slot: 2 };
    expect(checkpointContent([tenth, second]).toString("utf8").split("\n")[0]).toMatch(/^la_x\|2\|/);
  });

  it("does not depend on the order heads are given in", () => {
    expect(checkpointDigest(CHECKPOINT_GENESIS, heads)).toEqual(checkpointDigest(CHECKPOINT_GENESIS, [...heads].reverse()));
  });

  it("hashes the previous digest followed by the text, from 32 zero bytes", () => {
    const expected = createHash("sha256").update(Buffer.alloc(32)).update(checkpointContent(heads)).digest();
    expect(checkpointDigest(CHECKPOINT_GENESIS, heads)).toEqual(expected);
    expect(CHECKPOINT_GENESIS).toEqual(Buffer.alloc(32));
  });

  it("changes with every field of every head, with the set of heads and with the previous digest", () => {
    const base = checkpointDigest(CHECKPOINT_GENESIS, heads).toString("hex");
    const variants: CheckpointHead[][] = [
      [{ ...heads[0]!, ledgerAccountId: "la_c" }, ...heads.slice(1)],
      [{ ...heads[0]!, slot: 4 }, ...heads.slice(1)],
      [{ ...heads[0]!, entryId: 13n }, ...heads.slice(1)],
      [{ ...heads[0]!, hash: hashB }, ...heads.slice(1)],
      heads.slice(1),
      [],
    ];
    for (const variant of variants) expect(checkpointDigest(CHECKPOINT_GENESIS, variant).toString("hex")).not.toBe(base);
    expect(checkpointDigest(Buffer.alloc(32, 1), heads).toString("hex")).not.toBe(base);
  });
});
