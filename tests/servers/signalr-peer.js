#!/usr/bin/env node
// signalr-peer.js: a SignalR JSON hub protocol peer replaying frames
// written from the protocol's specification (no SignalR server runs here:
// ASP.NET Core needs .NET, and npm's @microsoft/signalr is a client), for
// test-proto-signalr and sonde-cli runs
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node signalr-peer.js [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 port 0 (Node
// `ws`), prints "PORT <n>", stops on stdin EOF or when the lifetime
// passes. Every message ends with the record separator 0x1E
// (HubProtocol.md). At /hub:
//
//   client: {"protocol":"json","version":1}RS  server: {}RS (a frame alone)
//   then one frame holding three messages: ReceiveTick seq 0, a ping
//   {"type":6}, ReceiveTick seq 1; then ReceiveTick every 20 ms
//   ({"type":1,"target":"ReceiveTick","arguments":[{"price":100.25 + 1.5 i,
//   "seq":i}]}) and a ping every 200 ms, each its own frame.
//   client ping {"type":6}RS: the server counts it and says so with an
//   invocation {"type":1,"target":"PingSeen","arguments":[n]}
//   client invocation with an invocationId: a completion {"type":3,
//   "invocationId":…,"result":"ok <target>"}, or {"…","error":"…"} for the
//   target "Fail"; a stream invocation: three stream items, then a
//   completion
// At /close: the handshake answer, then {"type":7,"error":"Server is
// shutting down","allowReconnect":true}RS and a close 1000.
// At /refuse: the handshake answer {"error":"Requested protocol 'json' is
// not available."}RS and a close 1000.

'use strict';

const { WebSocketServer } = require('ws');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

const RS = '\x1e';

function tick (i) {
  return { type: 1, target: 'ReceiveTick', arguments: [{ price: 100.25 + 1.5 * i, seq: i }] };
}

function record (message) {
  return JSON.stringify(message) + RS;
}

function answer (ws, message, state) {
  if (message.type === 6) {
    state.pings++;
    ws.send(record({ type: 1, target: 'PingSeen', arguments: [state.pings] }));
  } else if (message.type === 1 && message.invocationId !== undefined) {
    if (message.target === 'Fail')
      ws.send(record({ type: 3, invocationId: message.invocationId, error: 'Failed to invoke \'Fail\'' }));
    else
      ws.send(record({ type: 3, invocationId: message.invocationId, result: `ok ${message.target}` }));
  } else if (message.type === 4) {
    for (let i = 0; i < 3; i++)
      ws.send(record({ type: 2, invocationId: message.invocationId, item: i }));
    ws.send(record({ type: 3, invocationId: message.invocationId }));
  }
}

function start (ws, path) {
  const state = { pings: 0, timers: [] };

  if (path === '/refuse') {
    ws.send(record({ error: 'Requested protocol \'json\' is not available.' }));
    ws.close(1000);
    return state;
  }
  ws.send('{}' + RS);
  if (path === '/close') {
    ws.send(record({ type: 7, error: 'Server is shutting down', allowReconnect: true }));
    ws.close(1000);
    return state;
  }
  ws.send(record(tick(0)) + record({ type: 6 }) + record(tick(1)));
  let i = 2;
  state.timers.push(setInterval(() => ws.send(record(tick(i++))), 20));
  state.timers.push(setInterval(() => ws.send(record({ type: 6 })), 200));
  return state;
}

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2), 'signalr-peer.js', { lifetime: 120 });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

  server.on('connection', (ws, request) => {
    const path = request.url.split('?')[0];
    let buffered = '';
    let state = null;

    ws.on('message', (data) => {
      buffered += data.toString('utf8');
      let end;
      while ((end = buffered.indexOf(RS)) >= 0) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        let message;
        try {
          message = JSON.parse(text);
        } catch (e) {
          ws.close(1003, 'not JSON');
          return;
        }
        if (state === null) {
          if (message.protocol !== 'json' || message.version !== 1) {
            ws.send(record({ error: 'Unsupported handshake' }));
            ws.close(1000);
            return;
          }
          state = start(ws, path);
        } else
          answer(ws, message, state);
      }
    });
    ws.on('close', () => {
      if (state !== null)
        state.timers.forEach(clearInterval);
    });
  });
  server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
  stopWhenDone(server, 'signalr-peer.js', lifetime);
}

main();
