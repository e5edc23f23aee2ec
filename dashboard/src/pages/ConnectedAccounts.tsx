// The platform's connected accounts, newest first, 25 to a page either way, by status and search.

import { useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { describeError } from "../errors.ts";
import { ConnectedAccountsPageDocument, type AccountStatus } from "../gql/graphql.ts";
import { Pager, type PageArgs } from "./Pager.tsx";
import { StatusFilter } from "./parts.tsx";

const SIZE = 25;
const STATUSES: AccountStatus[] = ["PENDING_VERIFICATION", "ACTIVE", "RESTRICTED", "CLOSED"];

export function ConnectedAccounts() {
  const [status, setStatus] = useState<AccountStatus | "">("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState<PageArgs>({ first: SIZE });
  // One query per pause in typing, not per key; only a changed search starts the list over.
  useEffect(() => {
    const next = typed.trim();
    if (next === search) return;
    const timer = setTimeout(() => {
      setSearch(next);
      setPage({ first: SIZE });
    }, 250);
    return () => clearTimeout(timer);
  }, [typed, search]);
  const { data, error, loading } = useQuery(ConnectedAccountsPageDocument, {
    variables: { ...page, status: status || undefined, search: search || undefined },
  });
  const connection = data?.viewer.connectedAccounts;
  return (
    <div className="card">
      <h1>Connected accounts</h1>
      <p data-testid="account-count">
        {connection
          ? `${connection.totalCount} ${connection.totalCount === 1 ? "account" : "accounts"}${search || status ? " match" : ""}`
          : " "}
      </p>
      <StatusFilter
        name="status"
        statuses={STATUSES}
        value={status}
        onChange={(chosen) => {
          setStatus(chosen);
          setPage({ first: SIZE });
        }}
      />
      <label>
        Search{" "}
        <input
          name="search"
          type="search"
          maxLength={100}
          placeholder="Name, email or acct_…"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
        />
      </label>
      {error && <p className="error">{describeError(error)}</p>}
      <table aria-label="Connected accounts" aria-busy={loading}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Country</th>
            <th>Currency</th>
            <th>Payouts</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-id={node.id}>
              <td>
                <a href={`#/account/${node.id}`}>{node.displayName}</a>
              </td>
              <td>{node.status}</td>
              <td>{node.country}</td>
              <td>{node.defaultCurrency}</td>
              <td>{node.payoutsEnabled ? "enabled" : "—"}</td>
              <td>{new Date(node.createdAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pageInfo={connection?.pageInfo} size={SIZE} onPage={setPage} />
    </div>
  );
}
