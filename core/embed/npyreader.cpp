#include "core/embed/npyreader.h"

#include "core/util/half.h"

#include <QFile>
#include <QRegularExpression>

#include <cstring>

namespace rs {


Result<Matrix> readNpyMatrix(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("cannot open: ") + f.errorString(), path);
    const QByteArray magic = f.read(8);
    if (magic.size() < 8 || !magic.startsWith("\x93NUMPY"))
        return makeError(ErrorCode::ParseError, QStringLiteral("not a .npy file (bad magic)"), path);
    const int major = quint8(magic[6]);
    qint64 headerLen = 0;
    if (major == 1) {
        const QByteArray b = f.read(2);
        if (b.size() < 2)
            return makeError(ErrorCode::ParseError, QStringLiteral("truncated .npy header"), path);
        headerLen = quint8(b[0]) | (quint8(b[1]) << 8);
    } else if (major == 2 || major == 3) {
        const QByteArray b = f.read(4);
        if (b.size() < 4)
            return makeError(ErrorCode::ParseError, QStringLiteral("truncated .npy header"), path);
        headerLen = qint64(quint8(b[0])) | (qint64(quint8(b[1])) << 8) | (qint64(quint8(b[2])) << 16) | (qint64(quint8(b[3])) << 24);
    } else {
        return makeError(ErrorCode::Unsupported, QStringLiteral(".npy format version %1 is not supported").arg(major), path);
    }
    if (headerLen > 1 << 20)
        return makeError(ErrorCode::ParseError, QStringLiteral(".npy header is implausibly long"), path);
    const QString header = QString::fromLatin1(f.read(headerLen));
    if (header.size() < headerLen)
        return makeError(ErrorCode::ParseError, QStringLiteral("truncated .npy header"), path);

    static const QRegularExpression descrRe(QStringLiteral("'descr'\\s*:\\s*'([^']*)'"));
    static const QRegularExpression orderRe(QStringLiteral("'fortran_order'\\s*:\\s*(True|False)"));
    static const QRegularExpression shapeRe(QStringLiteral("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)"));
    const auto descr = descrRe.match(header);
    const auto order = orderRe.match(header);
    const auto shape = shapeRe.match(header);
    if (!descr.hasMatch() || !order.hasMatch())
        return makeError(ErrorCode::ParseError, QStringLiteral("malformed .npy header: ") + header.trimmed(), path);
    if (!shape.hasMatch())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected a 2-D (n, d) array, header says: ") + header.trimmed(), path);
    if (order.captured(1) == QLatin1String("True"))
        return makeError(ErrorCode::Unsupported, QStringLiteral("Fortran-ordered arrays are not supported (save with np.ascontiguousarray)"), path);
    const QString dtype = descr.captured(1);
    int width = 0;
    if (dtype == QLatin1String("<f4"))
        width = 4;
    else if (dtype == QLatin1String("<f2"))
        width = 2;
    else
        return makeError(ErrorCode::Unsupported, QStringLiteral("dtype %1 not supported (expected little-endian float16 or float32)").arg(dtype), path);
    bool rowsOk = false, colsOk = false;
    const qint64 rows = shape.captured(1).toLongLong(&rowsOk);
    const qint64 cols = shape.captured(2).toLongLong(&colsOk);
    if (!colsOk || cols <= 0 || cols > 65536)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("embedding width %1 out of range").arg(shape.captured(2)), path);
    // Bound the row count by what the file holds before multiplying: a
    // header may claim any number of rows, and rows * cols * width must not
    // overflow on the way to the size check.
    const qint64 available = f.size() - f.pos();
    const qint64 rowBytes = cols * width;
    if (!rowsOk || rows > available / rowBytes)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("file holds %1 data bytes, shape (%2, %3) needs more than that").arg(available).arg(shape.captured(1)).arg(cols),
                         path);
    const qint64 dataBytes = rows * rowBytes;
    Matrix m(rows, int(cols));
    if (width == 4) {
        if (f.read(reinterpret_cast<char *>(m.data.data()), dataBytes) != dataBytes)
            return makeError(ErrorCode::IoError, QStringLiteral("read failed"), path);
    } else {
        const QByteArray raw = f.read(dataBytes);
        if (raw.size() != dataBytes)
            return makeError(ErrorCode::IoError, QStringLiteral("read failed"), path);
        // The bytes may sit at any address (QByteArray gives no alignment
        // promise for a view into a larger buffer): copy each half out.
        const char *h = raw.constData();
        for (qint64 i = 0; i < rows * cols; ++i) {
            quint16 bits;
            std::memcpy(&bits, h + i * 2, sizeof bits);
            m.data[size_t(i)] = halfToFloat(bits);
        }
    }
    for (float v : m.data)
        if (!std::isfinite(v))
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("array contains NaN or infinity"), path);
    return m;
}

} // namespace rs
