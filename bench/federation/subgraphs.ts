// The public federation-gateway benchmark's four subgraphs (accounts, inventory, products,
// reviews: the schema of graphql-hive/graphql-gateways-benchmark), written small with
// @apollo/subgraph and memoized: each serves a request body it has answered before from memory,
// so after the warm-up the gateway under test is the only thing working.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { execute, parse, type DocumentNode } from "graphql";

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])`;

interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

const USERS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"].map((name, i) => ({
  id: String(i + 1),
  name,
  username: name.toLowerCase().replace(/[^a-z]/g, ""),
  birthday: 1234567890,
}));
const PRODUCTS: Product[] = [
  ["Table", 899, 100],
  ["Couch", 1299, 1000],
  ["Glass", 15, 20],
  ["Chair", 499, 100],
  ["TV", 1299, 1000],
  ["Lamp", 6999, 300],
  ["Grill", 3999, 2000],
  ["Fridge", 100000, 6000],
  ["Sofa", 9999, 800],
].map(([name, price, weight], i) => ({ upc: String(i + 1), name: String(name), price: Number(price), weight: Number(weight) }));
const IN_STOCK = new Set(["1", "5", "6", "7", "9"]);
// Review bodies of a few hundred characters, as in the original data.
const words = "ledger balance account payout transfer currency settle pending available reverse".split(" ");
const REVIEWS = ["1", "1", "1", "1", "2", "2", "2", "2", "3", "4", "4"].map((upc, i) => ({
  id: String(i + 1),
  body: Array.from({ length: 20 + ((i * 37) % 90) }, (_, n) => words[(n + i) % words.length]).join(" "),
  upc,
}));

type Resolvers = Parameters<typeof buildSubgraphSchema>[0] extends infer T
  ? T extends readonly (infer M)[]
    ? M extends { resolvers?: infer R }
      ? R
      : never
    : never
  : never;

export const SUBGRAPHS: Record<string, { typeDefs: DocumentNode; resolvers: Resolvers }> = {
  accounts: {
    typeDefs: parse(`${LINK}
      type Query { me: User users: [User] user(id: ID!): User }
      type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`),
    resolvers: {
      Query: { me: () => USERS[0], users: () => USERS, user: (_: unknown, { id }: { id: string }) => USERS.find((user) => user.id === id) },
      User: { __resolveReference: (ref: { id: string }) => USERS.find((user) => user.id === ref.id) },
    } as Resolvers,
  },
  inventory: {
    typeDefs: parse(`${LINK}
      type Product @key(fields: "upc") { upc: String! weight: Int @external price: Int @external inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }`),
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: IN_STOCK.has(ref.upc) }),
        shippingEstimate: (product: { price?: number; weight?: number }) =>
          product.price === undefined
            ? null
            : product.price > 1000
              ? 0
              : product.weight === undefined
                ? null
                : Math.floor(product.weight / 2),
      },
    } as Resolvers,
  },
  products: {
    typeDefs: parse(`${LINK}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`),
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS.find((product) => product.upc === ref.upc) },
    } as Resolvers,
  },
  reviews: {
    typeDefs: parse(`${LINK}
      type Review @key(fields: "id") { id: ID! body: String product: Product author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }`),
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => REVIEWS.find((review) => review.id === ref.id),
        product: (review: { upc: string }) => ({ upc: review.upc }),
        author: () => ({ id: "1", username: USERS[0]!.username }),
      },
      User: { reviews: () => REVIEWS.slice(0, 2) },
      Product: { reviews: (product: { upc: string }) => REVIEWS.filter((review) => review.upc === product.upc) },
    } as Resolvers,
  },
};

export interface RunningSubgraphs {
  readonly urls: Record<string, string>;
  readonly supergraphSdl: string;
  stop(): Promise<void>;
}

/** Serves the four subgraphs on loopback and composes their supergraph (routing to them). */
export async function startSubgraphs(): Promise<RunningSubgraphs> {
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const [name, { typeDefs, resolvers }] of Object.entries(SUBGRAPHS)) {
    const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
    const memo = new Map<string, string>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let answer = memo.get(body);
        if (answer === undefined) {
          const { query, variables, operationName } = JSON.parse(body) as {
            query: string;
            variables?: Record<string, unknown>;
            operationName?: string;
          };
          answer = JSON.stringify(await execute({ schema, document: parse(query), variableValues: variables, operationName }));
          memo.set(body, answer);
        }
        res.writeHead(200, { "content-type": "application/json" }).end(answer);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  const composed = composeServices(Object.entries(SUBGRAPHS).map(([name, { typeDefs }]) => ({ name, typeDefs, url: urls[name]! })));
  if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((error) => error.message).join("; ")}`);
  return {
    urls,
    supergraphSdl: composed.supergraphSdl,
    stop: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

export const BENCHMARK_QUERY = `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;
