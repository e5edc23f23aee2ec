import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../../shared/graphql/scalars.ts";
import { keyStatus, type ApiKeyStatus } from "../domain/api-key.ts";
import type { ApiKeyRecord } from "../service/api-key-records.ts";

export const ApiKeyStatusEnum = {
  ACTIVE: "ACTIVE",
  EXPIRING: "EXPIRING",
  EXPIRED: "EXPIRED",
  REVOKED: "REVOKED",
} as const satisfies Record<ApiKeyStatus, ApiKeyStatus>;
registerEnumType(ApiKeyStatusEnum, {
  name: "ApiKeyStatus",
  valuesConfig: {
    ACTIVE: { description: "Works." },
    EXPIRING: { description: "Rolled: works until expiresAt." },
    EXPIRED: { description: "Rolled, and its grace period is over." },
    REVOKED: { description: "Revoked." },
  },
});

@ObjectType("ApiKey", { description: "A platform's secret key. The secret itself is shown once, when the key is created or rolled." })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Boolean)
  livemode!: boolean;

  @Field(() => String, { description: 'The prefix and last four characters, e.g. "sk_test_…a1B2".' })
  redactedSecret!: string;

  @Field(() => ApiKeyStatusEnum)
  status!: ApiKeyStatus;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "Last authenticated request (updated at most once a minute)." })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Set when the key is rolled: when it stops working." })
  expiresAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;

  static from(row: ApiKeyRecord, now = new Date()): ApiKey {
    return Object.assign(new ApiKey(), {
      id: row.id,
      name: row.name,
      livemode: row.livemode,
      redactedSecret: row.redacted,
      status: keyStatus(row, now),
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
    });
  }
}
