import { ArgsType, Directive, Field, ID } from "type-graphql";

@ArgsType()
export class BalanceChangedArgs {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID, { nullable: true, description: "An event id of this account: resume after it." })
  after?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "First the account's balances where the stream starts (now, or `after`): each currency's newest event, with its id; then every later change. " +
      "A live view reads and follows its balances in this one subscription, with nothing missed in between.",
  })
  current?: boolean | null;

  @Directive("@inaccessible")
  @Field(() => Boolean, {
    nullable: true,
    description: "Gateway only: resume a stream that had no position yet, from the account's first event.",
  })
  fromStart?: boolean | null;
}
