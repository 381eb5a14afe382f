// peer-lifetime.js: what every Node test peer here shares: its command line
// (`--name VALUE` numbers, each with a default; anything else is refused
// with exit status 2), and how it ends: when its stdin closes (the test
// went away), when its lifetime is over, or on SIGTERM or SIGINT; open
// connections are dropped and the process exits 0.
'use strict';

// The numbers `--name VALUE` in @argv sets over @defaults (a peer's every
// option, with its default); an unknown option or one without a value
// ends the peer @name with exit status 2.
function parseArgs (argv, name, defaults) {
  const args = { ...defaults };

  for (let i = 0; i < argv.length; i++) {
    const option = argv[i].replace(/^--/, '');

    if (!argv[i].startsWith('--') || !(option in args) || i + 1 >= argv.length) {
      process.stderr.write(`${name}: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
    args[option] = Number(argv[++i]);
  }
  return args;
}

// Stops the peer @name once the test is done with it. @server is a `ws`
// WebSocketServer, or give @close (called once, with a callback to call
// when closed) for a server that closes its own way.
function stopWhenDone (server, name, lifetime, close) {
  let stopping = false;

  function closeServer (done) {
    for (const ws of server.clients)
      ws.terminate();
    server.close(done);
  }

  function stop (why) {
    if (stopping)
      return;
    stopping = true;
    process.stderr.write(`${name}: stopping: ${why}\n`);
    (close || closeServer)(() => process.exit(0));
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

module.exports = { parseArgs, stopWhenDone };
