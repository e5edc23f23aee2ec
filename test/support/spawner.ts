// A process that starts another (the sleeper) the way tests start processes, then does nothing:
// the subject of the test that a spawned process does not outlive whoever spawned it.
import { spawnEntry } from "../../cmd/spawn.ts";

const sleeper = spawnEntry("test/support/sleeper.ts", [], {});
await sleeper.waitFor(/ready/);
console.log(`sleeper ${sleeper.child.pid}`);
setInterval(() => {}, 60_000);
