import { describe, expect, it } from "vitest";
import { Notifier } from "./notifier.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("the after-commit notifier", () => {
  it("sends at once when idle, and coalesces what arrives during a send, each payload once", async () => {
    const sent: [string, string[]][] = [];
    let release!: () => void;
    const notifier = new Notifier(async (channel, payloads) => {
      sent.push([channel, [...payloads]]);
      if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    notifier.notify("balance_events", ["acct_1"]);
    await tick();
    expect(sent).toEqual([["balance_events", ["acct_1"]]]);
    // While the first send is in flight:
    notifier.notify("balance_events", ["acct_2", "acct_3"]);
    notifier.notify("balance_events", ["acct_2"]);
    notifier.notify("other", ["x"]);
    release();
    await notifier.flushed();
    expect(sent).toEqual([
      ["balance_events", ["acct_1"]],
      ["balance_events", ["acct_2", "acct_3"]],
      ["other", ["x"]],
    ]);
  });

  it("ignores empty notifications", async () => {
    const sent: string[][] = [];
    const notifier = new Notifier(async (_channel, payloads) => void sent.push([...payloads]));
    notifier.notify("balance_events", []);
    await notifier.flushed();
    expect(sent).toEqual([]);
  });

  it("reports a failed send and carries on with the next ones", async () => {
    const errors: unknown[] = [];
    const sent: string[][] = [];
    let fail = true;
    const notifier = new Notifier(
      async (_channel, payloads) => {
        if (fail) {
          fail = false;
          throw new Error("connection lost");
        }
        sent.push([...payloads]);
      },
      (error) => errors.push(error),
    );
    notifier.notify("balance_events", ["acct_1"]);
    await notifier.flushed();
    notifier.notify("balance_events", ["acct_2"]);
    await notifier.flushed();
    expect(errors).toHaveLength(1);
    expect(sent).toEqual([["acct_2"]]);
  });
});
