#include "core/plugin/componentversions.h"

#include "core/plugin/icomponentinfo.h"
#include "core/plugin/pluginmanager.h"

#include <QSet>

#include <algorithm>

// Version headers only: small, and no FAISS or OpenCV type leaks out.
#include <faiss/Index.h>
#include <opencv2/core/utility.hpp>

namespace rs {

QList<ComponentVersion> componentVersions(PluginManager &plugins)
{
    const QString core = QStringLiteral("core");
    QList<ComponentVersion> out;
    out.append({QStringLiteral("Qt"), QString::fromLatin1(qVersion()), core});
    out.append({QStringLiteral("FAISS"),
                QStringLiteral("%1.%2.%3").arg(FAISS_VERSION_MAJOR).arg(FAISS_VERSION_MINOR).arg(FAISS_VERSION_PATCH), core});
    // The library actually loaded, not the headers built against.
    out.append({QStringLiteral("OpenCV"), QString::fromStdString(cv::getVersionString()), core});

    QSet<QString> iids;
    for (const PluginRecord &record : plugins.plugins())
        if (record.errorString.isEmpty() && !record.iid.isEmpty())
            iids.insert(record.iid);
    QList<QString> ordered(iids.cbegin(), iids.cend());
    std::sort(ordered.begin(), ordered.end());
    for (const QString &iid : ordered)
        for (QObject *object : plugins.instances(iid))
            if (auto *info = qobject_cast<IComponentInfo *>(object)) {
                const QString from = QString::fromLatin1(object->metaObject()->className());
                for (const auto &[name, version] : info->componentVersions())
                    out.append({name, version, from});
            }
    return out;
}

} // namespace rs
