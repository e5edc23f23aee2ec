import { ArgsType, Field, Int } from "type-graphql";

/** Relay's connection arguments: `first`/`after` down a newest-first list, `last`/`before` up it. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "1..100, default 20: the newest items of the window. Not with `last`." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "The endCursor of the previous page: only items older than it." })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "1..100: the oldest items of the window, for paging back up. Not with `first`." })
  last?: number | null;

  @Field(() => String, { nullable: true, description: "The startCursor of the page below: only items newer than it." })
  before?: string | null;
}
