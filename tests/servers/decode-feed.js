#!/usr/bin/env node
// decode-feed.js: the ticker feed of decode_feed.py, made by Node encoders
// (@msgpack/msgpack, cbor-x, Node's zlib), for test-session-decode
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node decode-feed.js [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 port 0, prints
// "PORT <n>", stops on stdin EOF or when the lifetime passes. Each route
// sends the same ticks as decode_feed.py (tick i: {"sym": "BTC", "price":
// 100.25 + 1.5 i, "seq": i}) as binary messages, then one that does not
// decode, then closes with 1000.
//
//   /msgpack   @msgpack/msgpack encode()
//   /cbor      cbor-x encode() (it writes maps with a 16-bit length)
//   /gzip      zlib.gzipSync of the tick's JSON

'use strict';

const zlib = require('zlib');
const { WebSocketServer } = require('ws');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');
const msgpack = require('@msgpack/msgpack');
const cbor = require('cbor-x');

const TICKS = 20;

function tick (i) {
  return { sym: 'BTC', price: 100.25 + 1.5 * i, seq: i };
}

const routes = {
  '/msgpack': { encode: (t) => Buffer.from(msgpack.encode(t)), garbage: [0x92, 0x01, 0xc1] },
  '/cbor': { encode: (t) => Buffer.from(cbor.encode(t)), garbage: [0x82, 0x01, 0x1c] },
  '/gzip': {
    encode: (t) => zlib.gzipSync(Buffer.from(JSON.stringify(t))),
    garbage: [0x1f, 0x8b, 0x08, 0x00, 0x62, 0x72, 0x6f, 0x6b, 0x65, 0x6e],
  },
};

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2), 'decode-feed.js', { lifetime: 120 });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

  server.on('listening', () => {
    process.stdout.write(`PORT ${server.address().port}\n`);
  });

  server.on('connection', (ws, req) => {
    const route = routes[new URL(req.url, 'ws://127.0.0.1').pathname];

    ws.on('error', (error) => process.stderr.write(`decode-feed.js: ${error.message}\n`));
    if (route === undefined) {
      ws.close(4404, 'no route');
      return;
    }
    for (let i = 0; i < TICKS; i++)
      ws.send(route.encode(tick(i)), { binary: true });
    ws.send(Buffer.from(route.garbage), { binary: true });
    ws.close(1000, 'done');
  });

  stopWhenDone(server, 'decode-feed.js', lifetime);
}

main();
