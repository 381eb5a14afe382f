#!/usr/bin/env node
// stomp-peer.js: a real STOMP broker (stomp-broker-js, npm) over
// WebSocket, with a producer, for test-proto-stomp
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node stomp-peer.js [--port N] [--interval MS] [--heartbeat MS] [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 (port 0 unless
// --port: a restarted broker takes the port of the one before), prints
// "PORT <n>", stops on stdin EOF or when the lifetime passes. The broker
// is at /stomp; it wants the client's heart-beats at least every
// --heartbeat ms (with a 300 ms margin) and drops a client that misses
// them. The producer sends tick i, {"sym":"BTC","price":100.25 + 1.5 i,
// "seq":i}, to /topic/ticks every --interval ms. Tells on stdout:
// "CONNECT <heart-beat header> <host header> <login header>",
// "SUBSCRIBE <destination>", "SEND <destination> <body as JSON>" (a
// client's: the broker does not send a client's frames back to it),
// "DISCONNECTED".

'use strict';

const { createServer } = require('http');
const StompServer = require('stomp-broker-js');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

function main () {
  const args = parseArgs(process.argv.slice(2), 'stomp-peer.js',
                         { port: 0, interval: 50, heartbeat: 500, lifetime: 120 });
  const http = createServer();
  const broker = new StompServer({ server: http, path: '/stomp', heartbeat: [0, args.heartbeat],
                                   heartbeatErrorMargin: 300 });
  let seq = 0;

  broker.on('connected', (id, headers) =>
    process.stdout.write(`CONNECT ${headers['heart-beat']} ${headers.host} ${headers.login}\n`));
  broker.on('subscribe', (sub) => process.stdout.write(`SUBSCRIBE ${sub.topic}\n`));
  broker.on('send', ({ dest, frame }) => {
    if (frame.headers['x-producer'] === undefined)
      process.stdout.write(`SEND ${dest} ${JSON.stringify(frame.body)}\n`);
  });
  broker.on('disconnected', () => process.stdout.write('DISCONNECTED\n'));
  setInterval(() => {
    const tick = { sym: 'BTC', price: 100.25 + 1.5 * seq, seq };

    seq++;
    broker.send('/topic/ticks', { 'content-type': 'application/json', 'x-producer': '1' }, JSON.stringify(tick));
  }, args.interval).unref();

  http.listen(args.port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${http.address().port}\n`);
  });
  stopWhenDone({
    clients: broker.socket.clients,
    close: (done) => { broker.socket.close(); http.close(done); },
  }, 'stomp-peer.js', args.lifetime);
}

main();
