#!/usr/bin/python3
"""Rewrites a FileDescriptorSet so that protoc-c 1.4.1 accepts proto3 `optional`.

protoc-c refuses fields with proto3_optional set. Each such field already sits
in a synthetic one-field oneof named `_<field>`; this clears the flag and
renames the oneof to `<field>_opt`, which protoc-c turns into a
`<field>_opt_case` member next to the value. The wire format is unchanged.

Usage: proto_optional_to_oneof.py IN.desc OUT.desc  (run with /usr/bin/python3)
"""
import sys

from google.protobuf import descriptor_pb2


def rewrite(message):
    for field in message.field:
        if field.proto3_optional:
            field.proto3_optional = False
            oneof = message.oneof_decl[field.oneof_index]
            oneof.name = field.name + "_opt"
    for nested in message.nested_type:
        rewrite(nested)


def main():
    src, dst = sys.argv[1:3]
    fds = descriptor_pb2.FileDescriptorSet()
    with open(src, "rb") as f:
        fds.ParseFromString(f.read())
    for file in fds.file:
        for message in file.message_type:
            rewrite(message)
    with open(dst, "wb") as f:
        f.write(fds.SerializeToString(deterministic=True))


if __name__ == "__main__":
    main()
