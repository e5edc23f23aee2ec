// Crypto: the platform's wallets (open one per asset), and a conversion in two steps: a quote
// (a price, free to ask for, valid until it expires), then its execution, once. The execution
// carries the submission's idempotency key (submission.ts): a double click converts once.

import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { describeError } from "../errors.ts";
import {
  CryptoOverviewDocument,
  ExecuteConversionDocument,
  OpenCryptoWalletDocument,
  QuoteConversionDocument,
  ViewerDocument,
  type QuoteConversionMutation,
} from "../gql/graphql.ts";
import { toMinorUnits } from "../money.ts";
import { useMoneyForm } from "../submission.ts";
import { Answer } from "./parts.tsx";

const ASSETS = ["BTC", "ETH", "USDC"] as const;
const CURRENCIES = ["USD", "EUR", ...ASSETS] as const;
type Quote = QuoteConversionMutation["createCryptoQuote"];

export function Crypto() {
  const viewer = useQuery(ViewerDocument);
  const accountId = viewer.data?.viewer.id;
  if (viewer.error) return <p className="error">{describeError(viewer.error)}</p>;
  if (!accountId) return <p>Loading…</p>;
  return <CryptoOf accountId={accountId} />;
}

function CryptoOf({ accountId }: { accountId: string }) {
  const overview = useQuery(CryptoOverviewDocument, { variables: { id: accountId } });
  const [openWallet, opening] = useMutation(OpenCryptoWalletDocument, { refetchQueries: [CryptoOverviewDocument] });
  const [walletError, setWalletError] = useState<string>();
  const wallets = overview.data?.account?.cryptoWallets ?? [];
  const missing = ASSETS.filter((asset) => !wallets.some((wallet) => wallet.asset === asset));

  async function open(asset: string) {
    setWalletError(undefined);
    try {
      // Opening is idempotent by nature (one wallet per account, asset and network); the key
      // makes a retried request return the same wallet.
      await openWallet({ variables: { input: { accountId, asset }, idempotencyKey: `open-${accountId}-${asset}` } });
    } catch (error) {
      setWalletError(describeError(error));
    }
  }

  return (
    <>
      <div className="card">
        <h1>Crypto wallets</h1>
        {overview.error && <p className="error">{describeError(overview.error)}</p>}
        <table aria-label="Wallets">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Network</th>
              <th>Deposit address</th>
              <th className="amount">Balance</th>
            </tr>
          </thead>
          <tbody>
            {wallets.map((wallet) => (
              <tr key={wallet.id} data-asset={wallet.asset}>
                <td>{wallet.asset}</td>
                <td>{wallet.network}</td>
                <td>
                  <code>{wallet.address}</code>
                </td>
                <td className="amount" data-testid={`wallet-${wallet.asset}`}>
                  {wallet.balance.decimal}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          {missing.map((asset) => (
            <button key={asset} type="button" disabled={opening.loading} onClick={() => void open(asset)}>
              Open a {asset} wallet
            </button>
          ))}
        </p>
        {walletError && (
          <p className="error" role="alert">
            {walletError}
          </p>
        )}
      </div>
      <Convert accountId={accountId} onConverted={() => void overview.refetch()} />
      <div className="card">
        <h2>Conversions</h2>
        <table aria-label="Conversions">
          <thead>
            <tr>
              <th className="amount">From</th>
              <th className="amount">To</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {overview.data?.account?.cryptoConversions.edges.map(({ node }) => (
              <tr key={node.id}>
                <td className="amount">
                  {node.sourceAmount.decimal} {node.sourceAmount.currency}
                </td>
                <td className="amount">
                  {node.destinationAmount.decimal} {node.destinationAmount.currency}
                </td>
                <td>{new Date(node.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Convert({ accountId, onConverted }: { accountId: string; onConverted(): void }) {
  const [source, setSource] = useState("USD");
  const [destination, setDestination] = useState("ETH");
  const [amount, setAmount] = useState("");
  const [quote, setQuote] = useState<Quote>();
  const [createQuote, quoting] = useMutation(QuoteConversionDocument);
  const [execute, executing] = useMutation(ExecuteConversionDocument);
  const form = useMoneyForm();
  // Any change forgets the quote: it priced what the form said then.
  const edited =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      form.edited(set)(value);
      setQuote(undefined);
    };

  async function askForQuote(event: FormEvent) {
    event.preventDefault();
    const minor = toMinorUnits(amount, source);
    if (!minor) return form.refuse(`Enter a positive amount in ${source}.`);
    form.reset();
    try {
      const result = await createQuote({
        variables: { input: { accountId, sourceCurrency: source, destinationCurrency: destination, sourceAmount: minor } },
      });
      setQuote(result.data!.createCryptoQuote);
    } catch (error) {
      setQuote(undefined);
      form.failed(error);
    }
  }

  async function convert() {
    if (!quote) return;
    try {
      const result = await execute({ variables: { quoteId: quote.id, idempotencyKey: form.key() } });
      const done = result.data!.executeCryptoQuote;
      form.succeeded(
        `Converted ${done.sourceAmount.decimal} ${done.sourceAmount.currency} into ${done.destinationAmount.decimal} ${done.destinationAmount.currency}.`,
      );
      setQuote(undefined);
      setAmount("");
      onConverted();
    } catch (error) {
      form.failed(error);
    }
  }

  return (
    <div className="card">
      <h2>Convert</h2>
      <form onSubmit={askForQuote} aria-label="Convert">
        <label>
          Amount <input name="amount" inputMode="decimal" value={amount} onChange={(event) => edited(setAmount)(event.target.value)} />{" "}
          <select name="source" aria-label="From" value={source} onChange={(event) => edited(setSource)(event.target.value)}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>{" "}
          into{" "}
          <select name="destination" aria-label="Into" value={destination} onChange={(event) => edited(setDestination)(event.target.value)}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={quoting.loading}>
          Get a quote
        </button>
      </form>
      {quote && (
        <div data-testid="quote">
          <p>
            {quote.sourceAmount.decimal} {quote.sourceAmount.currency} (fee {quote.fee.decimal} {quote.fee.currency}) gives{" "}
            <strong>
              {quote.destinationAmount.decimal} {quote.destinationAmount.currency}
            </strong>{" "}
            at {quote.rate}; valid until {new Date(quote.expiresAt).toLocaleTimeString()}.
          </p>
          <button type="button" disabled={executing.loading} onClick={() => void convert()}>
            Convert
          </button>
        </div>
      )}
      <Answer answer={form.answer} />
    </div>
  );
}
