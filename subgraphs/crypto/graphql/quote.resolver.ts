import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { createdBounds } from "../../shared/created-range.ts";
import { CreatedRange } from "../../shared/graphql/created-range.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import type { QuoteStatus } from "../domain/conversion.ts";
import { accountConversions, accountQuotes } from "../service/read-crypto.ts";
import { idArgument } from "../../shared/errors.ts";
import { CurrencyScalar, MinorUnitsScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import { createCryptoQuote } from "../service/create-quote.ts";
import { executeCryptoQuote } from "../service/execute-quote.ts";
import { conversionLoader, mustLoad, quoteLoader } from "./loaders.ts";
import { CryptoConversion, CryptoConversionConnection, CryptoQuote, CryptoQuoteConnection, CryptoQuoteStatusEnum } from "./quote.type.ts";
import { CryptoAccount } from "./references.type.ts";

@InputType()
class CreateCryptoQuoteInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => CurrencyScalar)
  sourceCurrency!: Currency;

  @Field(() => CurrencyScalar)
  destinationCurrency!: Currency;

  @Field(() => MinorUnitsScalar, { description: "Minor units of the source currency, fee included." })
  sourceAmount!: bigint;
}

export async function resolveQuoteReference(reference: { id: string }, context: SubgraphContext): Promise<CryptoQuote | null> {
  const row = await quoteLoader(context).load(reference.id);
  return row ? CryptoQuote.from(row) : null;
}

export async function resolveConversionReference(reference: { id: string }, context: SubgraphContext): Promise<CryptoConversion | null> {
  const row = await conversionLoader(context).load(reference.id);
  return row ? CryptoConversion.from(row) : null;
}

@Resolver(() => CryptoQuote)
export class CryptoQuoteResolver {
  @Mutation(() => CryptoQuote, {
    description: "Prices a conversion to or from crypto; execute it with executeCryptoQuote before it expires.",
  })
  async createCryptoQuote(
    @Arg("input", () => CreateCryptoQuoteInput) input: CreateCryptoQuoteInput,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoQuote> {
    const accountId = idArgument("account", input.accountId, "account");
    return CryptoQuote.from(await createCryptoQuote(context.deps, platformOf(context), { ...input, accountId }));
  }

  @Query(() => CryptoQuote, { nullable: true })
  async cryptoQuote(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<CryptoQuote> {
    return CryptoQuote.from(await mustLoad(quoteLoader(context).load(id), "crypto quote", id));
  }

  @FieldResolver(() => CryptoConversion, { nullable: true, description: "Set once the quote was executed." })
  async conversion(@Root() quote: CryptoQuote, @Ctx() context: SubgraphContext): Promise<CryptoConversion | null> {
    if (!quote.conversionId) return null;
    const row = await conversionLoader(context).load(quote.conversionId);
    return row ? CryptoConversion.from(row) : null;
  }
}

@Resolver(() => CryptoConversion)
export class CryptoConversionResolver {
  @Mutation(() => CryptoConversion, { description: "Executes a quote once, at its terms: QUOTE_EXPIRED after expiresAt." })
  async executeCryptoQuote(
    @Arg("quoteId", () => ID) quoteId: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoConversion> {
    return CryptoConversion.from(await executeCryptoQuote(context.deps, platformOf(context), quoteId, idempotencyKey));
  }

  @Query(() => CryptoConversion, { nullable: true })
  async cryptoConversion(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<CryptoConversion> {
    return CryptoConversion.from(await mustLoad(conversionLoader(context).load(id), "crypto conversion", id));
  }

  @FieldResolver(() => CryptoQuote)
  async quote(@Root() conversion: CryptoConversion, @Ctx() context: SubgraphContext): Promise<CryptoQuote> {
    return CryptoQuote.from(await mustLoad(quoteLoader(context).load(conversion.quoteId), "crypto quote", conversion.quoteId));
  }
}

@ArgsType()
class CryptoQuotesArgs extends PageArgs {
  @Field(() => CryptoQuoteStatusEnum, { nullable: true, description: "As of the request: OPEN until expiresAt, then EXPIRED." })
  status?: QuoteStatus | null;

  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

@ArgsType()
class CryptoConversionsArgs extends PageArgs {
  @Field(() => CreatedRange, { nullable: true })
  created?: CreatedRange | null;
}

// Its own resolver class for CryptoAccount, beside CryptoAccountResolver.
@Resolver(() => CryptoAccount)
export class CryptoTradesAccountResolver {
  @FieldResolver(() => CryptoQuoteConnection, {
    description: "The account's quotes, newest first; optionally of one status, created in a range.",
  })
  async cryptoQuotes(
    @Root() account: CryptoAccount,
    @Args(() => CryptoQuotesArgs) args: CryptoQuotesArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoQuoteConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const page = pageRequest(args);
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    // One instant for the filter and for each quote's status, so the two agree.
    const now = new Date();
    const rows = await accountQuotes(context.deps, principal, account.id, page, { status: args.status ?? undefined, created, now });
    return toConnection(rows, page, (row) => CryptoQuote.from(row, now));
  }

  @FieldResolver(() => CryptoConversionConnection, {
    description: "The account's conversions, newest first; optionally created in a range.",
  })
  async cryptoConversions(
    @Root() account: CryptoAccount,
    @Args(() => CryptoConversionsArgs) args: CryptoConversionsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<CryptoConversionConnection> {
    const created = args.created ? createdBounds(args.created) : undefined;
    const page = pageRequest(args);
    const principal = readerOf(context);
    if (!principal) return emptyConnection();
    return toConnection(await accountConversions(context.deps, principal, account.id, page, created), page, CryptoConversion.from);
  }
}
