#!/usr/bin/env node
// graphql-peer.js: GraphQL over WebSocket servers nobody at Sonde wrote,
// for test-proto-graphql and sonde-cli runs
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node graphql-peer.js [--lifetime SECONDS]
//
// The peers' contract (see ws-peer.js): listens on 127.0.0.1 port 0, prints
// "PORT <n>", stops on stdin EOF or when the lifetime passes. One schema
// (graphql-js), served at:
//
//   /graphql        the graphql-ws library (protocol graphql-transport-ws);
//                   after each connection_ack the server sends one
//                   {"type":"ping"} of its own, which a client must answer
//   /graphql-drop   the same, but the first connection is closed (1012)
//                   after three ticks: a client reconnects and subscribes
//                   again
//   /legacy         subscriptions-transport-ws (protocol graphql-ws), with
//                   its "ka" keep-alive every 300 ms
//
// Schema: type Query { hello: String }
//         type Subscription { ticks(count: Int, intervalMs: Int, base: Float, step: Float): Tick }
//         type Tick { price: Float, seq: Int, token: String }
// Tick i is {price: base + step i (base 100.25 and step 1.5 unless given),
// seq: i, token: the connection payload's "token"}. A connection payload
// whose token is "bad" is refused.

'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');
const {
  GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLFloat, GraphQLInt, execute, subscribe,
} = require('graphql');
const { useServer } = require('graphql-ws/use/ws');
const { SubscriptionServer } = require('subscriptions-transport-ws');
const { parseArgs, stopWhenDone } = require('./peer-lifetime.js');

const Tick = new GraphQLObjectType({
  name: 'Tick',
  fields: { price: { type: GraphQLFloat }, seq: { type: GraphQLInt }, token: { type: GraphQLString } },
});

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { hello: { type: GraphQLString, resolve: () => 'world' } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      ticks: {
        type: Tick,
        args: {
          count: { type: GraphQLInt }, intervalMs: { type: GraphQLInt },
          base: { type: GraphQLFloat }, step: { type: GraphQLFloat },
        },
        subscribe: async function * (_root, args, context) {
          const count = args.count ?? 1000000;
          const interval = args.intervalMs ?? 20;
          const base = args.base ?? 100.25;
          const step = args.step ?? 1.5;

          for (let i = 0; i < count; i++) {
            await sleep(interval);
            yield { ticks: { price: base + step * i, seq: i, token: (context && context.token) || null } };
          }
        },
      },
    },
  }),
});

function tokenOf (params) {
  return params && typeof params.token === 'string' ? params.token : null;
}

function main () {
  const { lifetime } = parseArgs(process.argv.slice(2), 'graphql-peer.js', { lifetime: 120 });
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  // graphql-ws picks graphql-transport-ws (its handleProtocols default).
  const modern = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  // A legacy server speaks graphql-ws only, whatever else a client offers.
  const legacy = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });
  let dropConnections = 0;

  useServer({
    schema,
    context: (ctx) => ({ token: tokenOf(ctx.connectionParams) }),
    onConnect: (ctx) => {
      if (tokenOf(ctx.connectionParams) === 'bad')
        return false;
      const socket = ctx.extra.socket;
      // After the ack graphql-ws sends once onConnect returns.
      setTimeout(() => {
        if (socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: 'ping', payload: { from: 'graphql-peer' } }));
      }, 20);
      if (ctx.extra.request.url === '/graphql-drop' && ++dropConnections === 1)
        ctx.extra.dropAfter = 3;
      return true;
    },
    onNext: (ctx) => {
      if (ctx.extra.dropAfter !== undefined && --ctx.extra.dropAfter === 0)
        setTimeout(() => ctx.extra.socket.close(1012, 'restarting'), 0);
    },
  }, modern);

  SubscriptionServer.create({
    schema,
    execute,
    subscribe,
    keepAlive: 300,
    onConnect: (params) => {
      if (tokenOf(params) === 'bad')
        throw new Error('bad token');
      return { token: tokenOf(params) };
    },
  }, legacy);

  httpServer.on('upgrade', (request, socket, head) => {
    const path = request.url.split('?')[0];
    const server = path === '/legacy' ? legacy : (path === '/graphql' || path === '/graphql-drop') ? modern : null;

    if (server === null) {
      socket.destroy();
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
  });

  httpServer.listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT ${httpServer.address().port}\n`);
  });
  stopWhenDone({
    get clients () { return new Set([...modern.clients, ...legacy.clients]); },
    close: (done) => {
      for (const ws of modern.clients)
        ws.terminate();
      for (const ws of legacy.clients)
        ws.terminate();
      httpServer.close(done);
    },
  }, 'graphql-peer.js', lifetime);
}

main();
