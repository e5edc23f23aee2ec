// One account's page: what it is, what verification still needs, its balances, bank accounts,
// payouts and history (both paged).

import { useQuery } from "@apollo/client/react";
import { useState } from "react";
import { describeError } from "../errors.ts";
import { AccountDetailDocument } from "../gql/graphql.ts";
import { formatMinor } from "../money.ts";
import { Pager, type PageArgs } from "./Pager.tsx";
import { PayoutList } from "./Payouts.tsx";
import { BalancesTable } from "./parts.tsx";

const HISTORY = 20;

export function Account({ id }: { id: string }) {
  const [page, setPage] = useState<PageArgs>({ first: HISTORY });
  const history =
    "first" in page ? { historyFirst: page.first, historyAfter: page.after } : { historyLast: page.last, historyBefore: page.before };
  const { data, error } = useQuery(AccountDetailDocument, { variables: { id, ...history } });
  if (error) return <p className="error">{describeError(error)}</p>;
  const account = data?.account;
  if (!account) return <p>Loading…</p>;
  return (
    <>
      <div className="card">
        <h1>{account.displayName}</h1>
        <p>
          {account.type === "PLATFORM" ? "Platform" : "Connected account"} · {account.status} · {account.country} ·{" "}
          {account.defaultCurrency} · payouts {account.payoutsEnabled ? "enabled" : "not enabled"} · <code>{account.id}</code>
        </p>
        {account.requirements.currentlyDue.length > 0 && (
          <p data-testid="requirements">
            Verification needs: {account.requirements.currentlyDue.join(", ")}
            {account.requirements.disabledReason ? ` (${account.requirements.disabledReason})` : ""}
          </p>
        )}
        <BalancesTable label="Account balances" rows={account.balances} />
      </div>
      <div className="card">
        <h2>Bank accounts</h2>
        {account.externalAccounts.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <ul>
            {account.externalAccounts.map((bank) => (
              <li key={bank.id}>
                {bank.bankName ?? "Bank"} ••{bank.last4} · {bank.country} · {bank.currency}
                {bank.defaultForCurrency ? " · default" : ""}
              </li>
            ))}
          </ul>
        )}
      </div>
      <PayoutList accountId={account.id} />
      <div className="card">
        <h2>History</h2>
        <table aria-label="History">
          <thead>
            <tr>
              <th>Type</th>
              <th>Status</th>
              <th className="amount">Net</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {account.balanceTransactions.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{node.type}</td>
                <td>{node.status}</td>
                <td className="amount">
                  {formatMinor(node.net.amount, node.net.currency)} {node.net.currency}
                </td>
                <td>{new Date(node.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager pageInfo={account.balanceTransactions.pageInfo} size={HISTORY} onPage={setPage} />
      </div>
    </>
  );
}
