#!/usr/bin/env node
// replay-client.js: a Node `ws` client for test-cli-serve.py
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node replay-client.js URL [MESSAGE…]
//
// Connects, sends each MESSAGE as text, and prints one JSON line per
// message received ({"binary": bool, "base64": "…"}) and a last line
// {"close": code, "reason": "…"}. Gives up after 60 s.

'use strict';

const WebSocket = require('ws');

const url = process.argv[2];
const outgoing = process.argv.slice(3);
const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
const deadline = setTimeout(() => {
  process.stderr.write('replay-client.js: no close within 60 s\n');
  process.exit(3);
}, 60000);

ws.on('open', () => {
  for (const message of outgoing)
    ws.send(message);
});
ws.on('message', (data, isBinary) => {
  process.stdout.write(JSON.stringify({ binary: isBinary, base64: Buffer.from(data).toString('base64') }) + '\n');
});
ws.on('close', (code, reason) => {
  clearTimeout(deadline);
  process.stdout.write(JSON.stringify({ close: code, reason: reason.toString() }) + '\n');
});
ws.on('error', (error) => {
  process.stderr.write(`replay-client.js: ${error.message}\n`);
  process.exit(1);
});
