#include "core/index/centresfile.h"

#include "core/index/detail/matrixcheck.h"

#include <QDataStream>
#include <QFile>
#include <QSaveFile>

namespace rs {

namespace {
constexpr quint32 kCentresMagic = 0x52534331; // "RSC1"
constexpr qint64 kHeader = 4 + 8 + 4;
} // namespace

Status saveCentres(const Matrix &centres, const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the centres: ") + f.errorString(), path);
    QDataStream out(&f);
    out.setByteOrder(QDataStream::LittleEndian);
    out << kCentresMagic << qint64(centres.rows) << qint32(centres.cols);
    f.write(reinterpret_cast<const char *>(centres.data.data()), qint64(centres.data.size() * sizeof(float)));
    if (!f.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the centres: ") + f.errorString(), path);
    return {};
}

Result<Matrix> loadCentres(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("cannot read the centres: ") + f.errorString(), path);
    QDataStream in(&f);
    in.setByteOrder(QDataStream::LittleEndian);
    quint32 magic = 0;
    qint64 rows = 0;
    qint32 cols = 0;
    in >> magic >> rows >> cols;
    if (in.status() != QDataStream::Ok || magic != kCentresMagic || rows < 1 || cols < 1 || cols > 65536
        || rows > (f.size() - kHeader) / (qint64(cols) * qint64(sizeof(float)))
        || f.size() != kHeader + rows * cols * qint64(sizeof(float)))
        return makeError(ErrorCode::ParseError, QStringLiteral("not a centres file, or cut short"), path);
    Matrix m(rows, cols);
    const qint64 bytes = rows * cols * qint64(sizeof(float));
    if (f.read(reinterpret_cast<char *>(m.data.data()), bytes) != bytes)
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read the centres"), path);
    if (Status s = detail::checkMatrix(m, QStringLiteral("centres")); !s)
        return s.error();
    return m;
}

} // namespace rs
