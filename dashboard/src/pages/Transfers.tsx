// Sending a transfer, and the platform's transfers. Each submission carries its own idempotency
// key (submission.ts): a double click, or sending again after a lost or retryable answer, moves
// the money once; changing the form starts a new submission.

import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { describeError } from "../errors.ts";
import { ConnectedAccountsPageDocument, CreateTransferDocument, RecentTransfersDocument } from "../gql/graphql.ts";
import { toMinorUnits } from "../money.ts";
import { useMoneyForm } from "../submission.ts";
import { Pager, type PageArgs } from "./Pager.tsx";
import { Answer } from "./parts.tsx";

const SIZE = 20;

export function Transfers() {
  const [page, setPage] = useState<PageArgs>({ first: SIZE });
  const recent = useQuery(RecentTransfersDocument, { variables: page });
  const connection = recent.data?.viewer.transfers;
  return (
    <>
      <TransferForm onSent={() => void recent.refetch()} />
      <div className="card">
        <h2>Transfers</h2>
        {recent.error && <p className="error">{describeError(recent.error)}</p>}
        <table aria-label="Transfers">
          <thead>
            <tr>
              <th>To</th>
              <th className="amount">Amount</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {connection?.edges.map(({ node }) => (
              <tr key={node.id} data-id={node.id}>
                <td>
                  <a href={`#/account/${node.destination.id}`}>{node.destination.displayName}</a>
                </td>
                <td className="amount">
                  {node.amount.decimal} {node.amount.currency}
                </td>
                <td>{new Date(node.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager pageInfo={connection?.pageInfo} size={SIZE} onPage={setPage} />
      </div>
    </>
  );
}

function TransferForm({ onSent }: { onSent(): void }) {
  const accounts = useQuery(ConnectedAccountsPageDocument, { variables: { first: 100 } });
  const [destination, setDestination] = useState("");
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [description, setDescription] = useState("");
  const [createTransfer, { loading }] = useMutation(CreateTransferDocument);
  const form = useMoneyForm();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const minor = toMinorUnits(amount, currency);
    if (!destination) return form.refuse("Choose the connected account to pay.");
    if (!minor) return form.refuse(`Enter a positive amount in ${currency}, e.g. 12.50.`);
    try {
      const result = await createTransfer({
        variables: {
          input: { destinationAccountId: destination, amount: minor, currency, description: description || null },
          idempotencyKey: form.key(),
        },
      });
      const transfer = result.data!.createTransfer;
      form.succeeded(`Sent ${transfer.amount.decimal} ${transfer.amount.currency} to ${transfer.destination.displayName}.`);
      setAmount("");
      onSent();
    } catch (error) {
      form.failed(error);
    }
  }

  return (
    <div className="card">
      <h1>New transfer</h1>
      <form onSubmit={submit} aria-label="New transfer">
        <label>
          To{" "}
          <select name="destination" value={destination} onChange={(event) => form.edited(setDestination)(event.target.value)}>
            <option value="">Choose a connected account…</option>
            {accounts.data?.viewer.connectedAccounts.edges.map(({ node }) => (
              <option key={node.id} value={node.id}>
                {node.displayName} ({node.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          Amount <input name="amount" inputMode="decimal" value={amount} onChange={(event) => form.edited(setAmount)(event.target.value)} />{" "}
          <select name="currency" value={currency} onChange={(event) => form.edited(setCurrency)(event.target.value)}>
            {["USD", "EUR", "GBP"].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Description <input name="description" value={description} onChange={(event) => form.edited(setDescription)(event.target.value)} />
        </label>
        <button type="submit" disabled={loading}>
          Send transfer
        </button>
        <Answer answer={form.answer} />
      </form>
    </div>
  );
}
