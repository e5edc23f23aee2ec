// Helpers for the crypto subgraph's integration and end-to-end tests: what a tenant's crypto
// operations have written, so a refusal can be shown to have written nothing.

import type { Database } from "../shared/db/database.ts";

export interface Footprint {
  readonly wallets: number;
  readonly quotes: number;
  readonly conversions: number;
  readonly withdrawals: number;
  readonly deposits: number;
  readonly ledgerTransactions: number;
  readonly balanceTransactions: number;
  readonly balanceEvents: number;
  readonly idempotencyKeys: number;
}

export async function cryptoFootprint(db: Database, tenantId: string): Promise<Footprint> {
  const where = { tenantId };
  const [wallets, quotes, conversions, withdrawals, deposits, ledgerTransactions, balanceTransactions, balanceEvents, idempotencyKeys] =
    await Promise.all([
      db.prisma.cryptoWallet.count({ where }),
      db.prisma.cryptoQuote.count({ where }),
      db.prisma.cryptoConversion.count({ where }),
      db.prisma.cryptoWithdrawal.count({ where }),
      db.prisma.cryptoDeposit.count({ where }),
      db.prisma.ledgerTransaction.count({ where }),
      db.prisma.balanceTransaction.count({ where }),
      db.prisma.balanceEvent.count({ where }),
      db.prisma.idempotencyKey.count({ where: { scope: { startsWith: `${tenantId}:` } } }),
    ]);
  return { wallets, quotes, conversions, withdrawals, deposits, ledgerTransactions, balanceTransactions, balanceEvents, idempotencyKeys };
}
