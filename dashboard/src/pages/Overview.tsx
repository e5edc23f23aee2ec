// The overview: the platform's balances, live through `balanceChanged`, and its available balance
// over the last day (twelve point-in-time reads in one query, then every live event). The
// subscription starts with the balances themselves (`current: true`: each currency's newest
// event), so a change committed between the page's first read and the subscription is shown too.
// After a lost connection it subscribes again with `after` the last event it showed: nothing is missed.

import { useQuery, useSubscription } from "@apollo/client/react";
import { useMemo, useRef, useState } from "react";
import { describeError } from "../errors.ts";
import {
  BalanceChangedDocument,
  BalanceHistoryDocument,
  ViewerDocument,
  type BalanceChangedSubscription,
  type BalancePartsFragment,
} from "../gql/graphql.ts";
import { BalanceChart, type Point } from "./BalanceChart.tsx";
import { BalancesTable } from "./parts.tsx";

type Amounts = Pick<BalancePartsFragment, "available" | "pending" | "held">;

const HOURS = 24;
const SAMPLES = 12;

export function Overview() {
  const viewer = useQuery(ViewerDocument);
  const accountId = viewer.data?.viewer.id;
  if (viewer.error) return <p className="error">{describeError(viewer.error)}</p>;
  if (!accountId) return <p>Loading…</p>;
  return <Balances accountId={accountId} name={viewer.data!.viewer.displayName} initial={viewer.data!.viewer.balances} />;
}

/** One subscription attempt (remounted, by its key, for each new one): events in, its end out. */
function LiveEvents({
  accountId,
  after,
  onEvent,
  onEnded,
}: {
  accountId: string;
  after: string | undefined;
  onEvent(event: BalanceChangedSubscription["balanceChanged"]): void;
  onEnded(): void;
}) {
  // An error and a completion are one end of this attempt.
  const ended = useRef(false);
  const end = () => {
    if (ended.current) return;
    ended.current = true;
    onEnded();
  };
  useSubscription(BalanceChangedDocument, {
    // Resuming after an event needs no balances first: every change since comes after it.
    variables: { accountId, after, current: !after },
    onData: ({ data }) => {
      if (data.data) onEvent(data.data.balanceChanged);
    },
    onError: end,
    onComplete: end,
  });
  return null;
}

function Balances({ accountId, name, initial }: { accountId: string; name: string; initial: readonly BalancePartsFragment[] }) {
  const [live, setLive] = useState<Record<string, Amounts>>({});
  const [points, setPoints] = useState<Point[]>([]);
  const [attempt, setAttempt] = useState({ number: 0, after: undefined as string | undefined });
  const lastEvent = useRef<string | undefined>(undefined);

  const onEvent = (event: BalanceChangedSubscription["balanceChanged"]) => {
    lastEvent.current = event.id;
    setLive((previous) => ({ ...previous, [event.currency]: event }));
    setPoints((previous) => [
      ...previous,
      { at: Date.parse(event.occurredAt), currency: event.currency, amount: BigInt(event.available.amount) },
    ]);
  };
  // The socket closed (a gateway restart, a lost network): again in a moment, after the last
  // event shown, so that nothing committed meanwhile is missed. Before any event there is no
  // position to resume from: start again with the balances as they are then.
  const onEnded = () => setTimeout(() => setAttempt((previous) => ({ number: previous.number + 1, after: lastEvent.current })), 1_000);

  const moments = useMemo(() => {
    const now = Date.now();
    return Array.from({ length: SAMPLES }, (_, i) => new Date(now - ((SAMPLES - 1 - i) * HOURS * 3_600_000) / (SAMPLES - 1)).toISOString());
  }, []);
  const history = useQuery(BalanceHistoryDocument, {
    variables: Object.fromEntries([["id", accountId], ...moments.map((at, i) => [`t${i}`, at])]) as never,
  });
  const sampled: Point[] = useMemo(() => {
    const account = history.data?.account as Record<string, { currency: string; available: { amount: string } }[]> | undefined;
    if (!account) return [];
    // A currency absent at a moment had no balance yet: zero.
    const currencies = new Set(moments.flatMap((_, i) => (account[`t${i}`] ?? []).map((balance) => balance.currency)));
    return moments.flatMap((at, i) =>
      [...currencies].map((currency) => ({
        at: Date.parse(at),
        currency,
        amount: BigInt(account[`t${i}`]?.find((balance) => balance.currency === currency)?.available.amount ?? "0"),
      })),
    );
  }, [history.data, moments]);

  const reconnects = attempt.number;
  const rows = initial.map((balance) => ({ ...balance, ...live[balance.currency] }));
  for (const [currency, amounts] of Object.entries(live))
    if (!rows.some((row) => row.currency === currency)) rows.push({ currency, ...amounts });
  const chartCurrency = rows[0]?.currency ?? "USD";

  return (
    <>
      <LiveEvents key={attempt.number} accountId={accountId} after={attempt.after} onEvent={onEvent} onEnded={onEnded} />
      <div className="card">
        <h1>{name}</h1>
        <BalancesTable label="Balances" rows={rows} testIds />
        <p>
          <small data-testid="live-status">
            Live
            {reconnects > 0
              ? ` (reconnected ${reconnects}×, ${attempt.after ? "resumed after the last event" : "balances read again"})`
              : ""}
          </small>
        </p>
      </div>
      <div className="card">
        <h2>
          Available {chartCurrency}, last {HOURS} hours
        </h2>
        {history.error ? (
          <p className="error">{describeError(history.error)}</p>
        ) : (
          <BalanceChart
            points={[...sampled, ...points].filter((p) => p.currency === chartCurrency)}
            currency={chartCurrency}
            from={Date.parse(moments[0]!)}
          />
        )}
      </div>
    </>
  );
}
