// The shared lifecycle helper: what may follow what, which statuses are final or still active,
// and the INVALID_STATE refusal of a move the machine does not allow.

import { describe, expect, it } from "vitest";
import { isRefusal } from "../refusal.ts";
import { stateMachine } from "./state-machine.ts";

type Light = "GREEN" | "AMBER" | "RED" | "OFF";

const light = stateMachine<Light>("light", { GREEN: ["AMBER", "OFF"], AMBER: ["RED"], RED: ["GREEN"], OFF: [] });

describe("a state machine", () => {
  it("allows exactly the declared transitions", () => {
    const allowed = light.statuses.flatMap((from) =>
      light.statuses.filter((to) => light.canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual(["GREEN->AMBER", "GREEN->OFF", "AMBER->RED", "RED->GREEN"]);
  });

  it("knows its final and active statuses, in declaration order", () => {
    expect(light.statuses).toEqual(["GREEN", "AMBER", "RED", "OFF"]);
    expect(light.statuses.filter(light.isFinal)).toEqual(["OFF"]);
    expect(light.active).toEqual(["GREEN", "AMBER", "RED"]);
  });

  it("moves when allowed and refuses otherwise with INVALID_STATE naming both statuses", () => {
    expect(light.move("GREEN", "AMBER")).toEqual({ from: "GREEN", to: "AMBER" });
    const refused = light.move("OFF", "GREEN");
    expect(isRefusal(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "INVALID_STATE", message: "A OFF light cannot become GREEN" });
    expect(isRefusal(light.move("GREEN", "GREEN"))).toBe(true);
  });
});
