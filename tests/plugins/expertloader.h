#pragma once
// Test helper: loads an expert plugin library from the build tree's plugins/
// folder through QPluginLoader, the way the application does.

#include "core/generate/iexpert.h"

#include <QDir>
#include <QPluginLoader>

namespace rs::test {

inline QString pluginPath(const QString &baseName)
{
    QString dir = qEnvironmentVariable("REALSYN_BUILD_DIR");
    dir = dir.isEmpty() ? QStringLiteral(REALSYN_PLUGIN_DIR) : QDir(dir).filePath(QStringLiteral("plugins"));
    return QDir(dir).filePath(baseName + QStringLiteral(".so")); // realsyn_add_plugin: no "lib" prefix
}

// The factory called `name` from plugin library `baseName`, or null with
// `error` set. The loader is kept alive (and the library loaded) for the
// rest of the process.
inline std::shared_ptr<IExpertFactory> loadExpertFactory(const QString &baseName, const QString &name, QString *error)
{
    auto *loader = new QPluginLoader(pluginPath(baseName));
    auto *plugin = qobject_cast<IExpertPlugin *>(loader->instance());
    if (!plugin) {
        *error = loader->fileName() + QStringLiteral(": ") + loader->errorString();
        return nullptr;
    }
    for (const auto &factory : plugin->factories()) {
        if (factory->name() == name)
            return factory;
    }
    *error = QStringLiteral("no factory %1 in %2").arg(name, loader->fileName());
    return nullptr;
}

} // namespace rs::test
