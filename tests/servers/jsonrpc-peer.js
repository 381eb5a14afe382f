// jsonrpc-peer.js: a JSON-RPC 2.0 server over WebSocket made with
// rpc-websockets (npm), for test-cli-app.py.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node jsonrpc-peer.js [--lifetime SECONDS] [--port PORT]
//
// Listens on 127.0.0.1, prints "PORT <n>", stops on stdin EOF or when the
// lifetime passes. Methods: sum(a, b); fail() (throws: an error response);
// the library's own subscriptions: rpc.on ["ticks"] streams {"seq", "price"}
// notifications every 20 ms to whoever subscribed.
'use strict';

const { Server } = require('rpc-websockets');
const { stopWhenDone } = require('./peer-lifetime.js');

function main () {
  const at = process.argv.indexOf('--lifetime');
  const lifetime = at > 0 ? Number(process.argv[at + 1]) : 120;
  const portAt = process.argv.indexOf('--port');
  const server = new Server({ host: '127.0.0.1', port: portAt > 0 ? Number(process.argv[portAt + 1]) : 0 });

  server.register('sum', (params) => params[0] + params[1]);
  server.register('fail', () => { throw new Error('it fails on purpose'); });
  server.event('ticks');

  let seq = 0;
  setInterval(() => {
    seq++;
    server.emit('ticks', { seq, price: 100 + seq * 0.25 });
  }, 20).unref();

  server.on('listening', () => {
    process.stdout.write(`PORT ${server.wss.address().port}\n`);
  });
  stopWhenDone(server.wss, 'jsonrpc-peer.js', lifetime);
}

main();
