import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { CurrencyScalar, DateTimeScalar } from "../../shared/graphql/scalars.ts";
import type { Currency } from "../../shared/money/currency.ts";
import type { ChainHead, CustomerKind, LedgerProof as LedgerProofRecord } from "../../ledger/api.ts";

export const LedgerBalanceKindEnum = { AVAILABLE: "AVAILABLE", PENDING: "PENDING", HELD: "HELD" } as const satisfies Record<
  CustomerKind,
  CustomerKind
>;
registerEnumType(LedgerBalanceKindEnum, { name: "LedgerBalanceKind", description: "A customer balance: each has its own hash chain." });

@ObjectType("LedgerChainHead", { description: "The latest entry of one balance's hash chain." })
export class LedgerChainHead {
  @Field(() => LedgerBalanceKindEnum)
  kind!: CustomerKind;

  @Field(() => String, { description: "The head entry's hash, sha256 as lowercase hex; 64 zeros while the balance has no entry." })
  hash!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the head entry was applied; null while the balance has no entry." })
  appliedAt!: Date | null;

  static from(head: ChainHead): LedgerChainHead {
    return Object.assign(new LedgerChainHead(), { kind: head.kind, hash: head.hash.toString("hex"), appliedAt: head.appliedAt });
  }
}

@ObjectType("LedgerCheckpoint", {
  description: "A checkpoint of every chain head of the ledger, its digest chained to the previous checkpoint's.",
})
export class LedgerCheckpoint {
  @Field(() => ID, { description: "lcp_…" })
  id!: string;

  @Field(() => String, { description: "Its number: checkpoints are numbered 1, 2, 3, … in the order their digests chain." })
  sequence!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => String, { description: "sha256(previous checkpoint's digest || its heads' canonical text), lowercase hex." })
  digest!: string;

  @Field(() => [LedgerChainHead], {
    description: "This account's heads as recorded at or before this checkpoint (balances never recorded are absent).",
  })
  heads!: LedgerChainHead[];
}

@ObjectType("LedgerProof", {
  description:
    "What a partner keeps as a receipt of an account's history in one currency (docs/ledger.md, 'A history no one can rewrite unnoticed').",
})
export class LedgerProof {
  @Field(() => CurrencyScalar)
  currency!: Currency;

  @Field(() => [LedgerChainHead], { description: "AVAILABLE, PENDING and HELD: each balance's chain head now." })
  heads!: LedgerChainHead[];

  @Field(() => LedgerCheckpoint, { nullable: true, description: "The latest checkpoint; null before the first." })
  checkpoint!: LedgerCheckpoint | null;

  static from(proof: LedgerProofRecord): LedgerProof {
    const checkpoint = proof.checkpoint;
    return Object.assign(new LedgerProof(), {
      currency: proof.currency,
      heads: proof.heads.map(LedgerChainHead.from),
      checkpoint:
        checkpoint &&
        Object.assign(new LedgerCheckpoint(), {
          id: checkpoint.id,
          sequence: checkpoint.seq.toString(),
          createdAt: checkpoint.createdAt,
          digest: checkpoint.digest.toString("hex"),
          heads: checkpoint.heads.map(LedgerChainHead.from),
        }),
    });
  }
}
