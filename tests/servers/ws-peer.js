#!/usr/bin/env node
// ws-peer.js: a WebSocket peer built on Node `ws`, for interop tests
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node ws-peer.js [--lifetime SECONDS]
//
// The same contract as ws_peer.py (see there for the message formats, which
// must stay byte-identical): listens on 127.0.0.1 port 0, prints one line
// "PORT <n>", stops when stdin reaches EOF or the lifetime (default 120 s)
// passes. Routes: /echo, /push, /close, /drop, /headers.
//
// Subprotocols: chat.v2 and chat.v1; the first of the client's offers that
// we support wins. When none matches, handleProtocols returns false and ws
// answers the handshake without Sec-WebSocket-Protocol. (Without a
// handleProtocols hook, ws would accept the client's first offer, whatever
// it is.)

'use strict';

const { WebSocketServer } = require('ws');
const { stopWhenDone } = require('./peer-lifetime.js');

const SUBPROTOCOLS = ['chat.v2', 'chat.v1'];
const MAX_SIZE = 16 * 1024 * 1024;

function parseArgs (argv) {
  let lifetime = 120;

  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lifetime' && i + 1 < argv.length)
      lifetime = Number(argv[++i]);
    else if (argv[i].startsWith('--lifetime='))
      lifetime = Number(argv[i].slice('--lifetime='.length));
    else {
      process.stderr.write(`ws-peer.js: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }

  if (!(lifetime > 0)) {
    process.stderr.write('ws-peer.js: --lifetime needs a positive number\n');
    process.exit(2);
  }
  return { lifetime };
}

function pushMessage (index, size, binary) {
  if (binary) {
    const data = Buffer.alloc(size);

    for (let j = 0; j < size; j++)
      data[j] = (index + j) % 256;
    if (size >= 4)
      data.writeUInt32BE(index, 0);
    return data;
  }

  const head = `{"i":${index},"pad":"`;
  const tail = '"}';
  if (size >= head.length + tail.length)
    return head + 'x'.repeat(size - head.length - tail.length) + tail;
  if (size === 0)
    return '';
  return String(index).padStart(size, '0').slice(-size);
}

function queryInt (query, name, fallback) {
  const value = query.get(name);

  return value === null || value === '' ? fallback : parseInt(value, 10);
}

const routes = {
  '/echo' (ws) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  },

  '/push' (ws, query) {
    const count = queryInt(query, 'n', 1);
    const size = queryInt(query, 'size', 16);
    const binary = queryInt(query, 'binary', 0) !== 0;
    const code = queryInt(query, 'close', null);

    for (let i = 0; i < count; i++)
      ws.send(pushMessage(i, size, binary), { binary });
    if (code !== null)
      ws.close(code, 'push done');
  },

  '/close' (ws, query) {
    ws.close(queryInt(query, 'code', 1000), query.get('reason') || '');
  },

  '/drop' (ws) {
    // Destroy the socket once "bye" is written: terminate() right away
    // would discard it with the socket's pending writes.
    ws.send('bye', () => ws._socket.destroy());
  },

  '/headers' (ws, query, req) {
    const headers = {};

    // rawHeaders keeps repeated headers; names are lowercased here.
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      const value = req.rawHeaders[i + 1];

      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    headers.path = req.url;
    headers.subprotocol = ws.protocol === '' ? null : ws.protocol;
    ws.send(JSON.stringify(headers));
  },
};

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2));

  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: MAX_SIZE,
    perMessageDeflate: false,
    handleProtocols (protocols) {
      for (const offer of protocols) {
        if (SUBPROTOCOLS.includes(offer))
          return offer;
      }
      return false;
    },
  });

  server.on('listening', () => {
    process.stdout.write(`PORT ${server.address().port}\n`);
  });

  server.on('connection', (ws, req) => {
    const url = new URL(req.url, 'ws://127.0.0.1');
    const route = routes[url.pathname];

    ws.on('error', (error) => process.stderr.write(`ws-peer.js: ${error.message}\n`));
    if (route === undefined)
      ws.close(4404, `no route ${url.pathname}`);
    else
      route(ws, url.searchParams, req);
  });

  stopWhenDone(server, 'ws-peer.js', lifetime);
}

main();
