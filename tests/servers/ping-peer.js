#!/usr/bin/env node
// ping-peer.js: a WebSocket peer on Node `ws` that pings its client
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node ping-peer.js [--lifetime SECONDS]
//
// The same contract as ping_peer.py (see there; the frames must stay
// byte-identical): listens on 127.0.0.1 port 0, prints "PORT <n>" first,
// stops when stdin reaches EOF or the lifetime (default 60 s) passes.
//   any path but /flood   pings "p1", 00 ff 01 02, 125 bytes of "0123456789…";
//                         an unsolicited pong "nobody-asked"; text "done"
//   /flood                10,000 pings "f0" to "f9999", then text "done"
// then waits for the client to close (at most 10 s, then closes with 1000).
// stdout: {"event":"pong","path":…,"text"|"base64":…} per pong (not on
// /flood), and {"event":"closed","path","pings","pongs","matched","code"}.

'use strict';

const { WebSocketServer } = require('ws');
const { stopWhenDone } = require('./peer-lifetime.js');

const PINGS = [
  Buffer.from('p1'),
  Buffer.from([0x00, 0xff, 0x01, 0x02]),
  Buffer.from('0123456789'.repeat(13).slice(0, 125)),
];
const UNSOLICITED = Buffer.from('nobody-asked');
const FLOOD = 10000;
const CLOSE_WAIT = 10000;

function parseArgs (argv) {
  let lifetime = 60;

  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lifetime' && i + 1 < argv.length)
      lifetime = Number(argv[++i]);
    else if (argv[i].startsWith('--lifetime='))
      lifetime = Number(argv[i].slice('--lifetime='.length));
    else {
      process.stderr.write(`ping-peer.js: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  if (!(lifetime > 0)) {
    process.stderr.write('ping-peer.js: --lifetime needs a positive number\n');
    process.exit(2);
  }
  return { lifetime };
}

function emit (record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

// "text" when the payload is UTF-8, else "base64" (as ping_peer.py).
function payloadFields (data) {
  const text = data.toString('utf8');

  if (Buffer.from(text, 'utf8').equals(data))
    return { text };
  return { base64: data.toString('base64') };
}

function onConnection (ws, req) {
  const path = req.url;
  const flood = new URL(req.url, 'ws://127.0.0.1').pathname === '/flood';
  const sent = [];
  const pongs = [];

  if (flood) {
    for (let i = 0; i < FLOOD; i++)
      sent.push(Buffer.from(`f${i}`));
  } else {
    sent.push(...PINGS);
  }

  ws.on('error', (error) => process.stderr.write(`ping-peer.js: ${error.message}\n`));
  ws.on('pong', (data) => {
    pongs.push(Buffer.from(data));
    if (!flood)
      emit(Object.assign({ event: 'pong', path }, payloadFields(data)));
  });

  const timer = setTimeout(() => ws.close(1000, 'ping peer done'), CLOSE_WAIT);
  ws.on('close', (code) => {
    clearTimeout(timer);
    const wanted = new Set(sent.map((b) => b.toString('hex')));
    emit({
      event: 'closed',
      path,
      pings: sent.length,
      pongs: pongs.length,
      matched: pongs.filter((p) => wanted.has(p.toString('hex'))).length,
      code: code === 1005 || code === 1006 ? null : code,
    });
  });

  for (const data of sent)
    ws.ping(data);
  if (!flood)
    ws.pong(UNSOLICITED);
  ws.send('done');
}

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2));

  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
  });

  server.on('listening', () => {
    process.stdout.write(`PORT ${server.address().port}\n`);
  });
  server.on('connection', onConnection);

  stopWhenDone(server, 'ping-peer.js', lifetime);
}

main();
