// The dashboard's shell: sign-in, then pages chosen by the URL's hash (#/, #/accounts,
// #/account/<id>, #/transfers, #/payouts, #/crypto), so a reload stays where it was and the gateway serves
// nothing but static files.

import { ApolloProvider } from "@apollo/client/react";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { createApollo } from "./apollo.ts";
import { Account } from "./pages/Account.tsx";
import { ConnectedAccounts } from "./pages/ConnectedAccounts.tsx";
import { Crypto } from "./pages/Crypto.tsx";
import { Overview } from "./pages/Overview.tsx";
import { Payouts } from "./pages/Payouts.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { Transfers } from "./pages/Transfers.tsx";
import { signOut, storedKey } from "./session.ts";

const NAVIGATION = [
  ["#/", "Balances"],
  ["#/accounts", "Connected accounts"],
  ["#/transfers", "Transfers"],
  ["#/payouts", "Payouts"],
  ["#/crypto", "Crypto"],
] as const;

/** The page a hash names (an unknown one: the overview), and the navigation entry it belongs to. */
function route(hash: string): { page: ReactNode; section: string } {
  const account = /^#\/account\/([A-Za-z0-9_]{1,80})$/.exec(hash);
  if (account) return { page: <Account key={account[1]} id={account[1]!} />, section: "#/accounts" };
  switch (hash) {
    case "#/accounts":
      return { page: <ConnectedAccounts />, section: hash };
    case "#/transfers":
      return { page: <Transfers />, section: hash };
    case "#/payouts":
      return { page: <Payouts />, section: hash };
    case "#/crypto":
      return { page: <Crypto />, section: hash };
    default:
      return { page: <Overview />, section: "#/" };
  }
}

export function App() {
  const [secretKey, setSecretKey] = useState(storedKey);
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const apollo = useMemo(() => (secretKey ? createApollo(secretKey) : undefined), [secretKey]);
  useEffect(() => () => apollo?.dispose(), [apollo]);

  if (!apollo) return <SignIn onSignedIn={setSecretKey} />;
  const { page, section } = route(hash);
  return (
    <ApolloProvider client={apollo.client}>
      <header>
        <strong>moneygraph</strong>
        {NAVIGATION.map(([target, title]) => (
          <a key={target} href={target} aria-current={section === target ? "page" : undefined}>
            {title}
          </a>
        ))}
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            signOut();
            setSecretKey(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </ApolloProvider>
  );
}
