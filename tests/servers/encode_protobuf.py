#!/usr/bin/python3
# encode_protobuf.py: Protobuf payloads made by Google's own Python encoder,
# for test-decode-protobuf.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: encode_protobuf.py MODULE_DIR
# MODULE_DIR holds ticker_pb2.py (protoc --python_out). Prints one line per
# case: NAME, TAB, the payload in base64, TAB, the JSON the message was built
# from. That JSON is written the way Sonde shows a message: .proto field
# names, bytes as base64, enums by name; the encoder reads it with
# json_format.ParseDict, so the payload holds exactly what the JSON says,
# and it is printed with integers past 2^53 as strings, as Sonde shows them.

import base64
import json
import sys

sys.path.insert(0, sys.argv[1])

from google.protobuf import json_format  # noqa: E402

import ticker_pb2  # noqa: E402

CASES = [
    ("full", "Ticker", {
        "symbol": "BTC-USDT ₿ 比特币 🚀",
        "price": 43250.125,
        "volume": 9007199254740993,
        "change": -1234,
        "side": "SELL",
        "bids": [{"price": 43250.0, "size": 0.5}, {"price": 43249.5, "size": 1.25}],
        "trades": [1, -2, 300, 2147483647, -2147483648],
        "ids": [0, 1, 18446744073709551615, 9007199254740992],
        "extras": {"vwap": 43100.75, "open": 42000.0, "ünï": -0.001},
        "raw": base64.b64encode(b"\x00\x01\x02\xff\x00binary\x00").decode(),
        "note": "",
        "best": {"price": 43251.5},
        "ratio": 0.375,
        "stamp": 1700000000123456789,
        "offset": -7,
        "live": True,
        "count": 4294967295,
        "delta": -9007199254740993,
        "history": ["BUY", "SELL", "BUY"],
        "neg": -1,
        "levels": {"1": {"price": 1.5, "size": 2.0}, "-3": {"size": 0.25}},
        "moves": [-1, 1, -9007199254740992, 4611686018427387904],
        "closes": [0.1, 1e-300, -2.5e+300, 3.0],
    }),
    ("small", "Ticker", {"symbol": "ETH", "price": 2250.5, "trades": [7]}),
    ("empty", "Ticker", {}),
    ("only-note", "Ticker", {"note": "hello"}),
    ("nested", "Node", {"child": {"child": {"child": {"value": 3}, "value": 2}}, "value": 1}),
]


def sonde_shape(value):
    """The JSON Sonde writes for @value: integers past 2^53 as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2 ** 53:
        return str(value)
    if isinstance(value, dict):
        return {k: sonde_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sonde_shape(v) for v in value]
    return value


def main():
    for name, type_name, expected in CASES:
        message = getattr(ticker_pb2, type_name)()
        json_format.ParseDict(expected, message)
        payload = message.SerializeToString()
        print("%s\t%s\t%s" % (name, base64.b64encode(payload).decode(),
                              json.dumps(sonde_shape(expected), ensure_ascii=False)))


if __name__ == "__main__":
    main()
