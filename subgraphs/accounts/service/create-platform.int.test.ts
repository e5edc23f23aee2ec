import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDatabase } from "../../../test/support/database.ts";
import { testConfig } from "../../../test/support/platform.ts";
import type { Config } from "../../shared/config.ts";
import { createDependencies } from "../../dependencies.ts";
import { DecryptionError } from "../../shared/encryption/keyring.ts";
import { createLogger } from "../../shared/logger.ts";
import { createPlatform } from "./create-platform.ts";

const OPERATOR = { kind: "operator" } as const;
const key = (id: string) => ({ id, key: randomBytes(32) });
const input = () => ({ displayName: `Sealed ${randomBytes(4).toString("hex")}`, country: "US", defaultCurrency: "USD" });

function withKeys(config: Config, keys: ReturnType<typeof key>[]): Config {
  return { ...config, encryption: { keys, fingerprintKey: randomBytes(32), usesDevelopmentDefault: false } };
}

async function depsWith(keys: ReturnType<typeof key>[]) {
  return createDependencies(await testDatabase(), withKeys(testConfig(), keys), createLogger("silent", "test"));
}

describe("createPlatform's sealed idempotency record", () => {
  it("keeps the secrets under the current key, and replays them after a rotation while the old key is listed", async () => {
    const [oldKey, newKey] = [key("old"), key("new")];
    const before = await depsWith([oldKey]);
    const request = input();
    const idempotencyKey = `rotate-${randomBytes(6).toString("hex")}`;
    const first = await createPlatform(before, OPERATOR, request, idempotencyKey);
    const record = await before.db.prisma.idempotencyKey.findUniqueOrThrow({
      where: { scope_key: { scope: "operator", key: idempotencyKey } },
    });
    expect(record.response).toMatchObject({ accountId: first.account.id, keyId: "old" });

    const rotated = await depsWith([newKey, oldKey]);
    const replay = await createPlatform(rotated, OPERATOR, request, idempotencyKey);
    expect(replay).toEqual(first);
    const next = `rotate-${randomBytes(6).toString("hex")}`;
    await createPlatform(rotated, OPERATOR, input(), next);
    const sealedNew = await rotated.db.prisma.idempotencyKey.findUniqueOrThrow({ where: { scope_key: { scope: "operator", key: next } } });
    expect(sealedNew.response).toMatchObject({ keyId: "new" });
  });

  it("does not open a sealed record copied under another idempotency key", async () => {
    const deps = await depsWith([key("k")]);
    const request = input();
    const original = `orig-${randomBytes(6).toString("hex")}`;
    await createPlatform(deps, OPERATOR, request, original);
    const record = await deps.db.prisma.idempotencyKey.findUniqueOrThrow({ where: { scope_key: { scope: "operator", key: original } } });
    const copy = `copy-${randomBytes(6).toString("hex")}`;
    await deps.db.prisma.idempotencyKey.create({
      data: { ...record, key: copy, response: record.response ?? {}, claimToken: randomBytes(12).toString("hex") },
    });
    await expect(createPlatform(deps, OPERATOR, request, copy)).rejects.toBeInstanceOf(DecryptionError);
  });

  it("checks the input before it claims the key: a corrected retry with the same key creates the platform", async () => {
    const deps = await depsWith([key("k")]);
    const idempotencyKey = `fix-${randomBytes(6).toString("hex")}`;
    await expect(createPlatform(deps, OPERATOR, { ...input(), country: "XX" }, idempotencyKey)).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    const created = await createPlatform(deps, OPERATOR, input(), idempotencyKey);
    expect(created.account.id).toMatch(/^acct_/);
  });
});
