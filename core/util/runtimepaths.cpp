#include "core/util/runtimepaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace rs {

QString executableDir()
{
    if (QCoreApplication::instance())
        return QCoreApplication::applicationDirPath();
    return QFileInfo(QStringLiteral("/proc/self/exe")).canonicalPath();
}

QStringList runtimeDirs(const QString &relative, const QString &buildTreeDir)
{
    const QString tail = relative.isEmpty() ? QString() : QLatin1Char('/') + relative;
    const QDir exe(executableDir());
    QStringList dirs{
        QDir::cleanPath(exe.absoluteFilePath(QStringLiteral("../") + buildTreeDir)),
        QDir::cleanPath(exe.absoluteFilePath(QStringLiteral("../") + QStringLiteral(REALSYN_INSTALL_LIBDIR) + QStringLiteral("/realsyn") + tail)),
        QDir::cleanPath(QStringLiteral(REALSYN_INSTALL_FULL_LIBDIR) + QStringLiteral("/realsyn") + tail),
    };
    dirs.removeDuplicates();
    return dirs;
}

QStringList moduleCandidates(const char *overrideVariable, const QString &fileName)
{
    const QString chosen = qEnvironmentVariable(overrideVariable);
    if (!chosen.isEmpty())
        return {QFileInfo(chosen).absoluteFilePath()};
    QStringList files;
    for (const QString &dir : runtimeDirs(QString(), QStringLiteral("lib/realsyn")))
        files << dir + QLatin1Char('/') + fileName;
    return files;
}

} // namespace rs
