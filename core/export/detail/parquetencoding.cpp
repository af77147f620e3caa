#include "core/export/detail/parquetencoding.h"

#include <QtEndian>

#include <cstring>

namespace rs::detail {

void appendUleb128(QByteArray &out, std::uint64_t value)
{
    while (value >= 0x80) {
        out.append(char((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.append(char(value));
}

namespace {

qsizetype runLength(const std::vector<std::uint32_t> &v, qsizetype i)
{
    qsizetype j = i + 1;
    while (j < qsizetype(v.size()) && v[j] == v[i])
        ++j;
    return j - i;
}

// Values [start, start + 8 * groups) packed LSB first; positions past the
// end of `v` are zero (only the last group of a page is ever padded).
void appendBitPacked(QByteArray &out, const std::vector<std::uint32_t> &v, qsizetype start, qsizetype groups, int bitWidth)
{
    const qsizetype bytes = groups * bitWidth; // 8 values * bitWidth bits = bitWidth bytes per group
    const qsizetype base = out.size();
    out.append(bytes, '\0');
    auto *p = reinterpret_cast<unsigned char *>(out.data() + base);
    std::uint64_t bit = 0;
    for (qsizetype k = 0; k < groups * 8; ++k, bit += bitWidth) {
        const qsizetype i = start + k;
        const std::uint64_t value = i < qsizetype(v.size()) ? v[i] : 0;
        for (int b = 0; b < bitWidth; ++b)
            if (value >> b & 1)
                p[(bit + b) / 8] |= static_cast<unsigned char>(1u << ((bit + b) % 8));
    }
}

} // namespace

QByteArray encodeRleHybrid(const std::vector<std::uint32_t> &values, int bitWidth)
{
    QByteArray out;
    const qsizetype n = qsizetype(values.size());
    const int valueBytes = (bitWidth + 7) / 8;
    qsizetype i = 0;
    while (i < n) {
        const qsizetype run = runLength(values, i);
        if (run >= 8) {
            appendUleb128(out, std::uint64_t(run) << 1);
            for (int b = 0; b < valueBytes; ++b)
                out.append(char(values[i] >> (8 * b) & 0xff));
            i += run;
            continue;
        }
        // Whole groups of 8 until a run long enough for RLE starts at a
        // group boundary (a run cut by the group is still cheap as bits).
        const qsizetype start = i;
        qsizetype groups = 0;
        do {
            i += 8;
            ++groups;
        } while (i < n && runLength(values, i) < 8);
        appendUleb128(out, std::uint64_t(groups) << 1 | 1);
        appendBitPacked(out, values, start, groups, bitWidth);
        i = std::min(i, n);
    }
    return out;
}

bool decodeRleHybrid(const QByteArray &data, int bitWidth, qsizetype count, std::vector<std::uint32_t> &values)
{
    if (bitWidth < 1 || bitWidth > 32 || count < 0)
        return false;
    values.clear();
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    const qsizetype size = data.size();
    qsizetype pos = 0;
    const int valueBytes = (bitWidth + 7) / 8;
    while (qsizetype(values.size()) < count) {
        std::uint64_t header = 0;
        for (int shift = 0;; shift += 7) {
            if (pos >= size || shift > 63)
                return false;
            header |= std::uint64_t(p[pos] & 0x7f) << shift;
            if (!(p[pos++] & 0x80))
                break;
        }
        if (header & 1) {
            const std::uint64_t groups = header >> 1;
            if (groups == 0 || groups > std::uint64_t(size - pos) / std::uint64_t(bitWidth))
                return false;
            for (std::uint64_t k = 0; k < groups * 8 && qsizetype(values.size()) < count; ++k) {
                std::uint32_t v = 0;
                for (int b = 0; b < bitWidth; ++b) {
                    const std::uint64_t bit = k * std::uint64_t(bitWidth) + std::uint64_t(b);
                    if (p[pos + qsizetype(bit / 8)] >> (bit % 8) & 1)
                        v |= 1u << b;
                }
                values.push_back(v);
            }
            pos += qsizetype(groups) * bitWidth;
        } else {
            const std::uint64_t run = header >> 1;
            if (run == 0 || pos + valueBytes > size)
                return false;
            std::uint32_t v = 0;
            for (int b = 0; b < valueBytes; ++b)
                v |= std::uint32_t(p[pos + b]) << (8 * b);
            pos += valueBytes;
            if (bitWidth < 32 && v >> bitWidth)
                return false;
            const std::uint64_t take = std::min<std::uint64_t>(run, std::uint64_t(count) - values.size());
            values.insert(values.end(), take, v);
        }
    }
    return true;
}

void appendPlainInt32(QByteArray &out, std::int32_t v)
{
    char b[4];
    qToLittleEndian(v, b);
    out.append(b, 4);
}

void appendPlainInt64(QByteArray &out, std::int64_t v)
{
    char b[8];
    qToLittleEndian(v, b);
    out.append(b, 8);
}

void appendPlainDouble(QByteArray &out, double v)
{
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    char b[8];
    qToLittleEndian(bits, b);
    out.append(b, 8);
}

void appendPlainByteArray(QByteArray &out, const QByteArray &bytes)
{
    appendPlainInt32(out, std::int32_t(bytes.size()));
    out.append(bytes);
}

} // namespace rs::detail
