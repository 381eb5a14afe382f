// socketio-peer.js: a Socket.IO v4 server (npm `socket.io`, nobody here
// wrote it) for the Socket.IO mode's tests.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 (port 0, or
// --port N to come back on the port of a server that was stopped), prints
// "PORT <n>", stops on stdin EOF, SIGTERM or when its lifetime passes.
// pingInterval is 300 ms and pingTimeout 200 ms: a client that does not
// answer pings is dropped within half a second.
//
// Namespace "/":
//   "subscribe" {"sym"}  starts a "tick" stream, {"sym","price","seq","server"} every
//                  40 ms, price 100 + seq / 2, server N (this server's number, --server N)
//   "echo" ARGS… with an ack: acks with the same arguments
//   "garbage"      sends three malformed packets: 49oops, 42["tick", and 45["no-dash"]
//   "binary"       emits "blob" {"name":"three","data":<3 bytes>} and <"hi" bytes>
//   "sum" [a, b] with an ack: acks with a + b after 20 ms
// Namespace "/admin": refuses a CONNECT whose auth is not {"token":"s3cret"}
//   (connect_error "not authorized"); on connect emits "welcome" {"nsp":"/admin"}.
'use strict';

const http = require('http');
const { Server } = require('socket.io');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

function main () {
  const args = parseArgs(process.argv.slice(2), 'socketio-peer.js', { port: 0, lifetime: 300, server: 1 });
  const httpServer = http.createServer();
  const io = new Server(httpServer, { pingInterval: 300, pingTimeout: 200, transports: ['websocket'] });

  io.on('connection', (socket) => {
    let timer = null;

    process.stderr.write(`socketio-peer.js: ${socket.id} connected to /\n`);
    socket.on('subscribe', (what) => {
      let seq = 0;

      process.stderr.write(`socketio-peer.js: subscribe ${JSON.stringify(what)}\n`);
      if (timer !== null)
        clearInterval(timer);
      timer = setInterval(() => {
        socket.emit('tick', { sym: what && what.sym, price: 100 + seq / 2, seq, server: args.server });
        seq++;
      }, 40);
    });
    socket.on('echo', (...all) => {
      const ack = all.pop();

      if (typeof ack === 'function')
        ack(...all);
    });
    socket.on('sum', (a, b, ack) => setTimeout(() => ack(a + b), 20));
    // Malformed Socket.IO packets, written straight to the Engine.IO
    // connection (which puts the "4" of a message in front of each).
    socket.on('garbage', () => {
      socket.conn.send('9oops');
      socket.conn.send('2["tick",');
      socket.conn.send('5["no-dash"]');
    });
    socket.on('binary', () => {
      socket.emit('blob', { name: 'three', data: Buffer.from([1, 2, 3]) }, Buffer.from('hi'));
    });
    socket.on('disconnect', (reason) => {
      process.stderr.write(`socketio-peer.js: ${socket.id} disconnected: ${reason}\n`);
      if (timer !== null)
        clearInterval(timer);
    });
  });

  const admin = io.of('/admin');
  admin.use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === 's3cret')
      next();
    else
      next(new Error('not authorized'));
  });
  admin.on('connection', (socket) => {
    socket.emit('welcome', { nsp: '/admin' });
    socket.on('echo', (...all) => {
      const ack = all.pop();

      if (typeof ack === 'function')
        ack(...all);
    });
  });

  httpServer.listen(args.port, '127.0.0.1', () => {
    process.stdout.write(`PORT ${httpServer.address().port}\n`);
  });

  stopWhenDone(null, 'socketio-peer.js', args.lifetime, (done) => {
    io.disconnectSockets(true);
    io.close(done);
  });
}

main();
