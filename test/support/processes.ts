// Real processes for run-mode tests: the entry points spawned as the npm scripts do
// (cmd/spawn.ts), and what the tests ask of them.

export { isRunning, ROOT, spawnEntry, stopSpawned, type Spawned } from "../../cmd/spawn.ts";

export async function viewerThrough(port: number, key: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: "{ viewer { id displayName type balances { currency available { amount } } } }" }),
  });
  return response.json();
}
