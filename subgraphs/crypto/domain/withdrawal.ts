// Withdrawals: what may be sent, and the lifecycle PENDING -> BROADCAST -> CONFIRMED | FAILED
// (the shared lifecycle helper, shared/lifecycle/state-machine.ts, as payouts' is). The worker
// can only write a step this module produced (WithdrawalStep), and it writes it conditionally
// on the step's `from` status, so an illegal transition cannot be stored; the database refuses
// one too (trigger crypto_withdrawal_guard, migration crypto_withdrawal_lifecycle).

import type { Currency } from "../../shared/money/currency.ts";
import { formatDecimal, maxOperationAmount, operationAmount } from "../../shared/money/money.ts";
import { stateMachine } from "../../shared/lifecycle/state-machine.ts";
import { findAssetNetwork, type Network } from "./assets.ts";
import { chainOutcome, simulatedTransactionHash } from "./chain.ts";
import { validateAddress, type ValidAddress } from "./address/index.ts";
import { isRefusal, refuse, type Refusal } from "../../shared/refusal.ts";

export type WithdrawalStatus = "PENDING" | "BROADCAST" | "CONFIRMED" | "FAILED";

export const withdrawalLifecycle = stateMachine<WithdrawalStatus>("crypto withdrawal", {
  PENDING: ["BROADCAST"],
  BROADCAST: ["CONFIRMED", "FAILED"],
  CONFIRMED: [],
  FAILED: [],
});

export const WITHDRAWAL_STATUSES: readonly WithdrawalStatus[] = withdrawalLifecycle.statuses;
export const { canTransition, isFinal } = withdrawalLifecycle;

/** What the crypto subgraph needs to know about the wallet's account. */
export interface AccountState {
  readonly status: "PENDING_VERIFICATION" | "ACTIVE" | "RESTRICTED" | "CLOSED";
  readonly payoutsEnabled: boolean;
}

export interface WalletFacts {
  readonly asset: Currency;
  readonly network: Network;
  readonly address: string;
}

export interface WithdrawalTerms {
  readonly amount: bigint;
  readonly networkFee: bigint;
  /** amount + networkFee: what leaves the balance. */
  readonly total: bigint;
  readonly destination: ValidAddress;
}

export function checkWithdrawal(
  input: { readonly amount: bigint; readonly address: string },
  wallet: WalletFacts,
  account: AccountState,
  livemode: boolean,
): WithdrawalTerms | Refusal {
  const money = operationAmount(input.amount, wallet.asset);
  if (money === "NOT_POSITIVE") return refuse("BAD_USER_INPUT", "amount must be greater than zero", "input.amount");
  if (money === "TOO_LARGE") {
    return refuse(
      "BAD_USER_INPUT",
      `amount must be at most ${formatDecimal(maxOperationAmount(wallet.asset), wallet.asset)} ${wallet.asset}`,
      "input.amount",
    );
  }
  const destination = validateAddress(wallet.network, input.address, livemode);
  if (isRefusal(destination)) return destination;
  if (destination.address === wallet.address)
    return refuse("BAD_USER_INPUT", "A wallet cannot withdraw to its own deposit address", "input.address");
  if (account.status === "CLOSED") return refuse("INVALID_STATE", "The account is closed");
  if (!account.payoutsEnabled)
    return refuse("PAYOUTS_NOT_ENABLED", "Withdrawals send money off the platform: the account needs payouts enabled");
  const assetNetwork = findAssetNetwork(wallet.asset, wallet.network);
  if (!assetNetwork) throw new Error(`wallet on unsupported ${wallet.asset}/${wallet.network}`);
  return { amount: input.amount, networkFee: assetNetwork.networkFee, total: input.amount + assetNetwork.networkFee, destination };
}

export interface WithdrawalState {
  readonly id: string;
  readonly status: WithdrawalStatus;
  readonly network: Network;
  readonly address: string;
  readonly livemode: boolean;
}

export type WithdrawalStep =
  | { readonly from: "PENDING"; readonly to: "BROADCAST"; readonly transactionHash: string; readonly nextStepAt: Date }
  | { readonly from: "BROADCAST"; readonly to: "CONFIRMED" }
  | { readonly from: "BROADCAST"; readonly to: "FAILED"; readonly failureCode: string; readonly failureMessage: string };

/** The next step of a withdrawal that is due, or undefined when it is final. */
export function nextStep(withdrawal: WithdrawalState, now: Date, stepMs: number): WithdrawalStep | undefined {
  switch (withdrawal.status) {
    case "PENDING":
      return {
        from: "PENDING",
        to: "BROADCAST",
        transactionHash: simulatedTransactionHash(withdrawal.network, withdrawal.id),
        nextStepAt: new Date(now.getTime() + stepMs),
      };
    case "BROADCAST": {
      const destination = validateAddress(withdrawal.network, withdrawal.address, withdrawal.livemode);
      // A stored address was validated on creation; if rules tightened since, the chain refuses it.
      if (isRefusal(destination))
        return { from: "BROADCAST", to: "FAILED", failureCode: "invalid_address", failureMessage: destination.message };
      const outcome = chainOutcome(destination.payload);
      return outcome.confirmed
        ? { from: "BROADCAST", to: "CONFIRMED" }
        : { from: "BROADCAST", to: "FAILED", failureCode: outcome.failureCode, failureMessage: outcome.failureMessage };
    }
    case "CONFIRMED":
    case "FAILED":
      return undefined;
  }
}
