// Paying an account out to one of its bank accounts, and that account's payouts. The platform
// itself by default, or any of its connected accounts (payouts enabled). One idempotency key per
// submission (submission.ts), as for transfers.

import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { describeError } from "../errors.ts";
import {
  AccountPayoutsPageDocument,
  ConnectedAccountsPageDocument,
  CreatePayoutDocument,
  PayoutDestinationsDocument,
  ViewerDocument,
  type PayoutMethod,
  type PayoutStatus,
} from "../gql/graphql.ts";
import { toMinorUnits } from "../money.ts";
import { useMoneyForm } from "../submission.ts";
import { Pager, type PageArgs } from "./Pager.tsx";
import { Answer, StatusFilter } from "./parts.tsx";

const SIZE = 20;
const STATUSES: PayoutStatus[] = ["PENDING", "IN_TRANSIT", "PAID", "FAILED", "CANCELED"];

export function Payouts() {
  const viewer = useQuery(ViewerDocument);
  const accounts = useQuery(ConnectedAccountsPageDocument, { variables: { first: 100 } });
  const [chosen, setChosen] = useState<string>();
  const platformId = viewer.data?.viewer.id;
  const accountId = chosen ?? platformId;
  if (viewer.error) return <p className="error">{describeError(viewer.error)}</p>;
  if (!accountId) return <p>Loading…</p>;
  return (
    <>
      <div className="card">
        <label>
          Account{" "}
          <select name="account" value={accountId} onChange={(event) => setChosen(event.target.value)}>
            <option value={platformId}>{viewer.data!.viewer.displayName} (the platform)</option>
            {accounts.data?.viewer.connectedAccounts.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.displayName} ({node.id})
              </option>
            ))}
          </select>
        </label>
      </div>
      <PayoutForm key={accountId} accountId={accountId} />
      <PayoutList accountId={accountId} />
    </>
  );
}

function PayoutForm({ accountId }: { accountId: string }) {
  const destinations = useQuery(PayoutDestinationsDocument, { variables: { id: accountId } });
  const banks = destinations.data?.account?.externalAccounts ?? [];
  const [bankId, setBankId] = useState("");
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState<PayoutMethod>("STANDARD");
  const [createPayout, { loading }] = useMutation(CreatePayoutDocument, { refetchQueries: [AccountPayoutsPageDocument] });
  const form = useMoneyForm();
  const bank = banks.find((b) => b.id === bankId) ?? banks[0];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!bank) return form.refuse("This account has no bank account to pay out to.");
    const minor = toMinorUnits(amount, bank.currency);
    if (!minor) return form.refuse(`Enter a positive amount in ${bank.currency}, e.g. 12.50.`);
    try {
      const result = await createPayout({
        variables: {
          input: { accountId, amount: minor, currency: bank.currency, method, destinationId: bank.id },
          idempotencyKey: form.key(),
        },
      });
      const payout = result.data!.createPayout;
      form.succeeded(
        `Paying out ${payout.amount.decimal} ${payout.amount.currency} to the account ending ${payout.destination.last4} (${payout.status}).`,
      );
      setAmount("");
    } catch (error) {
      form.failed(error);
    }
  }

  return (
    <div className="card">
      <h1>New payout</h1>
      <form onSubmit={submit} aria-label="New payout">
        <label>
          Bank account{" "}
          <select name="bank" value={bank?.id ?? ""} onChange={(event) => form.edited(setBankId)(event.target.value)}>
            {banks.length === 0 && <option value="">None yet</option>}
            {banks.map((b) => (
              <option key={b.id} value={b.id}>
                {b.bankName ?? "Bank"} ••{b.last4} ({b.currency})
              </option>
            ))}
          </select>
        </label>
        <label>
          Amount <input name="amount" inputMode="decimal" value={amount} onChange={(event) => form.edited(setAmount)(event.target.value)} />{" "}
          {bank?.currency}
        </label>
        <label>
          Speed{" "}
          <select name="method" value={method} onChange={(event) => form.edited(setMethod)(event.target.value as PayoutMethod)}>
            <option value="STANDARD">Standard (free)</option>
            <option value="INSTANT">Instant (1% fee)</option>
          </select>
        </label>
        <button type="submit" disabled={loading}>
          Pay out
        </button>
        <Answer answer={form.answer} />
      </form>
    </div>
  );
}

export function PayoutList({ accountId, title = "Payouts" }: { accountId: string; title?: string }) {
  const [status, setStatus] = useState<PayoutStatus | "">("");
  const [page, setPage] = useState<PageArgs>({ first: SIZE });
  const { data, error } = useQuery(AccountPayoutsPageDocument, { variables: { id: accountId, ...page, status: status || undefined } });
  const connection = data?.account?.payouts;
  return (
    <div className="card">
      <h2>{title}</h2>
      <StatusFilter
        name="payoutStatus"
        statuses={STATUSES}
        value={status}
        onChange={(chosen) => {
          setStatus(chosen);
          setPage({ first: SIZE });
        }}
      />
      {error && <p className="error">{describeError(error)}</p>}
      <table aria-label={title}>
        <thead>
          <tr>
            <th className="amount">Amount</th>
            <th>Speed</th>
            <th>Status</th>
            <th>To</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-id={node.id}>
              <td className="amount">
                {node.amount.decimal} {node.amount.currency}
              </td>
              <td>{node.method}</td>
              <td title={node.failureMessage ?? undefined}>{node.status}</td>
              <td>••{node.destination.last4}</td>
              <td>{new Date(node.createdAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pageInfo={connection?.pageInfo} size={SIZE} onPage={setPage} />
    </div>
  );
}
