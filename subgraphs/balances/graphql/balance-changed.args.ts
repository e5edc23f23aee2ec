import { ArgsType, Directive, Field, ID } from "type-graphql";

@ArgsType()
export class BalanceChangedArgs {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID, { nullable: true, description: "An event id of this account: resume after it." })
  after?: string | null;

  @Directive("@inaccessible")
  @Field(() => Boolean, {
    nullable: true,
    description: "Gateway only: resume a stream that had no position yet, from the account's first event.",
  })
  fromStart?: boolean | null;
}
