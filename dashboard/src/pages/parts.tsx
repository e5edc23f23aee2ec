// Pieces the pages share: a balances table, a status filter, and a form's answer.

import { formatMinor } from "../money.ts";

export interface BalanceRow {
  readonly currency: string;
  readonly available: { readonly amount: string };
  readonly pending: { readonly amount: string };
  readonly held: { readonly amount: string };
}

/** Available, pending and held per currency; `testIds` marks each available cell (the overview's). */
export function BalancesTable({ label, rows, testIds = false }: { label: string; rows: readonly BalanceRow[]; testIds?: boolean }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Currency</th>
          <th className="amount">Available</th>
          <th className="amount">Pending</th>
          <th className="amount">Held</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.currency} data-currency={row.currency}>
            <td>{row.currency}</td>
            <td className="amount" data-testid={testIds ? `available-${row.currency}` : undefined}>
              {formatMinor(row.available.amount, row.currency)}
            </td>
            <td className="amount">{formatMinor(row.pending.amount, row.currency)}</td>
            <td className="amount">{formatMinor(row.held.amount, row.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A select of one status or any (""); choosing one calls `onChange` (which starts the list over). */
export function StatusFilter<S extends string>({
  name,
  statuses,
  value,
  onChange,
}: {
  name: string;
  statuses: readonly S[];
  value: S | "";
  onChange(status: S | ""): void;
}) {
  return (
    <label>
      Status{" "}
      <select name={name} value={value} onChange={(event) => onChange(event.target.value as S | "")}>
        <option value="">Any</option>
        {statuses.map((status) => (
          <option key={status} value={status}>
            {status}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface FormAnswer {
  readonly ok: boolean;
  readonly text: string;
}

/** A form's answer: a success as a status, a refusal as an alert. */
export function Answer({ answer }: { answer: FormAnswer | undefined }) {
  if (!answer) return null;
  return (
    <p className={answer.ok ? "success" : "error"} role={answer.ok ? "status" : "alert"}>
      {answer.text}
    </p>
  );
}
