// The reference dashboard (dashboard/, built by `npm run build:dashboard`) at /dashboard/, as a
// runtime plugin on the gateway's one port. Static files only: the page talks to /graphql like
// any client, with its own key. Hand-written rather than a static-file middleware because the
// runtime's hooks answer with fetch Responses, not Node's req/res; it is a few lines:
//
//   - Paths resolve inside DASHBOARD_DIR or not at all (no "..", no absolute paths, no dotfiles).
//   - Hashed assets (/dashboard/assets/…) are immutable for a year; index.html is revalidated,
//     so a new build is picked up at the next load.
//   - A strict Content-Security-Policy: scripts, styles and connections to this origin only
//     (graphql-ws included: CSP 3's 'self' covers ws: and wss: on the same host), no framing.
//   - Not built: 404 saying how to build it, rather than an empty page.

import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

export const DASHBOARD_PATH = "/dashboard";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The file a request path names inside `root`, or undefined when it would leave it. */
export function dashboardFile(root: string, pathname: string): string | undefined {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(DASHBOARD_PATH.length)).replace(/^\/+/, "");
  } catch {
    return undefined;
  }
  if (relative === "") relative = "index.html";
  if (relative.includes("\0") || relative.split("/").some((part) => part.startsWith("."))) return undefined;
  const file = resolve(root, normalize(relative));
  return file.startsWith(resolve(root) + sep) ? file : undefined;
}

export function useDashboard(options: { directory: string }): GatewayPlugin {
  const root = resolve(options.directory);
  const respond = async (pathname: string, method: string): Promise<Response> => {
    if (method !== "GET" && method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
    if (pathname === DASHBOARD_PATH) return new Response(null, { status: 308, headers: { location: `${DASHBOARD_PATH}/` } });
    const file = dashboardFile(root, pathname);
    if (!file) return new Response("Not Found", { status: 404 });
    const found = await readIfFile(file);
    if (found) return page(found, file, method);
    // No such file: a missing asset is a 404; anything else is a route of the app.
    if (![".html", ""].includes(extname(file))) return new Response("Not Found", { status: 404 });
    const index = await readIfFile(join(root, "index.html"));
    return index ? page(index, "index.html", method) : notBuilt(root);
  };
  return {
    onRequest({ url, request, endResponse }) {
      if (url.pathname !== DASHBOARD_PATH && !url.pathname.startsWith(`${DASHBOARD_PATH}/`)) return;
      return respond(url.pathname, request.method).then(endResponse);
    },
  };
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    return (await stat(file)).isFile() ? await readFile(file) : undefined;
  } catch {
    return undefined;
  }
}

function page(body: Buffer, file: string, method: string): Response {
  const immutable = file.includes(`${sep}assets${sep}`);
  const type = TYPES[extname(file)] ?? "application/octet-stream";
  return new Response(method === "HEAD" ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      "content-type": type,
      "content-length": String(body.length),
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ...SECURITY_HEADERS,
    },
  });
}

function notBuilt(root: string): Response {
  return new Response(`The dashboard is not built (nothing in ${root}): run npm run build:dashboard, or npm start, which builds it.\n`, {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
