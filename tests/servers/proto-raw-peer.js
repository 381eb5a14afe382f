#!/usr/bin/env node
// proto-raw-peer.js: scripted STOMP and MQTT servers that send what real
// brokers seldom do (several frames or packets in one WebSocket message, a
// packet across messages) and what they never do (malformed frames), for
// test-proto-stomp and test-proto-mqtt
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node proto-raw-peer.js [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 port 0, prints
// "PORT <n>", stops on stdin EOF or when the lifetime passes. Routes (the
// script starts at the client's first message, CONNECT):
//
//   /stomp  CONNECTED; one message with two MESSAGE frames (escaped
//           headers, a content-length) and heart-beats between; a
//           heart-beat; ERROR; four malformed frames (unknown command, a
//           header without colon, a bad escape, no NUL); RECEIPT; a
//           MESSAGE with a text body.
//   /mqtt   one message with CONNACK, a QoS 0 and a QoS 1 (id 7) PUBLISH;
//           a PUBLISH in three messages; three malformed packets (a
//           remaining length of 5 bytes, type 0, a topic past the end); a
//           text message; a last PUBLISH. Prints "PUBACK <id>" for each
//           PUBACK received.

'use strict';

const { WebSocketServer } = require('ws');
const { packet, str } = require('./mqtt-bytes.js');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

function publish (topic, payload, qos, id) {
  const parts = [str(topic)];

  if (qos > 0)
    parts.push(Buffer.from([id >> 8, id & 0xff]));
  parts.push(Buffer.from(payload));
  return packet(0x30 | (qos << 1), Buffer.concat(parts));
}

function mqttScript (ws) {
  const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
  const split = publish('ticks/split', '{"price":3}', 0, 0);

  ws.send(Buffer.concat([connack, publish('ticks/a', '{"price":1}', 0, 0), publish('ticks/a', '{"price":2}', 1, 7)]));
  ws.send(split.subarray(0, 1));
  ws.send(split.subarray(1, 6));
  ws.send(split.subarray(6));
  ws.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
  ws.send(Buffer.from([0x00, 0x00]));
  ws.send(Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61]));
  ws.send('hello');
  ws.send(publish('ticks/last', '{"price":4}', 0, 0));
}

function stompScript (ws) {
  ws.send('CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0');
  ws.send('MESSAGE\ndestination:/queue/a\nsubscription:sub-0\nmessage-id:1\nx\\cy:a\\nb\\\\\n\n{"price":1}\0' +
          '\n\r\n' +
          'MESSAGE\ndestination:/queue/a\nmessage-id:2\ncontent-length:11\n\n{"price":2}\0\n');
  ws.send('\n');
  ws.send('ERROR\nmessage:bad thing\n\noops\0');
  ws.send('FOO\n\n\0');
  ws.send('MESSAGE\nno-colon\n\n\0');
  ws.send('MESSAGE\nx:bad\\q\n\n\0');
  ws.send('MESSAGE\n\nno nul');
  ws.send('RECEIPT\nreceipt-id:77\n\n\0');
  ws.send('MESSAGE\ndestination:/queue/b\n\nplain text\0');
}

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2), 'proto-raw-peer.js', { lifetime: 120 });

  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

  server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
  server.on('connection', (ws, request) => {
    let started = false;

    ws.on('message', (data, binary) => {
      if (!started) {
        started = true;
        if (request.url === '/mqtt')
          mqttScript(ws);
        else
          stompScript(ws);
        return;
      }
      if (binary && data.length === 4 && data[0] === 0x40)
        process.stdout.write(`PUBACK ${(data[2] << 8) | data[3]}\n`);
    });
  });
  stopWhenDone(server, 'proto-raw-peer.js', lifetime);
}

main();
