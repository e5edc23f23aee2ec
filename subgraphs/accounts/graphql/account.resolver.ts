import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { badInput, notFound } from "../../shared/errors.ts";
import { PageArgs } from "../../shared/graphql/page-args.ts";
import { emptyConnection, pageRequest, toConnection } from "../../shared/graphql/pagination.ts";
import type { AccountStatus } from "../domain/account.ts";
import { countConnectedAccounts, listConnectedAccounts } from "../service/account-records.ts";
import { accountLoader } from "./account.loader.ts";
import { Account, AccountConnection, AccountStatusEnum } from "./account.type.ts";

@ArgsType()
class ConnectedAccountsArgs extends PageArgs {
  @Field(() => AccountStatusEnum, { nullable: true, description: "Only accounts in this status." })
  status?: AccountStatus | null;

  @Field(() => String, {
    nullable: true,
    description: "Only accounts whose id is this, or whose display name or email contains it (case-insensitive); 1..100 characters.",
  })
  search?: string | null;
}

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => Account, { description: "The platform that owns the API key." })
  async viewer(@Ctx() context: SubgraphContext): Promise<Account> {
    const principal = platformOf(context);
    const row = await accountLoader(context).load(principal.tenantId);
    if (!row) throw notFound("account", principal.tenantId);
    return Account.from(row);
  }

  @Query(() => Account, { nullable: true, description: "The platform itself or one of its connected accounts (of the key's mode)." })
  async account(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<Account> {
    const row = await accountLoader(context).load(id);
    if (!row) throw notFound("account", id);
    return Account.from(row);
  }

  @FieldResolver(() => Boolean, { description: "False for test-mode objects. The platform answers in the mode of the key." })
  livemode(@Root() account: Account, @Ctx() context: SubgraphContext): boolean {
    // The operator (createPlatform's payload) sees the platform's row: test mode, like its secretKey.
    return account.type === "PLATFORM" ? (readerOf(context)?.livemode ?? account.livemode) : account.livemode;
  }

  @FieldResolver(() => Account, { nullable: true, description: "The platform, on a connected account." })
  async platform(@Root() account: Account, @Ctx() context: SubgraphContext): Promise<Account | null> {
    if (!account.platformId || !readerOf(context)) return null;
    const row = await accountLoader(context).load(account.platformId);
    return row ? Account.from(row) : null;
  }

  @FieldResolver(() => AccountConnection, { description: "A platform's connected accounts of the key's mode, newest first." })
  async connectedAccounts(
    @Root() account: Account,
    @Args(() => ConnectedAccountsArgs) args: ConnectedAccountsArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<AccountConnection> {
    const reader = readerOf(context);
    if (!reader) return Object.assign(emptyConnection<Account>(), { count: async () => 0 });
    const page = pageRequest(args);
    const search = args.search == null ? undefined : args.search.trim();
    if (search !== undefined && (search.length < 1 || search.length > 100)) throw badInput("search must be 1 to 100 characters", "search");
    const filter = { status: args.status ?? undefined, search };
    const rows = await listConnectedAccounts(context.deps, reader, account.id, page, filter);
    return Object.assign(toConnection(rows, page, Account.from), {
      count: () => countConnectedAccounts(context.deps, reader, account.id, filter),
    });
  }
}

@Resolver(() => AccountConnection)
export class AccountConnectionResolver {
  @FieldResolver(() => Int, {
    description:
      "How many connected accounts match the filters, on every page: one count over the platform's accounts, run only when asked for (its cost grows with the platform's size).",
  })
  totalCount(@Root() connection: AccountConnection): Promise<number> {
    return connection.count();
  }
}
