#include "tests/support/testdata.h"

#include <QDir>
#include <QFileInfo>

namespace rs::test {

QString sourceDir()
{
    return QStringLiteral(REALSYN_SOURCE_DIR);
}

QString sharedDataPath(const QString &name)
{
    QString base = qEnvironmentVariable("REALSYN_SHARED_DIR");
    if (base.isEmpty())
        base = QDir(sourceDir()).absoluteFilePath(QStringLiteral("../shared"));
    return QDir(base).absoluteFilePath(QStringLiteral("data/") + name);
}

bool requireSharedData()
{
    return qEnvironmentVariable("CI") == QLatin1String("true");
}

} // namespace rs::test
