// Sign-in with a platform's secret key: checked against the API (`viewer`) before it is kept.

import { useState, type FormEvent } from "react";
import { looksLikeSecretKey, signIn } from "../session.ts";

export function SignIn({ onSignedIn }: { onSignedIn(secretKey: string): void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const secretKey = value.trim();
    if (!looksLikeSecretKey(secretKey)) return setError("A secret key starts with sk_test_ or sk_live_.");
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
        body: JSON.stringify({ query: "{ viewer { id } }" }),
      });
      const body = (await response.json()) as { data?: { viewer?: { id: string } }; errors?: { extensions?: { code?: string } }[] };
      if (!body.data?.viewer) {
        const code = body.errors?.[0]?.extensions?.code;
        return setError(
          code === "UNAUTHENTICATED"
            ? "This key is not valid (revoked, expired or mistyped)."
            : `Sign-in failed (${code ?? response.status}).`,
        );
      }
      signIn(secretKey);
      onSignedIn(secretKey);
    } catch {
      setError("The gateway could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main>
      <div className="card">
        <h1>Sign in</h1>
        <p>With a platform's secret key. It stays in this tab only (session storage) and is sent only to this gateway.</p>
        <form onSubmit={submit}>
          <label>
            Secret key{" "}
            <input
              name="secretKey"
              type="password"
              autoComplete="off"
              size={60}
              value={value}
              onChange={(event) => setValue(event.target.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      </div>
    </main>
  );
}
