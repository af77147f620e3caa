#pragma once
// Builds .npy files in memory for tests: version 1.0, the header padded so
// the data starts 64-byte aligned, as numpy writes them.

#include <QByteArray>

namespace rs::test {

// `dict` is the header's Python dict literal, e.g.
// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
inline QByteArray npyFile(const QByteArray &dict, const QByteArray &data)
{
    QByteArray header = dict;
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    QByteArray out("\x93NUMPY\x01\x00", 8);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    return out + header + data;
}

} // namespace rs::test
