// graphql-ws from the tests' side: graphql-ws's own client against the gateway (or a subgraph),
// and a small recorder of one subscription's messages with waits that time out loudly.

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";
import { startPlatform, type RunningPlatform } from "../../cmd/platform.ts";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../gateway/server.ts";
import { createDependencies } from "../../subgraphs/dependencies.ts";
import { SUBGRAPHS } from "../../subgraphs/index.ts";
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from "../../subgraphs/shared/config.ts";
import { createLogger } from "../../subgraphs/shared/logger.ts";
import { serveSubgraph, type RunningSubgraph } from "../../subgraphs/shared/server.ts";
import { buildSubgraph } from "../../subgraphs/shared/subgraph.ts";
import { testDatabase } from "./database.ts";
import { testConfig } from "./platform.ts";

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

export interface CloseRecord {
  readonly code: number;
  readonly reason: string;
}

export interface TestWsClient {
  readonly client: Client;
  /** Every close the client saw, in order. */
  readonly closes: CloseRecord[];
  dispose(): Promise<void>;
}

/** graphql-ws's client with a key in connectionParams; no retries unless asked. */
export function connect(httpUrl: string, key: string | undefined, options: Partial<ClientOptions> = {}): TestWsClient {
  const closes: CloseRecord[] = [];
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
    ...options,
  });
  return { client, closes, dispose: async () => client.dispose() };
}

export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One subscription's messages, recorded as they come. */
export class Recorder<T, V extends Record<string, unknown> = Record<string, unknown>> {
  readonly results: FormattedExecutionResult<T, unknown>[] = [];
  error: unknown;
  completed = false;
  private readonly unsubscribe: () => void;

  constructor(client: Client, document: TypedDocumentNode<T, V> | string, variables: V) {
    const query = typeof document === "string" ? document : print(document);
    this.unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => this.results.push(result),
        error: (error) => (this.error = error),
        complete: () => (this.completed = true),
      },
    );
  }

  get data(): T[] {
    return this.results.flatMap((result) => (result.data ? [result.data as T] : []));
  }

  /** Waits until `count` results came; fails on an error or completion before that. */
  async received(count: number, timeoutMs = 15_000): Promise<T[]> {
    await until(() => this.results.length >= count || this.error !== undefined || this.completed, `${count} results`, timeoutMs);
    if (this.results.length < count) {
      throw new Error(`ended after ${this.results.length} of ${count} results: ${JSON.stringify(this.error ?? this.results)}`);
    }
    return this.data;
  }

  /** Waits until the subscription ended (error or complete). */
  async ended(timeoutMs = 15_000): Promise<void> {
    await until(() => this.error !== undefined || this.completed, "the subscription to end", timeoutMs);
  }

  stop(): void {
    this.unsubscribe();
  }
}

/** The balances subgraph's event hub in a running platform (or a restarted balances subgraph). */
export function eventHub(platform: RunningPlatform | RunningSubgraph) {
  if ("subgraphs" in platform && !platform.subgraphs.some((subgraph) => subgraph.name === "balances")) {
    throw new Error("no balances subgraph in this platform");
  }
  return platform.deps!.balances.events;
}

/** Waits until the balances subgraph streams the account upstream (to at least `count` subscribers). */
export async function upstreamSubscribed(platform: RunningPlatform | RunningSubgraph, accountId: string, count = 1): Promise<void> {
  await until(() => eventHub(platform).subscriberCount(accountId, true) >= count, `${count} upstream subscribers of ${accountId}`);
}

/**
 * Counts subscriptions through `gateway` from now: `await ready(n)` returns once n more have their
 * start position, after which nothing committed is missed by them (waiting up to `timeoutMs`).
 */
export function positioned(gateway: RunningGateway | RunningPlatform): (count?: number, timeoutMs?: number) => Promise<void> {
  const target = "gateway" in gateway ? gateway.gateway! : gateway;
  const base = target.socketStats().positioned;
  return (count = 1, timeoutMs?: number) =>
    until(() => target.socketStats().positioned >= base + count, `${count} subscriptions to take their position`, timeoutMs);
}

/** Another gateway in front of the platform's subgraphs, with some settings changed. */
export async function extraGateway(
  platform: RunningPlatform,
  overrides: Partial<Config>,
  options: Omit<GatewayOptions, "config" | "logger"> = {},
): Promise<RunningGateway> {
  const config: Config = { ...platform.config, ...overrides };
  return startGateway({ config, logger: createLogger(config.LOG_LEVEL, "test-gateway"), port: 0, ...options });
}

/**
 * A platform of its own (gateway and four subgraphs) on the worker's database, for tests that
 * break things. Its gateway reaches the subgraphs over HTTP, as separate processes do: what these
 * tests break (a subgraph stopped or restarted under the gateway) is what happens between
 * processes; in one process a subgraph is never down while its gateway is up.
 */
export async function privatePlatform(overrides: Record<string, string> = {}): Promise<RunningPlatform> {
  const config = testConfig({ SUBGRAPH_TRANSPORT: "http", ...overrides });
  return startPlatform({
    config,
    logger: createLogger(config.LOG_LEVEL, "test-private"),
    subgraphs: SUBGRAPH_NAMES,
    gateway: true,
    ephemeralSubgraphPorts: true,
    db: await testDatabase(),
  });
}

/** Stops a platform's subgraph and serves a new one on the same port, as a process restart would. */
export async function restartSubgraph(
  platform: RunningPlatform,
  name: SubgraphName,
  whileDown: () => Promise<void> = async () => {},
): Promise<RunningSubgraph> {
  const old = platform.subgraphs.find((subgraph) => subgraph.name === name);
  if (!old) throw new Error(`no ${name} subgraph in this platform`);
  await old.stop();
  await whileDown();
  // A new process has dependencies of its own (event hub, transfer batcher), stopped with it.
  const deps = createDependencies(platform.deps!.db, platform.deps!.config, platform.deps!.logger);
  const served = await serveSubgraph({ name, schema: await buildSubgraph(SUBGRAPHS[name]), deps, host: "127.0.0.1", port: old.port }).catch(
    async (error: unknown) => {
      await deps.stop();
      throw error;
    },
  );
  return {
    ...served,
    async stop() {
      await served.stop();
      await deps.stop();
    },
  };
}
