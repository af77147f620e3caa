#pragma once
// SHA-256 of a byte buffer as lower-case hex (64 characters).
//
// OpenSSL's implementation, which uses the CPU's SHA extensions where there
// are some: Qt's portable one cost about 7% of stage 1's extract, which
// hashes every image file to find exact duplicates. The digests are the
// same bytes either way. Thread-safe.

#include <QByteArray>
#include <QByteArrayView>

namespace rs {

QByteArray sha256Hex(QByteArrayView data);

} // namespace rs
