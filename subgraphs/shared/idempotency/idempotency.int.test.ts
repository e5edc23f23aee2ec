import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import { newId } from "../ids.ts";
import type { SqlClient } from "../db/database.ts";
import { Idempotency, type ResultCodec } from "./idempotency.ts";

/** The operation under test writes a real row, so rollbacks are visible. */
async function createMarker(sql: SqlClient, marker: string): Promise<string> {
  const id = newId("account");
  await sql.query(
    `INSERT INTO account (id, tenant_id, type, display_name, country, default_currency, status) VALUES ($1, $1, 'PLATFORM', $2, 'US', 'USD', 'ACTIVE')`,
    [id, marker],
  );
  return id;
}

const codec: ResultCodec<string> = {
  toJson: (id) => ({ id }),
  fromJson: async (json) => json["id"] as string,
};

async function markers(marker: string): Promise<number> {
  const db = await testDatabase();
  return db.prisma.account.count({ where: { displayName: marker } });
}

const scope = () => `acct_${randomBytes(6).toString("hex")}:test`;

describe("idempotency", () => {
  it("runs once and replays the first result for the same parameters", async () => {
    const db = await testDatabase();
    const idempotency = new Idempotency(db);
    const marker = `m-${randomBytes(4).toString("hex")}`;
    const request = { scope: scope(), key: "k1", operation: "createThing", params: { amount: 100n, currency: "USD" } };
    let executions = 0;
    const run = () => idempotency.run(request, codec, (tx) => (executions++, createMarker(tx, marker)));
    const first = await run();
    const second = await run();
    expect(second).toBe(first);
    expect(executions).toBe(1);
    expect(await markers(marker)).toBe(1);
  });

  it("refuses the same key with other parameters or for another operation", async () => {
    const db = await testDatabase();
    const idempotency = new Idempotency(db);
    const s = scope();
    await idempotency.run({ scope: s, key: "k", operation: "op", params: { amount: 1n } }, codec, (tx) => createMarker(tx, "x"));
    await expect(
      idempotency.run({ scope: s, key: "k", operation: "op", params: { amount: 2n } }, codec, (tx) => createMarker(tx, "x")),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    await expect(
      idempotency.run({ scope: s, key: "k", operation: "other", params: { amount: 1n } }, codec, (tx) => createMarker(tx, "x")),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("keeps keys of different callers apart", async () => {
    const db = await testDatabase();
    const idempotency = new Idempotency(db);
    const a = await idempotency.run({ scope: scope(), key: "same", operation: "op", params: {} }, codec, (tx) => createMarker(tx, "a"));
    const b = await idempotency.run({ scope: scope(), key: "same", operation: "op", params: {} }, codec, (tx) => createMarker(tx, "b"));
    expect(a).not.toBe(b);
  });

  it("never executes concurrent duplicates twice", async () => {
    const db = await testDatabase();
    const idempotency = new Idempotency(db, { waitMs: 5_000 });
    const marker = `c-${randomBytes(4).toString("hex")}`;
    const request = { scope: scope(), key: "concurrent", operation: "op", params: { n: 1 } };
    let executions = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        idempotency.run(request, codec, async (tx) => {
          executions++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return createMarker(tx, marker);
        }),
      ),
    );
    expect(executions).toBe(1);
    expect(await markers(marker)).toBe(1);
    const ids = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<string>).value);
    expect(new Set(ids).size).toBe(1);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE" });
    }
  });

  it("answers IDEMPOTENCY_KEY_IN_USE when the first request outlasts the wait", async () => {
    const db = await testDatabase();
    const patient = new Idempotency(db);
    const impatient = new Idempotency(db, { waitMs: 0 });
    const request = { scope: scope(), key: "slow", operation: "op", params: {} };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = patient.run(request, codec, async (tx) => {
      await gate;
      return createMarker(tx, "slow");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // On PGlite the duplicate's lookup waits for the open transaction, so let it go after a beat.
    setTimeout(release, 100);
    const duplicate = impatient.run(request, codec, (tx) => createMarker(tx, "never"));
    const [first, second] = await Promise.allSettled([slow, duplicate]);
    expect(first.status).toBe("fulfilled");
    if (second.status === "rejected") expect(second.reason).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE" });
    else expect(second.value).toBe((first as PromiseFulfilledResult<string>).value);
    expect(await markers("never")).toBe(0);
  });

  it("releases the key when the operation fails, and changes nothing", async () => {
    const db = await testDatabase();
    const idempotency = new Idempotency(db);
    const marker = `f-${randomBytes(4).toString("hex")}`;
    const request = { scope: scope(), key: "fails-once", operation: "op", params: {} };
    await expect(
      idempotency.run(request, codec, async (tx) => {
        await createMarker(tx, marker);
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(await markers(marker)).toBe(0);
    const id = await idempotency.run(request, codec, (tx) => createMarker(tx, marker));
    expect(id).toMatch(/^acct_/);
    expect(await markers(marker)).toBe(1);
  });

  it("lets a retry take over a claim whose worker died, and only one execution commits", async () => {
    const db = await testDatabase();
    const marker = `t-${randomBytes(4).toString("hex")}`;
    const request = { scope: scope(), key: "takeover", operation: "op", params: {} };
    // The first worker's clock runs a minute behind, so every lease it takes or renews has already
    // run out, as a dead worker's would (a live one renews its lease every third of it, which
    // with a lease of a few ms kept the claim alive on a busy machine and the retry was refused):
    // by the time it tries to complete, it has been taken over.
    const dying = new Idempotency(db, { now: () => new Date(Date.now() - 60_000) });
    const survivor = new Idempotency(db, { waitMs: 0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = dying.run(request, codec, async (tx) => {
      await gate;
      return createMarker(tx, marker);
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (db.kind === "pglite") {
      // One connection: the takeover cannot run while the first transaction is open.
      release();
      await first.catch(() => undefined);
    }
    const second = await survivor.run(request, codec, (tx) => createMarker(tx, marker));
    release();
    const firstResult = await first.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    expect(await markers(marker)).toBe(1);
    if (firstResult.ok) expect(firstResult.value).toBe(second);
    else expect(firstResult.error).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE" });
  });

  it("forgets keys after 24 hours", async () => {
    const db = await testDatabase();
    // In the past: purging as of "now + 49 h" must not reach the live keys of tests running
    // concurrently on the same Postgres database (theirs expire a day from the real now).
    let now = new Date("2000-01-01T00:00:00Z");
    const idempotency = new Idempotency(db, { now: () => now });
    const request = { scope: scope(), key: "daily", operation: "op", params: {} };
    const first = await idempotency.run(request, codec, (tx) => createMarker(tx, "d"));
    now = new Date(now.getTime() + 24 * 60 * 60 * 1000 + 1);
    const second = await idempotency.run(request, codec, (tx) => createMarker(tx, "d"));
    expect(second).not.toBe(first);
    now = new Date(now.getTime() + 25 * 60 * 60 * 1000);
    expect(await idempotency.purgeExpired()).toBeGreaterThanOrEqual(1);
  });

  it.each(["", "k".repeat(256)])("refuses a key of length %#", async (key) => {
    const db = await testDatabase();
    await expect(
      new Idempotency(db).run({ scope: scope(), key, operation: "op", params: {} }, codec, (tx) => createMarker(tx, "z")),
    ).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });
});
