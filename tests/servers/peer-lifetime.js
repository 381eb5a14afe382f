// peer-lifetime.js: how every Node test peer here ends: when its stdin
// closes (the test went away), when its lifetime is over, or on SIGTERM or
// SIGINT; open connections are dropped and the process exits 0.
'use strict';

function stopWhenDone (server, name, lifetime) {
  let stopping = false;

  function stop (why) {
    if (stopping)
      return;
    stopping = true;
    process.stderr.write(`${name}: stopping: ${why}\n`);
    for (const ws of server.clients)
      ws.terminate();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }

  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
  setTimeout(() => stop('lifetime over'), lifetime * 1000).unref();
  process.on('SIGTERM', () => stop('signal'));
  process.on('SIGINT', () => stop('signal'));
}

module.exports = { stopWhenDone };
