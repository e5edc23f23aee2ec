// Preloaded (`--import`) into every process cmd/spawn.ts starts: the process stops when the one
// that started it is gone, however that one ended. A parent's own exit handler cannot promise it:
// a process ended by a signal (vitest ends its test workers with SIGTERM; Ctrl-C; SIGKILL) runs
// none, and its children would live on, holding ports and database connections.
//
// spawn.ts opens an IPC channel to each child for this alone; the channel closes when the parent
// dies, and the child then stops as on Ctrl-C (SIGTERM: a clean shutdown), or is killed if that
// has not finished within `FORCED_AFTER_MS`.

const FORCED_AFTER_MS = 10_000;

if (process.channel) {
  // Only a watch: the channel must not keep a process alive that is otherwise done.
  process.channel.unref();
  process.once("disconnect", () => {
    setTimeout(() => process.kill(process.pid, "SIGKILL"), FORCED_AFTER_MS).unref();
    process.kill(process.pid, "SIGTERM");
  });
}
