#pragma once
// The versions of the libraries this build runs with, for Help ▸ About and
// bug reports: Qt, FAISS and OpenCV (linked by the core) and whatever the
// plugins report through IComponentInfo (libtorch).
//
// Thread-safety: call from the thread that owns `plugins` (it may load
// plugins that are not loaded yet, which takes a moment for libtorch).

#include <QList>
#include <QString>

namespace rs {

class PluginManager;

struct ComponentVersion {
    QString name;    // "Qt", "FAISS", "OpenCV", "libtorch", ...
    QString version; // e.g. "6.4.2"
    QString from;    // "core", or the plugin's name
};

// Core libraries first, then each plugin's in the order PluginManager lists them.
QList<ComponentVersion> componentVersions(PluginManager &plugins);

} // namespace rs
