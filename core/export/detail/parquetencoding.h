#pragma once
// The byte-level encodings of a parquet data page that the writer needs,
// kept apart from the Thrift metadata so tests can check them against the
// specification (apache/parquet-format Encodings.md) byte by byte.
// Pure functions, no state: thread-safe.

#include <QByteArray>

#include <cstdint>
#include <vector>

namespace rs::detail {

// ULEB-128 varint, as used in RLE/bit-packed run headers.
void appendUleb128(QByteArray &out, std::uint64_t value);

// The RLE / bit-packing hybrid (Encodings.md, "Run Length Encoding /
// Bit-Packing Hybrid"), without the 4-byte length prefix: runs of 8 or more
// equal values become RLE runs, everything else bit-packed groups of 8
// (LSB first; the last group padded with zeros). bitWidth in [1, 32]; every
// value must fit in bitWidth bits.
QByteArray encodeRleHybrid(const std::vector<std::uint32_t> &values, int bitWidth);

// Decodes `count` values of the hybrid; false on truncated or malformed input
// (used by the tests to round-trip, and bounded by the input size).
bool decodeRleHybrid(const QByteArray &data, int bitWidth, qsizetype count, std::vector<std::uint32_t> &values);

// PLAIN encoding (little-endian; BYTE_ARRAY as a 4-byte length + bytes).
void appendPlainInt32(QByteArray &out, std::int32_t v);
void appendPlainInt64(QByteArray &out, std::int64_t v);
void appendPlainDouble(QByteArray &out, double v);
void appendPlainByteArray(QByteArray &out, const QByteArray &bytes);

} // namespace rs::detail
