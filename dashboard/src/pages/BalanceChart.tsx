// A step chart of one currency's available balance: an SVG path, no charting library (a dozen
// points and a few lines of arithmetic do not need one).

import { formatMinor } from "../money.ts";

export interface Point {
  readonly at: number;
  readonly currency: string;
  readonly amount: bigint;
}

const WIDTH = 640;
const HEIGHT = 160;

/** Steps from `from` to now: each point holds until the next; the last one holds until now. */
export function BalanceChart({ points, currency, from }: { points: readonly Point[]; currency: string; from: number }) {
  const sorted = [...points].filter((p) => p.at >= from).sort((a, b) => a.at - b.at);
  if (sorted.length === 0) return <p>No balance in {currency} yet.</p>;
  const to = Math.max(Date.now(), sorted.at(-1)!.at);
  const span = Math.max(1, to - from);
  const max = sorted.reduce((m, p) => (p.amount > m ? p.amount : m), 0n);
  // Scaled in BigInt, then to pixels: amounts beyond 2^53 minor units still plot.
  const y = (amount: bigint) => HEIGHT - 4 - (max <= 0n ? 0 : Number((amount * 1000n) / max) / 1000) * (HEIGHT - 24);
  const x = (at: number) => ((at - from) / span) * WIDTH;
  let path = `M ${x(sorted[0]!.at)} ${y(sorted[0]!.amount)}`;
  for (const point of sorted.slice(1)) path += ` H ${x(point.at)} V ${y(point.amount)}`;
  path += ` H ${WIDTH}`;
  return (
    <svg role="img" aria-label={`Available ${currency} over time`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height={HEIGHT}>
      <line x1={0} x2={WIDTH} y1={y(0n)} y2={y(0n)} stroke="#e3e8ee" />
      <path d={path} fill="none" stroke="#635bff" strokeWidth={2} />
      <text x={4} y={14} fontSize={12} fill="#697386">
        {formatMinor(max.toString(), currency)} {currency}
      </text>
      <text x={4} y={HEIGHT - 8} fontSize={12} fill="#697386">
        24 h ago
      </text>
      <text x={WIDTH - 4} y={HEIGHT - 8} fontSize={12} fill="#697386" textAnchor="end">
        now
      </text>
    </svg>
  );
}
