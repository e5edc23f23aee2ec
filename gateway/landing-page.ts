// GET /graphql in a browser: GraphiQL bundled in the page (@graphql-yoga/render-graphiql: scripts,
// styles, Monaco's workers and the favicon are all inline), so it works with no network beyond
// the gateway; Apollo Sandbox is a link away for those online. The Headers tab holds an
// Authorization header ready to fill; in development, once `npm start` has seeded its demo
// platform, that platform's key is already in it. In production nothing is prefilled and headers
// are not kept in the browser's storage (a secret key in localStorage outlives the visit).
//
// Subscriptions run over graphql-ws on the same URL. Yoga's GraphiQL sends the Headers tab with
// HTTP requests only, and graphql-ws admits a connection by the key in its connectionParams; so
// the page follows the Headers tab (GraphiQL's onEditHeaders / onTabChange) and hands its
// Authorization to each new socket. Rendered once per prefill: the page is 9 MB and never changes
// otherwise.

import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

export interface ExplorerOptions {
  /** NODE_ENV=production: never prefill a key, never persist headers in the browser. */
  readonly production: boolean;
}

export interface Explorer {
  /** The page's HTML. */
  render(): string;
  /** Puts a key in the Authorization header of new visitors' Headers tab; ignored in production. */
  prefill(key: string): void;
}

const query = (hint: string) => `# ${hint}
{
  viewer {
    id
    displayName
    balances { currency available { amount decimal } }
  }
}
`;

const FILL_IN = query(`Put a secret key in the Headers tab: "Authorization": "Bearer sk_test_..."`);
const PREFILLED = query("The Headers tab holds the demo platform's test key (npm start seeded it)");

const BANNER =
  `<div style="font:13px system-ui;padding:4px 12px;background:#f4f4f5">Offline explorer. Online? ` +
  `<a id="sandbox" href="#">Open this endpoint in Apollo Sandbox</a></div>`;

// Runs before GraphiQL: the Sandbox link for this origin, and the Authorization of the Headers tab
// (the active tab's, as last edited) handed to graphql-ws as connectionParams.
const PAGE_SCRIPT = `<script>
document.getElementById("sandbox").href = "https://studio.apollographql.com/sandbox/explorer?endpoint=" + encodeURIComponent(location.origin + location.pathname);
function moneygraphExplorer(root, options) {
  let headers = options.headers || "{}";
  const authorization = () => {
    try {
      const parsed = JSON.parse(headers || "{}");
      for (const name of Object.keys(parsed)) if (name.toLowerCase() === "authorization") return String(parsed[name]);
    } catch {}
    return undefined;
  };
  YogaGraphiQL.renderYogaGraphiQL(root, Object.assign({}, options, {
    onEditHeaders: (text) => { headers = text; },
    onTabChange: (state) => { const tab = state.tabs[state.activeTabIndex]; if (tab) headers = tab.headers || "{}"; },
    connectionParams: () => { const value = authorization(); return value ? { authorization: value } : {}; },
  }));
}
</script>`;

export function landingPage(options: ExplorerOptions): Explorer {
  let key: string | undefined;
  let html: string | undefined;
  return {
    render() {
      html ??= page(options.production ? undefined : key, options.production);
      return html;
    },
    prefill(value) {
      if (options.production || value === key) return;
      key = value;
      html = undefined;
    },
  };
}

function page(key: string | undefined, production: boolean): string {
  // An empty value sends no key (the schema still loads: introspection needs none).
  const headers = JSON.stringify({ Authorization: key ? `Bearer ${key}` : "" }, null, 2);
  const rendered = renderGraphiQL({
    title: "moneygraph",
    defaultQuery: key ? PREFILLED : FILL_IN,
    headers,
    defaultHeaders: headers,
    subscriptionsProtocol: "WS",
    shouldPersistHeaders: !production,
  });
  const call = "YogaGraphiQL.renderYogaGraphiQL(";
  if (rendered.split(call).length !== 2)
    throw new Error("@graphql-yoga/render-graphiql changed: the explorer's render call was not found once");
  return rendered.replace(call, "moneygraphExplorer(").replace(/<body([^>]*)>/, `<body$1>${BANNER}${PAGE_SCRIPT}`);
}
