import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { platformOf, type SubgraphContext } from "../../shared/context.ts";
import { CurrencyScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { ledgerProofOf } from "../service/ledger-proof.ts";
import { BalancesAccount } from "./account.type.ts";
import { LedgerProof } from "./ledger-proof.type.ts";

@Resolver(() => BalancesAccount)
export class LedgerProofResolver {
  @FieldResolver(() => LedgerProof, {
    description:
      "The account's hash chain heads in one currency and the latest checkpoint: a receipt of its history that a partner can keep and check later.",
  })
  async ledgerProof(
    @Root() account: BalancesAccount,
    @Arg("currency", () => CurrencyScalar) currency: Currency,
    @Ctx() context: SubgraphContext,
  ): Promise<LedgerProof> {
    return LedgerProof.from(await ledgerProofOf(context.deps, platformOf(context), account.id, currency));
  }
}
