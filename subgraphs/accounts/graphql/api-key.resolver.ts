import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Resolver, Root } from "type-graphql";
import { platformOf, readerOf, type SubgraphContext } from "../../shared/context.ts";
import { listApiKeys } from "../service/api-key-records.ts";
import { createApiKey } from "../service/create-api-key.ts";
import { revokeApiKey } from "../service/revoke-api-key.ts";
import { rollApiKey } from "../service/roll-api-key.ts";
import { Account } from "./account.type.ts";
import { ApiKey } from "./api-key.type.ts";

@InputType()
class CreateApiKeyInput {
  @Field(() => String, { nullable: true, description: 'A label, e.g. "billing service".' })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Defaults to the mode of the calling key. Only a live key may create live keys." })
  livemode?: boolean | null;
}

@ObjectType()
class CreateApiKeyPayload {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => String, {
    nullable: true,
    description: "The secret: shown in this response only. Null when an idempotent replay answers (store it the first time).",
  })
  secret!: string | null;
}

@ObjectType()
class RollApiKeyPayload extends CreateApiKeyPayload {
  @Field(() => ApiKey, { description: "The rolled key: EXPIRING until its grace period ends (or already EXPIRED with no grace period)." })
  previousKey!: ApiKey;
}

@ArgsType()
class CreateApiKeyArgs {
  @Field(() => CreateApiKeyInput, { nullable: true })
  input?: CreateApiKeyInput | null;

  @Field(() => String, { description: "1..255 characters, scoped to the caller; a replay returns the key (without its secret)." })
  idempotencyKey!: string;
}

@ArgsType()
class RollApiKeyArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true, description: "How long the old key keeps working: 0..168 hours, default 24. 0 stops it at once." })
  gracePeriodHours?: number | null;

  @Field(() => String, { description: "1..255 characters, scoped to the caller; a replay returns the new key (without its secret)." })
  idempotencyKey!: string;
}

@Resolver(() => Account)
export class AccountApiKeysResolver {
  @FieldResolver(() => [ApiKey], {
    description:
      "The platform's secret keys (on the viewer; empty on connected accounts), newest first. A test key sees test keys; a live key sees both.",
  })
  async apiKeys(
    @Root() account: Account,
    @Arg("includeInactive", () => Boolean, { defaultValue: false, description: "Also revoked and expired keys." }) includeInactive: boolean,
    @Ctx() context: SubgraphContext,
  ): Promise<ApiKey[]> {
    const principal = readerOf(context);
    if (!principal || account.id !== principal.tenantId) return [];
    const now = new Date();
    return (await listApiKeys(context.deps, principal, includeInactive, now)).map((key) => ApiKey.from(key, now));
  }
}

@Resolver()
export class ApiKeyResolver {
  @Mutation(() => CreateApiKeyPayload, { description: "Another secret key for the platform." })
  async createApiKey(
    @Args(() => CreateApiKeyArgs) { input, idempotencyKey }: CreateApiKeyArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<CreateApiKeyPayload> {
    const issued = await createApiKey(context.deps, platformOf(context), input ?? {}, idempotencyKey);
    return Object.assign(new CreateApiKeyPayload(), { apiKey: ApiKey.from(issued.key), secret: issued.secret });
  }

  @Mutation(() => RollApiKeyPayload, {
    description: "Replaces a key with a new secret; the old one keeps working for gracePeriodHours (0..168, default 24), then stops.",
  })
  async rollApiKey(
    @Args(() => RollApiKeyArgs) { id, gracePeriodHours, idempotencyKey }: RollApiKeyArgs,
    @Ctx() context: SubgraphContext,
  ): Promise<RollApiKeyPayload> {
    const rolled = await rollApiKey(context.deps, platformOf(context), id, gracePeriodHours, idempotencyKey);
    return Object.assign(new RollApiKeyPayload(), {
      apiKey: ApiKey.from(rolled.key),
      secret: rolled.secret,
      previousKey: ApiKey.from(rolled.previous),
    });
  }

  @Mutation(() => ApiKey, {
    description:
      "Stops a key at once (within the gateway's key cache, AUTH_CACHE_TTL_MS, default 5 s). The last working key of a mode cannot be revoked: roll it.",
  })
  async revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() context: SubgraphContext): Promise<ApiKey> {
    return ApiKey.from(await revokeApiKey(context.deps, platformOf(context), id));
  }
}
