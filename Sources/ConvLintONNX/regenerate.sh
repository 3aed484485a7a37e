#!/bin/sh
# Regenerates onnx.pb.swift from onnx.proto (ONNX's onnx/onnx.proto at commit
# f7546912001bc31e92a238b17068a21b373d882e, 2026-08-22, IR version 14), with Debian's protoc and
# the plugin built from the swift-protobuf this package depends on:
#   apt-get install protobuf-compiler
#   git clone -b 1.39.0 https://github.com/apple/swift-protobuf && (cd swift-protobuf &&
#     swift build -c release --product protoc-gen-swift)
#   PLUGIN=swift-protobuf/.build/release/protoc-gen-swift sh Sources/ConvLintONNX/regenerate.sh
set -eu
cd "$(dirname "$0")"
protoc --plugin=protoc-gen-swift="${PLUGIN:?path to protoc-gen-swift}" --swift_out=. onnx.proto
