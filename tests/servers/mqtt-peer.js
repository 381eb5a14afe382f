#!/usr/bin/env node
// mqtt-peer.js: a real MQTT broker (aedes, npm) over WebSocket, with a
// producer, for test-proto-mqtt
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node mqtt-peer.js [--port N] [--interval MS] [--qos Q] [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 (port 0 unless
// --port: a restarted broker takes the port of the one before), prints
// "PORT <n>", stops on stdin EOF or when the lifetime passes. Any path
// speaks MQTT 3.1.1 (aedes refuses 5 with CONNACK 1). The producer
// publishes tick i, {"sym":"BTC","price":100.25 + 1.5 i,"seq":i}, on
// ticks/btc every --interval ms (QoS --qos), through the broker itself.
// Every client that connects and subscribes is told on stdout:
// "CLIENT <id> <keepalive>", "SUBSCRIBE <filter> <qos>".

'use strict';

const { createServer } = require('http');
const { WebSocketServer, createWebSocketStream } = require('ws');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

async function main () {
  const args = parseArgs(process.argv.slice(2), 'mqtt-peer.js', { port: 0, interval: 50, qos: 0, lifetime: 120 });
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const http = createServer();
  const server = new WebSocketServer({ server: http, perMessageDeflate: false });
  let seq = 0;

  server.on('connection', (ws) => {
    const stream = createWebSocketStream(ws);

    stream.on('error', () => {});
    broker.handle(stream);
  });
  broker.on('client', (client) => process.stdout.write(`CLIENT ${client.id} ${client._keepaliveInterval}\n`));
  broker.on('subscribe', (subscriptions) => {
    for (const s of subscriptions)
      process.stdout.write(`SUBSCRIBE ${s.topic} ${s.qos}\n`);
  });
  setInterval(() => {
    const tick = { sym: 'BTC', price: 100.25 + 1.5 * seq, seq };

    seq++;
    broker.publish({ cmd: 'publish', topic: 'ticks/btc', qos: args.qos, retain: false,
                     payload: Buffer.from(JSON.stringify(tick)) }, () => {});
  }, args.interval).unref();

  http.listen(args.port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${http.address().port}\n`);
  });
  stopWhenDone({
    clients: server.clients,
    close: (done) => broker.close(() => { server.close(); http.close(done); }),
  }, 'mqtt-peer.js', args.lifetime);
}

main();
