#!/usr/bin/env node
// mosquitto-peer.js: Debian's mosquitto (MQTT 5 and 3.1.1), reached over
// WebSocket, with an MQTT 5 producer, for test-proto-mqtt
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node mosquitto-peer.js [--port N] [--interval MS] [--lifetime SECONDS]
//
// Debian's mosquitto 2.0.11 does not start its websockets listener here
// (libwebsockets: "Unable to start any listening sockets"), so the broker
// listens on TCP (a free port on 127.0.0.1) and this peer carries each
// WebSocket message's bytes to it and back, unchanged (subprotocol
// "mqtt"): the MQTT is all mosquitto's. The peers' contract (see
// ws-peer.js): listens on 127.0.0.1 (port 0 unless --port), prints "PORT
// <n>", stops (and stops mosquitto) on stdin EOF or when the lifetime
// passes. The producer, an MQTT 5 client written here, publishes tick i,
// {"sym":"BTC","price":100.25 + 1.5 i,"seq":i}, on ticks/btc every
// --interval ms with a content_type and a user property (sonde: test).

'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { createServer } = require('http');
const { WebSocketServer } = require('ws');
const { packet, str } = require('./mqtt-bytes.js');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

function freePort () {
  return new Promise((resolve) => {
    const server = net.createServer();

    server.listen(0, '127.0.0.1', () => {
      const port = server.address().port;

      server.close(() => resolve(port));
    });
  });
}

function connectWhenUp (port, tries) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');

    socket.once('connect', () => resolve(socket));
    socket.once('error', () => {
      if (tries <= 0)
        reject(new Error('mosquitto did not start'));
      else
        setTimeout(() => connectWhenUp(port, tries - 1).then(resolve, reject), 50);
    });
  });
}

async function main () {
  const args = parseArgs(process.argv.slice(2), 'mosquitto-peer.js', { port: 0, interval: 50, lifetime: 120 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-mosquitto-'));
  const brokerPort = await freePort();
  const config = path.join(dir, 'mosquitto.conf');

  fs.writeFileSync(config, `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n`);
  const program = fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
  const broker = spawn(program, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  broker.on('exit', (code) => {
    process.stderr.write(`mosquitto-peer.js: mosquitto exited (${code})\n`);
    process.exit(1);
  });
  process.on('exit', () => {
    broker.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The producer: MQTT 5 CONNECT, then publishes with properties.
  const producer = await connectWhenUp(brokerPort, 100);
  let seq = 0;

  producer.on('data', () => {});
  producer.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([5, 0x02, 0, 60, 0]), str('sonde-producer')])));
  setInterval(() => {
    const tick = { sym: 'BTC', price: 100.25 + 1.5 * seq, seq };
    const properties = Buffer.concat([Buffer.from([0x03]), str('application/json'),
                                      Buffer.from([0x26]), str('sonde'), str('test')]);

    seq++;
    producer.write(packet(0x30, Buffer.concat([str('ticks/btc'), Buffer.from([properties.length]), properties,
                                               Buffer.from(JSON.stringify(tick))])));
  }, args.interval).unref();
  setInterval(() => producer.write(Buffer.from([0xc0, 0])), 20000).unref();

  const http = createServer();
  const server = new WebSocketServer({ server: http, perMessageDeflate: false,
                                       handleProtocols: (protocols) => protocols.has('mqtt') ? 'mqtt' : false });

  server.on('connection', (ws) => {
    const socket = net.connect(brokerPort, '127.0.0.1');

    ws.on('message', (data) => socket.write(data));
    ws.on('close', () => socket.destroy());
    socket.on('data', (data) => ws.send(data));
    socket.on('close', () => ws.terminate());
    socket.on('error', () => ws.terminate());
  });
  http.listen(args.port, '127.0.0.1', () => process.stdout.write(`PORT ${http.address().port}\n`));
  stopWhenDone({
    clients: server.clients,
    close: (done) => { server.close(); http.close(done); },
  }, 'mosquitto-peer.js', args.lifetime);
}

main();
