// A process that claims one idempotency key and then sits on it, as a request in flight does,
// until it is killed: the other side of "a killed owner's key is taken over within seconds".
// argv: scope key; DATABASE_URL from the environment.

import { openDatabase } from "../../subgraphs/shared/db/database.ts";
import { Idempotency } from "../../subgraphs/shared/idempotency/idempotency.ts";

const [scope, key] = process.argv.slice(2);
const db = await openDatabase({ url: process.env["DATABASE_URL"], poolSize: 2 });
const claim = await new Idempotency(db).claim({ scope: scope!, key: key!, operation: "op", params: {} });
console.log(`claimed ${claim.kind}`);
// The operation "runs" until the process is killed.
setInterval(() => {}, 60_000);
