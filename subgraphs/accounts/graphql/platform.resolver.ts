import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from "type-graphql";
import type { SubgraphContext } from "../../shared/context.ts";
import { CurrencyScalar } from "../../shared/graphql/scalars.ts";
import { createPlatform } from "../service/create-platform.ts";
import { Account } from "./account.type.ts";

@InputType()
class CreatePlatformInput {
  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: "ISO 3166-1 alpha-2." })
  country!: string;

  @Field(() => CurrencyScalar)
  defaultCurrency!: string;
}

@ObjectType()
class CreatePlatformPayload {
  @Field(() => Account, {
    description:
      "The new platform. The operator key reads its own facts; the platform's data (API keys, bank accounts, connected accounts, balances, payouts, wallets) answers empty.",
  })
  account!: Account;

  @Field(() => String, {
    description:
      "The platform's first test-mode secret key. Shown once (and to replays of the idempotency key, for 24 hours); store it now.",
  })
  secretKey!: string;

  @Field(() => String, { description: "The platform's first live-mode secret key. Shown like secretKey; store it now." })
  liveSecretKey!: string;
}

@Resolver()
export class PlatformResolver {
  @Mutation(() => CreatePlatformPayload, { description: "Operator key only." })
  async createPlatform(
    @Arg("input", () => CreatePlatformInput) input: CreatePlatformInput,
    @Arg("idempotencyKey", () => String, {
      nullable: true,
      description:
        "1..255 characters, the operator's own; a replay within 24 hours returns the same platform and the same secret keys. Without one, every call creates a platform.",
    })
    idempotencyKey: string | null | undefined,
    @Ctx() context: SubgraphContext,
  ): Promise<CreatePlatformPayload> {
    const created = await createPlatform(context.deps, context.principal, input, idempotencyKey);
    return Object.assign(new CreatePlatformPayload(), {
      account: Account.from(created.account),
      secretKey: created.secretKey,
      liveSecretKey: created.liveSecretKey,
    });
  }
}
