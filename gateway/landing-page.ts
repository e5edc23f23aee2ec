// GET /graphql in a browser: GraphiQL bundled in the page (@graphql-yoga/render-graphiql), so it
// works offline, with Apollo Sandbox a link away for those online. Rendered once: the bundle is
// large and never changes while the process runs.

import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

const DEFAULT_QUERY = `# Put your key in the Headers tab: { "Authorization": "Bearer sk_test_…" }
{
  viewer {
    id
    displayName
    balances { currency available { amount decimal } }
  }
}
`;

export function landingPage(): () => string {
  let html: string | undefined;
  return () => {
    html ??= renderGraphiQL({
      title: "moneygraph",
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: JSON.stringify({ Authorization: "Bearer sk_test_…" }, null, 2),
      subscriptionsProtocol: "WS",
      shouldPersistHeaders: true,
    }).replace(
      /<body([^>]*)>/,
      `<body$1><div style="font:13px system-ui;padding:4px 12px;background:#f4f4f5">Offline explorer. Online? <a id="sandbox" href="#">Open this endpoint in Apollo Sandbox</a></div>` +
        `<script>document.getElementById("sandbox").href = "https://studio.apollographql.com/sandbox/explorer?endpoint=" + encodeURIComponent(location.origin + location.pathname);</script>`,
    );
    return html;
  };
}
