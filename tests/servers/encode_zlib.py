#!/usr/bin/python3
# encode_zlib.py: compressed payloads for test-decode-zlib, made by Python's
# own gzip and zlib modules (encoders nobody in Sonde wrote).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   encode_zlib.py levels INPUT OUTDIR
#       OUTDIR/{gzip,zlib,deflate}-L.bin for every level L from 0 to 9,
#       gzip-multi.bin (INPUT in three members, as `cat a.gz b.gz c.gz`),
#       gzip-name.bin (GzipFile with a file name and a time: FNAME),
#       gzip-flags.bin (FEXTRA, FNAME, FCOMMENT and FHCRC around a body
#       from zlib's raw deflate; the header is written here, by RFC 1952),
#       zlib-window9.bin (zlib with a 512-byte window: CINFO 1).
#   encode_zlib.py stream OUTDIR INPUT...
#       OUTDIR/stream-N.bin for each INPUT (from 1): one compressobj for all,
#       each message compress() + flush(Z_SYNC_FLUSH), as Discord sends.
#   encode_zlib.py bomb FORMAT MEBIBYTES OUTPUT
#       MEBIBYTES MiB of zeros as FORMAT (gzip, zlib or deflate), compressed
#       a MiB at a time (the zeros are never all in memory).

import gzip
import io
import os
import struct
import sys
import zlib


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def raw_deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def gzip_with_flags(data):
    header = bytearray(b'\x1f\x8b\x08')
    header.append(0x02 | 0x04 | 0x08 | 0x10)  # FHCRC FEXTRA FNAME FCOMMENT
    header += struct.pack('<I', 1700000000)
    header += b'\x00\x03'  # XFL, OS (Unix)
    extra = b'Sd' + struct.pack('<H', 5) + b'sonde'
    header += struct.pack('<H', len(extra)) + extra
    header += b'ticks.json\x00'
    header += b'a comment\x00'
    header += struct.pack('<H', zlib.crc32(bytes(header)) & 0xffff)
    trailer = struct.pack('<II', zlib.crc32(data), len(data) & 0xffffffff)
    return bytes(header) + raw_deflate(data) + trailer


def levels(input_path, outdir):
    with open(input_path, 'rb') as f:
        data = f.read()
    for level in range(10):
        write(os.path.join(outdir, 'gzip-%d.bin' % level), gzip.compress(data, level))
        write(os.path.join(outdir, 'zlib-%d.bin' % level), zlib.compress(data, level))
        write(os.path.join(outdir, 'deflate-%d.bin' % level), raw_deflate(data, level))
    third = len(data) // 3
    parts = [data[:third], data[third:2 * third], data[2 * third:]]
    write(os.path.join(outdir, 'gzip-multi.bin'), b''.join(gzip.compress(p) for p in parts))
    buf = io.BytesIO()
    with gzip.GzipFile(filename='ticks.json', mode='wb', fileobj=buf, mtime=1700000000) as g:
        g.write(data)
    write(os.path.join(outdir, 'gzip-name.bin'), buf.getvalue())
    write(os.path.join(outdir, 'gzip-flags.bin'), gzip_with_flags(data))
    c = zlib.compressobj(6, zlib.DEFLATED, 9)
    write(os.path.join(outdir, 'zlib-window9.bin'), c.compress(data) + c.flush())


def stream(outdir, inputs):
    c = zlib.compressobj()
    for n, path in enumerate(inputs, start=1):
        with open(path, 'rb') as f:
            message = f.read()
        data = c.compress(message) + c.flush(zlib.Z_SYNC_FLUSH)
        write(os.path.join(outdir, 'stream-%d.bin' % n), data)


def bomb(fmt, mebibytes, output):
    wbits = {'gzip': 31, 'zlib': 15, 'deflate': -15}[fmt]
    c = zlib.compressobj(1, zlib.DEFLATED, wbits)  # level 1: the fastest to make
    zeros = bytes(1024 * 1024)
    with open(output, 'wb') as f:
        for _ in range(mebibytes):
            f.write(c.compress(zeros))
        f.write(c.flush())


def main():
    if len(sys.argv) == 4 and sys.argv[1] == 'levels':
        levels(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'stream':
        stream(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == 'bomb':
        bomb(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit('usage: encode_zlib.py levels INPUT OUTDIR | stream OUTDIR INPUT... | '
                 'bomb FORMAT MEBIBYTES OUTPUT')


if __name__ == '__main__':
    main()
