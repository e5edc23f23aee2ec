import { describe, expect, it } from "vitest";
import { landingPage } from "./landing-page.ts";

const KEY = "sk_test_0123456789abcdefABCDEF0123456789";

/** The options the page hands GraphiQL (the JSON of its render call). */
function graphiqlOptions(html: string): Record<string, unknown> {
  const match = /moneygraphExplorer\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);/s.exec(html);
  if (!match) throw new Error("render call not found");
  return JSON.parse(match[1]!) as Record<string, unknown>;
}

describe("the explorer page", () => {
  it("in development, holds the key it was given in the Authorization header, and keeps headers in the browser", () => {
    const explorer = landingPage({ production: false });
    expect(JSON.parse(graphiqlOptions(explorer.render())["headers"] as string)).toEqual({ Authorization: "" });
    explorer.prefill(KEY);
    const options = graphiqlOptions(explorer.render());
    expect(JSON.parse(options["headers"] as string)).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(JSON.parse(options["defaultHeaders"] as string)).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(options["shouldPersistHeaders"]).toBe(true);
    expect(options["subscriptionsProtocol"]).toBe("WS");
  });

  it("in production, prefills nothing and keeps no headers in the browser", () => {
    const explorer = landingPage({ production: true });
    explorer.prefill(KEY);
    const html = explorer.render();
    expect(html.includes(KEY), "the key is in the page").toBe(false);
    const options = graphiqlOptions(html);
    expect(JSON.parse(options["headers"] as string)).toEqual({ Authorization: "" });
    expect(options["shouldPersistHeaders"]).toBe(false);
  });

  it("loads nothing from elsewhere: no external script, stylesheet, font or image", () => {
    const html = landingPage({ production: true }).render();
    expect(/<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?(https?:)?\/\//i.test(html)).toBe(false);
    expect(/@import\s+(url\()?["']?(https?:)?\/\//i.test(html)).toBe(false);
    expect(/url\(["']?(https?:)?\/\/[^)]*\.(woff2?|ttf|otf|css)/i.test(html)).toBe(false);
  });
});
