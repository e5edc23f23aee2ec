import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { insertPlatform as createPlatformWithKey } from "../subgraphs/accounts/service/create-platform.ts";
import { transferPosting } from "../subgraphs/balances/domain/postings.ts";
import { post } from "../subgraphs/balances/ledger/post.ts";
import { createTopup } from "../subgraphs/balances/service/create-topup.ts";
import type { PlatformPrincipal } from "../subgraphs/shared/auth/principal.ts";
import { loadConfig } from "../subgraphs/shared/config.ts";
import { createDependencies, type Dependencies } from "../subgraphs/shared/context.ts";
import { newId } from "../subgraphs/shared/ids.ts";
import { createLogger } from "../subgraphs/shared/logger.ts";
import { parseCurrency } from "../subgraphs/shared/money/currency.ts";
import { freshDatabase, load } from "./support.ts";

const USD = parseCurrency("USD")!;
const seconds = Number(process.env["BENCH_SECONDS"] ?? 5);
async function setup(deps: Dependencies, platforms: number, perPlatform: number) {
  const result: { principal: PlatformPrincipal; connected: string[] }[] = [];
  for (let p = 0; p < platforms; p++) {
    const { account } = await createPlatformWithKey(deps, { displayName: `Bench ${p}`, country: "US", defaultCurrency: "USD" });
    const principal: PlatformPrincipal = { kind: "platform", tenantId: account.id, livemode: false, keyId: "bench" };
    const connected = Array.from({ length: perPlatform }, () => newId("account"));
    await deps.db.prisma.account.createMany({ data: connected.map((id) => ({ id, tenantId: account.id, platformId: account.id, livemode: false, type: "CONNECTED" as const, displayName: `S`, country: "US", defaultCurrency: "USD", status: "ACTIVE" as const, payoutsEnabled: true })) });
    await createTopup(deps, principal, { accountId: account.id, amount: 10n ** 13n, currency: USD }, randomUUID());
    result.push({ principal, connected });
  }
  return result;
}
const pick = <T,>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const bench = await freshDatabase(process.env["DATABASE_URL"]!, 40);
const deps = createDependencies(bench.db, loadConfig({ SETTLEMENT_DELAY_MS: "0", LOG_LEVEL: "warn" }, { allowGeneratedSecret: true }), createLogger("warn", "bench"));
try {
  const spread = await setup(deps, 100, 10);
  const hot = await setup(deps, 1, 1000);
  const run = async (label: string, platforms: typeof spread) => {
    const r = await load(32, seconds, async () => {
      const platform = pick(platforms);
      await post(deps.db.sql, platform.principal, [transferPosting({ ledgerTransactionId: newId("ledgerTransaction"), transferId: newId("transfer"), platformId: platform.principal.tenantId, destinationAccountId: pick(platform.connected), amount: 1n, currency: USD, sourceBalanceTransactionId: newId("balanceTransaction"), destinationBalanceTransactionId: newId("balanceTransaction"), at: new Date() })]);
    });
    console.log(label, r.perSecond, r.p50ms, r.p99ms, JSON.stringify(r.errors));
  };
  for (const variant of (process.env["VARIANTS"] ?? "current").split(",")) {
    if (variant !== "current") await bench.db.sql.query(readFileSync(variant, "utf8"));
    await run(`${variant} spread`, spread);
    await run(`${variant} hot`, hot);
  }
} finally { await bench.drop(); }
