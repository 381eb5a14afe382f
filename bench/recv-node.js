#!/usr/bin/env node
// recv-node.js: a Node `ws` receiver of the ingest benchmark
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node recv-node.js --count N [--timeout S] ws://127.0.0.1:PORT/
//
// The same contract as the C receivers (bench-util.c): a `ws` client whose
// "message" handler only counts messages and bytes (it takes the Buffer ws
// hands over, already UTF-8-validated for text, and never decodes it). The
// clock runs from the first message to the last expected one; the process
// then waits for the close handshake and prints one JSON line:
//
//   {"receiver":"node-ws","count":…,"bytes":…,"seconds":…,"peak_rss_kib":…,"close_code":…}
//
// with "error" added when something went wrong (exit status 1; 2 for bad
// arguments). `ws` comes from NODE_PATH or, failing that, from
// tests/servers/node_modules.

'use strict';

const path = require('path');

// Every receiver accepts messages this large (BENCH_MAX_PAYLOAD).
const MAX_PAYLOAD = 64 * 1024 * 1024;

function loadWs () {
  try {
    return require('ws');
  } catch (e) {
    return require(path.join(__dirname, '..', 'tests', 'servers', 'node_modules', 'ws'));
  }
}

function usage (message) {
  if (message)
    process.stderr.write(`recv-node.js: ${message}\n`);
  process.stderr.write('recv-node.js: usage: node recv-node.js --count N [--timeout S] ws://127.0.0.1:PORT/\n');
  process.exit(2);
}

function parseArgs (argv) {
  const options = { count: 0, timeout: 300, url: null };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name = null;
    let value = null;

    if (arg === '--count' || arg === '-n' || arg === '--timeout' || arg === '-t') {
      if (i + 1 >= argv.length)
        usage(`${arg} needs a value`);
      name = arg;
      value = argv[++i];
    } else if (arg.startsWith('--count=') || arg.startsWith('--timeout=')) {
      name = arg.slice(0, arg.indexOf('='));
      value = arg.slice(arg.indexOf('=') + 1);
    } else if (arg.startsWith('-')) {
      usage(`unknown option ${arg}`);
    } else if (options.url === null) {
      options.url = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }

    if (name !== null) {
      if (!/^[0-9]+$/.test(value))
        usage(`${name} needs a positive integer`);
      if (name === '--count' || name === '-n')
        options.count = Number(value);
      else
        options.timeout = Number(value);
    }
  }

  if (options.url === null || !(options.count > 0) || !(options.timeout > 0))
    usage(null);
  return options;
}

function main () {
  const options = parseArgs(process.argv.slice(2));
  const WebSocket = loadWs();
  let count = 0;
  let bytes = 0;
  let firstNs = 0n;
  let lastNs = 0n;
  let closeCode = 0;
  let problem = null;
  let finished = false;

  function finish (why) {
    if (finished)
      return;
    finished = true;
    clearTimeout(timer);

    if (why !== null)
      problem = why;
    else if (count !== options.count)
      problem = 'message count differs from the expected one';
    else if (closeCode !== 1000)
      problem = 'the connection did not close with 1000';

    const seconds = (firstNs !== 0n && lastNs >= firstNs) ? Number(lastNs - firstNs) / 1e9 : 0;
    const result = {
      receiver: 'node-ws',
      count,
      bytes,
      seconds,
      peak_rss_kib: process.resourceUsage().maxRSS,   // KiB on Linux
      close_code: closeCode,
    };
    if (problem !== null)
      result.error = problem;

    process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(problem === null ? 0 : 1));
  }

  const timer = setTimeout(() => {
    finish('timed out');
    ws.terminate();
  }, options.timeout * 1000);

  const ws = new WebSocket(options.url, {
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
  });

  ws.on('message', (data, isBinary) => {
    if (count === 0)
      firstNs = process.hrtime.bigint();

    count++;
    bytes += data.length;

    if (count === options.count)
      lastNs = process.hrtime.bigint();
  });

  ws.on('error', (error) => {
    if (problem === null)
      problem = error.message;
  });

  ws.on('close', (code) => {
    closeCode = code;
    finish(problem);
  });
}

main();
