#include "tests/bench/demoproject.h"

#include <QDebug>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

namespace rs::bench {

QString cliPath()
{
    return qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/bin/realsyn");
}

double timedCli(const QStringList &args)
{
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(cliPath(), args);
    if (!p.waitForFinished(3600 * 1000) || p.exitCode() != 0) {
        qWarning() << "realsyn" << args << "failed:" << p.readAllStandardError().right(400);
        return -1;
    }
    return t.elapsed() / 1000.0;
}

QString cachedDemoProject(const QString &stage)
{
    const QString corpus = QStringLiteral("/usr/share/gimp/2.0/help/en");
    if (!QFileInfo::exists(corpus)) {
        qWarning("gimp-help-en is not installed");
        return {};
    }
    const QString dir = qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/bench-demo-") + stage;
    if (QFileInfo::exists(dir + QStringLiteral("/project.sqlite")))
        return dir;
    QDir(dir).removeRecursively();
    if (timedCli({QStringLiteral("init"), dir}) < 0
        || timedCli({QStringLiteral("ingest"), dir, QStringLiteral("--format"), QStringLiteral("html"), corpus}) < 0
        || timedCli({QStringLiteral("run"), dir, QStringLiteral("--until"), stage}) < 0) {
        QDir(dir).removeRecursively();
        return {};
    }
    return dir;
}

bool copyProject(const QString &from, const QString &target)
{
    QDir().mkpath(target);
    QDirIterator it(from, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString src = it.next();
        if (src.endsWith(QLatin1String("project.lock")))
            continue;
        const QString dst = target + QLatin1Char('/') + QDir(from).relativeFilePath(src);
        QDir().mkpath(QFileInfo(dst).absolutePath());
        if (!QFile::copy(src, dst))
            return false;
    }
    return true;
}

} // namespace rs::bench
