import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { dashboardFile } from "./dashboard.ts";

const root = resolve("/srv/dashboard");

describe("dashboardFile", () => {
  it("maps the dashboard's paths to files inside its directory", () => {
    expect(dashboardFile(root, "/dashboard/")).toBe(join(root, "index.html"));
    expect(dashboardFile(root, "/dashboard/assets/index-abc.js")).toBe(join(root, "assets", "index-abc.js"));
    expect(dashboardFile(root, "/dashboard/assets%2Findex-abc.js")).toBe(join(root, "assets", "index-abc.js"));
  });

  it.each([
    "/dashboard/../package.json",
    "/dashboard/%2e%2e/package.json",
    "/dashboard/assets/..%2f..%2fpackage.json",
    "/dashboard/.env",
    "/dashboard/assets/.hidden",
    "/dashboard/a%00b",
    "/dashboard/%E0%A4%A",
  ])("refuses %s", (path) => {
    expect(dashboardFile(root, path)).toBeUndefined();
  });

  it("keeps an encoded absolute path inside the directory", () => {
    expect(dashboardFile(root, "/dashboard/%2fetc%2fpasswd")).toBe(join(root, "etc", "passwd"));
  });
});
