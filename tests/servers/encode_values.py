#!/usr/bin/python3
# encode_values.py: payloads for tests/test-decode-values.c, encoded by real
# encoders (Python's msgpack and cbor2), one JSON line per case:
#   {"name": …, "format": "msgpack"|"cbor", "data": base64, "f32": bool,
#    "expect": the value in Sonde's JSON shape (see sonde-decode-msgpack.h)}
# "expect" is derived from what the encoder was given (or, for hand-made
# CBOR with indefinite lengths, from what cbor2 decodes), never from Sonde.
import base64
import datetime
import json
import math
import struct
import sys

import cbor2
import msgpack


def b64(data):
    return base64.b64encode(data).decode('ascii')


def iso(dt):
    text = dt.strftime('%Y-%m-%dT%H:%M:%S')
    if dt.microsecond:
        text += ('.%06d' % dt.microsecond).rstrip('0')
    return text + 'Z'


def expect(value, f32=False):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return 'NaN'
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
        if f32:
            return struct.unpack('<f', struct.pack('<f', value))[0]
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return b64(bytes(value))
    if isinstance(value, msgpack.Timestamp):
        whole = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=value.seconds)
        text = whole.strftime('%Y-%m-%dT%H:%M:%S')
        if value.nanoseconds:
            text += ('.%09d' % value.nanoseconds).rstrip('0')
        return text + 'Z'
    if isinstance(value, msgpack.ExtType):
        return {'$ext': value.code, 'data': b64(value.data)}
    if isinstance(value, cbor2.CBORSimpleValue):
        return {'$simple': value.value}
    # ExtType and CBORSimpleValue are namedtuples: after them.
    if isinstance(value, (list, tuple)):
        return [expect(v, f32) for v in value]
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, cbor2.CBORTag):
        return {'$tag': value.tag, 'value': expect(value.value, f32)}
    if value is cbor2.undefined:
        return None
    if isinstance(value, dict):
        out = {}
        nonstring = False
        for k, v in value.items():
            if isinstance(k, str):
                key = k
            else:
                nonstring = True
                key = expect(k, f32)
                if not isinstance(key, str):
                    key = json.dumps(key, separators=(',', ':'))
            out[key] = expect(v, f32)
        if nonstring:
            out['$keys'] = 'non-string'
        return out
    raise TypeError(type(value))


def emit(name, fmt, data, value, f32=False):
    print(json.dumps({'name': name, 'format': fmt, 'data': b64(data), 'f32': f32,
                      'expect': expect(value, f32)}))


TICKER = {'type': 'ticker', 'symbol': 'BTC-USD', 'price': 27123.45, 'qty': 0.0123,
          'ts': 1714564800123, 'side': 'buy', 'seq': 123456}

RICH = {
    'fix': 5, 'negfix': -5, 'u8': 200, 'u16': 60000, 'u32': 4000000000,
    'u64max': 2**64 - 1, 'i8': -100, 'i16': -30000, 'i32': -2000000000,
    'i64min': -2**63, 'i64max': 2**63 - 1,
    'f64': 3.141592653589793, 'tiny': 1e-300, 'huge': 1.7976931348623157e308,
    'price': 27123.45, 'whole': 2.0, 'negzero': -0.0,
    'nan': float('nan'), 'inf': float('inf'), 'ninf': float('-inf'),
    'nested': [[1, [2, [3, {'a': []}]]], {}, [[[[]]]]],
    'bin': b'\x00\x01\x00\xff\x00', 'empty_bin': b'',
    'unicode': 'h\u00e9llo \u4e16\u754c \U0001f389 "q" \\ \n\t\x00\x1f \u2028',
    'nonstr': {1: 'one', -2: 'minus two', 3.5: 'float'},
    'flags': [True, False, None],
    'long': 'x' * 300,
}

if __name__ == '__main__':
    emit('ticker', 'msgpack', msgpack.packb(TICKER), TICKER)
    emit('ticker', 'cbor', cbor2.dumps(TICKER), TICKER)

    rich_mp = dict(RICH)
    rich_mp['ts'] = msgpack.Timestamp(1714564800, 250000000)
    rich_mp['ts32'] = msgpack.Timestamp(1714564800, 0)
    rich_mp['ts96'] = msgpack.Timestamp(-1, 5)
    rich_mp['ext'] = msgpack.ExtType(5, b'\x01\x02\x03')
    rich_mp['fixext16'] = msgpack.ExtType(7, bytes(range(16)))
    rich_mp['binkey'] = {b'\x00k': 'bin key'}
    emit('rich', 'msgpack', msgpack.packb(rich_mp, use_bin_type=True, datetime=False), rich_mp)

    f32 = {'tenth': 0.1, 'half': 1.5, 'max': 3.4028234663852886e38, 'small': 1e-40,
           'third': 1 / 3, 'nan': float('nan'), 'list': [0.2, -7.25, 1e10]}
    emit('float32', 'msgpack', msgpack.packb(f32, use_single_float=True), f32, f32=True)

    rich_cb = dict(RICH)
    rich_cb['date'] = cbor2.CBORTag(0, '2024-05-01T12:00:00.25Z')
    rich_cb['epoch'] = cbor2.CBORTag(1, 1714564800)
    rich_cb['epoch_f'] = cbor2.CBORTag(1, 1714564800.5)
    rich_cb['big'] = 2**70
    rich_cb['negbig'] = -(2**70)
    rich_cb['neg64'] = -2**64
    rich_cb['tagged'] = cbor2.CBORTag(1234, [1, 'x', {'k': b'\x00'}])
    rich_cb['undefined'] = cbor2.undefined
    rich_cb['simple'] = cbor2.CBORSimpleValue(99)
    rich_cb['boolkey'] = {False: 'no', (1, 2): 'pair'}
    emit('rich', 'cbor', cbor2.dumps(rich_cb), {
        **rich_cb,
        'date': '2024-05-01T12:00:00.25Z',
        'epoch': '2024-05-01T12:00:00Z',
        'epoch_f': '2024-05-01T12:00:00.5Z',
        'big': str(2**70), 'negbig': str(-(2**70)),
    })

    # Canonical CBOR shrinks floats to half and single precision.
    small = {'half': 1.5, 'single': 100000.0, 'neg': -2.0, 'inf': float('inf'),
             'third': 1 / 3}
    emit('canonical', 'cbor', cbor2.dumps(small, canonical=True), small)

    # Indefinite lengths (cbor2 never writes them): made by hand, expected
    # as cbor2 reads them.
    indefinite = bytes.fromhex(
        'bf'                  # map, indefinite
        '6161' '9f0102ff'     # "a": [_ 1, 2]
        '6162' '5f42010241 03ff'.replace(' ', '') +  # "b": (_ h'0102', h'03')
        '6163' '7f626869 6121ff'.replace(' ', '') +  # "c": (_ "hi", "!")
        '6164' '9fbf01f5ff80ff'  # "d": [_ {_ 1: true}, []]
        'ff')
    emit('indefinite', 'cbor', indefinite, cbor2.loads(indefinite))
    sys.stdout.flush()
