#!/usr/bin/env python3
"""Prints the messages of gnostic's openapi.v2 package (OpenAPIv2.proto) with their field numbers.

kubectl links github.com/google/gnostic-models, whose protoc-gen-go output embeds the raw (not gzipped)
FileDescriptorProto of openapiv2/OpenAPIv2.proto. src/Gantry.Api/Schema/GnosticFields.cs holds the numbers
the OpenAPI v2 encoder uses; regenerate this listing to check them.

Usage: python3 tools/protobuf-facts/gnostic.py [KUBECTL_BINARY]
"""
import sys
from pathlib import Path

from generate import LABELS, TYPES, grouped, varint

DEFAULT_BINARY = "/usr/lib/google-cloud-sdk/bin/kubectl.1.28"
FILE_NAME = b"openapiv2/OpenAPIv2.proto"
# FileDescriptorProto fields: 1 name .. 14 edition; anything else ends the embedded descriptor.
FILE_FIELDS = range(1, 15)


def raw_descriptor(binary):
    """The bytes of the embedded FileDescriptorProto, read field by field until the descriptor ends."""
    data = Path(binary).read_bytes()
    start = data.find(b"\x0a" + bytes([len(FILE_NAME)]) + FILE_NAME)
    if start < 0:
        raise SystemExit(f"{FILE_NAME.decode()} not found in {binary}")
    tail = data[start:start + 200_000]
    return tail[:descriptor_length(tail)]


def descriptor_length(buf):
    """Where the descriptor ends: at the first bytes that are not a FileDescriptorProto field."""
    pos = 0
    while pos < len(buf):
        key, next_pos = varint(buf, pos)
        if key >> 3 not in FILE_FIELDS or key & 7 not in (0, 2):
            break
        if key & 7 == 0:
            _, next_pos = varint(buf, next_pos)
        else:
            length, next_pos = varint(buf, next_pos)
            next_pos += length
        if next_pos > len(buf):
            break
        pos = next_pos
    return pos


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_BINARY
    desc = grouped(raw_descriptor(binary))
    print(f"# package {desc[2][0].decode()} from {Path(binary).name}")
    for message in desc.get(4, []):
        m = grouped(message)
        print(m[1][0].decode())
        for field in m.get(2, []):
            f = grouped(field)
            type_name = f[6][0].decode().lstrip(".") if 6 in f else ""
            oneof = f" oneof#{f[9][0]}" if 9 in f else ""
            print(f"  {f[3][0]:>3} {f[1][0].decode():<24} {LABELS[f[4][0]]:<9} {TYPES[f[5][0]]} {type_name}{oneof}")


if __name__ == "__main__":
    main()
