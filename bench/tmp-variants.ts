import { thisCheckout, interleaved, median } from "./checkouts.ts";
import { startProduct, seedPlatform, post, DASHBOARD_QUERY, closeConnections } from "./product.ts";
import { load } from "./support.ts";
const variants = JSON.parse(process.env.VARIANTS!) as Record<string, Record<string, string>>;
const running = [];
for (const [name, env] of Object.entries(variants)) {
  const p = await startProduct(thisCheckout(), process.env.DATABASE_URL!, { DEDUPLICATE_INFLIGHT_QUERIES: "false", ...env });
  const keys = [];
  for (let i = 0; i < 20; i += 4)
    keys.push(...(await Promise.all([0, 1, 2, 3].map(() => seedPlatform(p.port, p.adminKey)))).map((s) => s.key));
  running.push({ name, p, keys, res: [] as number[], ser: [] as number[], cpu: [] as number[] });
}
const body = JSON.stringify({ query: DASHBOARD_QUERY });
for (let r = 0; r < 3; r++)
  for (const v of interleaved(running, r)) {
    const h = v.keys.map((k) => ({ authorization: `Bearer ${k}` }));
    const s = await load(1, 6, async () => void (await post(v.p.port, body, h[0])), v.p.pid);
    const c = await load(20, 8, async (w) => void (await post(v.p.port, body, h[w])), v.p.pid);
    v.res.push(c.perSecond);
    v.ser.push(s.p50ms);
    v.cpu.push(c.cpuMsPerOperation!);
    console.log(v.name, "serial", s.p50ms, "conc", c.perSecond, c.cpuMsPerOperation, JSON.stringify(c.errors));
  }
for (const v of running) {
  console.log(v.name, "median serial", median(v.ser), "pages/s", median(v.res), "cpu", median(v.cpu));
  await v.p.stop();
}
closeConnections();
