// The gateway's key check. @inaccessible: part of the supergraph, never of the client API, and
// only the gateway's own principal may call it.

import { Arg, Ctx, Directive, Field, ObjectType, Query, Resolver } from "type-graphql";
import type { SubgraphContext } from "../../shared/context.ts";
import { AppError } from "../../shared/errors.ts";
import { authenticateSecret } from "../service/authenticate.ts";

@Directive("@inaccessible")
@ObjectType("ResolvedPrincipal")
export class ResolvedPrincipal {
  @Field(() => String)
  tenantId!: string;

  @Field(() => Boolean)
  livemode!: boolean;

  @Field(() => String)
  keyId!: string;
}

@Resolver()
export class AuthenticationResolver {
  @Directive("@inaccessible")
  @Query(() => ResolvedPrincipal, { nullable: true })
  async _authenticate(@Arg("secret", () => String) secret: string, @Ctx() context: SubgraphContext): Promise<ResolvedPrincipal | null> {
    if (context.principal.kind !== "gateway") throw new AppError("FORBIDDEN", "Not available");
    const principal = await authenticateSecret(context.deps, secret);
    return principal && Object.assign(new ResolvedPrincipal(), principal);
  }
}
