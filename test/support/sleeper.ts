// A process that does nothing until it is stopped: the subject of the process-cleanup test.
console.log("ready");
setInterval(() => {}, 60_000);
