#pragma once
// Shared by the libFuzzer harnesses: a scratch folder for readers that take
// a path (the readers are fuzzed through their public API, files included),
// and a quiet Qt message handler so that warnings about broken input do not
// drown libFuzzer's own output.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>

namespace rs::fuzz {

inline void quietQt()
{
    qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &) {});
}

// One folder per process, removed at exit. Harnesses overwrite the same files
// each iteration, so the folder never grows.
inline const QString &scratchDir()
{
    // tmpfs when there is one: the readers open files every iteration, and
    // on an overlay /tmp that open dominates the run.
    static const QString base = QFileInfo(QStringLiteral("/dev/shm")).isWritable() ? QStringLiteral("/dev/shm") : QDir::tempPath();
    static QTemporaryDir dir(base + QStringLiteral("/realsyn-fuzz-XXXXXX"));
    static const QString path = dir.path();
    if (!dir.isValid())
        qFatal("cannot create a scratch folder under %s", qPrintable(base));
    return path;
}

inline QString writeScratch(const QString &name, const uint8_t *data, size_t size)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || f.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    // A deep copy: QByteArray::fromRawData would let the code under test read
    // past libFuzzer's buffer through an assumed NUL terminator unnoticed.
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace rs::fuzz
