// The dashboard's shell: sign-in, then three pages chosen by the URL's hash (#/, #/accounts,
// #/transfers), so a reload stays where it was and nothing but static files is served.

import { ApolloProvider } from "@apollo/client/react";
import { useEffect, useMemo, useState } from "react";
import { createApollo } from "./apollo.ts";
import { ConnectedAccounts } from "./pages/ConnectedAccounts.tsx";
import { Overview } from "./pages/Overview.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { Transfers } from "./pages/Transfers.tsx";
import { signOut, storedKey } from "./session.ts";

const PAGES = {
  "#/": { title: "Balances", render: () => <Overview /> },
  "#/accounts": { title: "Connected accounts", render: () => <ConnectedAccounts /> },
  "#/transfers": { title: "Transfers", render: () => <Transfers /> },
} as const;
type Route = keyof typeof PAGES;

function currentRoute(): Route {
  return location.hash in PAGES ? (location.hash as Route) : "#/";
}

export function App() {
  const [secretKey, setSecretKey] = useState(storedKey);
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const apollo = useMemo(() => (secretKey ? createApollo(secretKey) : undefined), [secretKey]);
  useEffect(() => () => apollo?.dispose(), [apollo]);

  if (!apollo) return <SignIn onSignedIn={setSecretKey} />;
  return (
    <ApolloProvider client={apollo.client}>
      <header>
        <strong>moneygraph</strong>
        {Object.entries(PAGES).map(([hash, page]) => (
          <a key={hash} href={hash} aria-current={route === hash ? "page" : undefined}>
            {page.title}
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
      <main>{PAGES[route].render()}</main>
    </ApolloProvider>
  );
}
