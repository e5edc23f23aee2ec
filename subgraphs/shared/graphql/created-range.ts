import { Field, InputType } from "type-graphql";
import { DateTimeScalar } from "./scalars.ts";

@InputType("CreatedRange", {
  description:
    "Objects created in a range: at least one bound; the lower no later than the upper. Newest first still, and cursors stay within the range.",
})
export class CreatedRange {
  @Field(() => DateTimeScalar, { nullable: true, description: "Created at or after." })
  gte?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created after." })
  gt?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created at or before." })
  lte?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created before." })
  lt?: Date | null;
}
