// mqtt-bytes.js: the bytes of MQTT packets, for the Node peers that write
// them by hand (mosquitto-peer.js, proto-raw-peer.js): an MQTT string and
// a packet with its fixed header.
'use strict';

// @s as an MQTT string: its UTF-8 length (two bytes, big-endian), then it.
function str (s) {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

// A packet: the first byte @first (type and flags), the remaining length
// (a variable byte integer), then @body.
function packet (first, body) {
  const lengths = [];
  let n = body.length;

  do {
    let byte = n & 0x7f;
    n >>= 7;
    if (n > 0)
      byte |= 0x80;
    lengths.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...lengths]), body]);
}

module.exports = { packet, str };
