#include "core/plugin/pluginmanager.h"

#include "core/util/runtimepaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonValue>
#include <QLibrary>
#include <QPluginLoader>
#include <QSet>

namespace rs {

QStringList PluginManager::defaultSearchPaths()
{
    QStringList paths;
    const QString env = qEnvironmentVariable("REALSYN_PLUGIN_PATH");
    for (const QString &p : env.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        paths << QDir(p).absolutePath();
    // The build tree keeps plugins in <build>/plugins (realsyn_add_plugin).
    paths << runtimeDirs(QStringLiteral("plugins"), QStringLiteral("plugins"));
    paths.removeDuplicates();
    return paths;
}

PluginManager::PluginManager(QStringList searchPaths) : m_searchPaths(std::move(searchPaths)) {}

// Deleting a QPluginLoader does not unload its library, which is what we
// want: plugin objects may still be referenced, and libtorch's static state
// does not survive dlclose. unload() is never called.
PluginManager::~PluginManager() = default;

void PluginManager::scan()
{
    std::lock_guard lock(m_mutex);
    QSet<QString> seenNames;
    QSet<QString> known;
    for (const Entry &e : m_entries) {
        known.insert(e.record.fileName);
        seenNames.insert(QFileInfo(e.record.fileName).fileName());
    }
    for (const QString &path : std::as_const(m_searchPaths)) {
        const QDir dir(path);
        if (!dir.exists())
            continue;
        const QFileInfoList files = dir.entryInfoList(QDir::Files, QDir::Name);
        for (const QFileInfo &fi : files) {
            if (!QLibrary::isLibrary(fi.fileName()))
                continue;
            const QString file = fi.absoluteFilePath();
            // The first directory that provides a file name wins (an
            // environment override shadows the installed copy).
            if (known.contains(file) || seenNames.contains(fi.fileName()))
                continue;
            seenNames.insert(fi.fileName());
            Entry entry;
            entry.record.fileName = file;
            entry.loader = std::make_unique<QPluginLoader>(file);
            const QJsonObject meta = entry.loader->metaData();
            if (meta.isEmpty()) {
                entry.record.errorString = entry.loader->errorString().isEmpty()
                    ? QStringLiteral("not a Qt plugin (no metadata)")
                    : entry.loader->errorString();
            } else {
                entry.record.iid = meta.value(QStringLiteral("IID")).toString();
                entry.record.metaData = meta.value(QStringLiteral("MetaData")).toObject();
            }
            m_entries.push_back(std::move(entry));
        }
    }
}

QList<PluginRecord> PluginManager::plugins() const
{
    std::lock_guard lock(m_mutex);
    QList<PluginRecord> out;
    for (const Entry &e : m_entries)
        out.append(e.record);
    return out;
}

QList<QObject *> PluginManager::instances(const QString &iid)
{
    std::lock_guard lock(m_mutex);
    QList<QObject *> out;
    for (Entry &e : m_entries) {
        if (e.record.iid != iid)
            continue;
        QObject *obj = e.loader->instance();
        if (!obj) {
            e.record.loaded = false;
            e.record.errorString = e.loader->errorString();
            continue;
        }
        e.record.loaded = true;
        e.record.errorString.clear();
        out.append(obj);
    }
    return out;
}

PluginManager &sharedPlugins()
{
    // A function-local static: C++11 guarantees one thread constructs and
    // scans it while any others wait.
    struct Scanned {
        PluginManager manager;
        Scanned() { manager.scan(); }
    };
    static Scanned registry;
    return registry.manager;
}

} // namespace rs
