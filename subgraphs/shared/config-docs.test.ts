// Every setting is documented: docs/configuration.md names each environment variable the
// configuration schema reads, so a new setting cannot ship without its row.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "./config.ts";

const documented = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("names every setting of the configuration schema", () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(40);
    expect(SETTING_NAMES.filter((name) => !documented.includes(`\`${name}\``))).toEqual([]);
  });
});
