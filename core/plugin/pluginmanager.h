#pragma once
// PluginManager: finds runtime plugins, reads their metadata without loading
// them, loads only those whose interface is asked for, and keeps every
// failure's reason for a Plugins view.
//
// Search order (first hit of a file name wins): REALSYN_PLUGIN_PATH
// (colon-separated), the build tree (<dir of the executable>/../plugins),
// the install tree (<exe>/../<libdir>/realsyn/plugins, then the configured
// install prefix). Loaded plugins stay loaded for the life of the process
// (libraries such as libtorch do not survive being unloaded).
//
// Thread-safety: every member may be called from any thread. One mutex
// serialises scanning, loading and reading the records, so the studio's
// Plugins view (GUI thread) and a stage on the job thread may ask at once.
// A plugin is loaded once and its root object is shared for the life of the
// process: treat it as read-only (factories); per-run state belongs to what
// a factory creates, one per worker (see core/generate/detail/expertpool.h).
// The process-wide registry is sharedPlugins() below: scanned once, on
// first use, then queried by every stage, the CLI and the studio.

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <mutex>
#include <vector>

class QPluginLoader;

namespace rs {

struct PluginRecord {
    QString fileName;     // absolute path of the library
    QString iid;          // interface id from the metadata, e.g. "org.realsyn.IEncoderPlugin/1"
    QJsonObject metaData; // the plugin's plugin.json ("MetaData" of QPluginLoader::metaData())
    bool loaded = false;
    QString errorString;  // why reading or loading failed; empty when fine
};

class PluginManager {
public:
    // Directories searched by default, in order; missing ones are kept (harmless).
    static QStringList defaultSearchPaths();

    explicit PluginManager(QStringList searchPaths = defaultSearchPaths());
    ~PluginManager();
    PluginManager(const PluginManager &) = delete;
    PluginManager &operator=(const PluginManager &) = delete;

    QStringList searchPaths() const { return m_searchPaths; }

    // Lists the libraries in the search paths and reads their metadata.
    // Loads nothing. Calling it again rescans (already-loaded plugins stay).
    void scan();

    // Every plugin seen by scan(), with its state and error.
    QList<PluginRecord> plugins() const;

    // Loads the plugins whose metadata declares `iid` and returns their
    // root objects (owned by Qt's plugin loader; valid for the process).
    QList<QObject *> instances(const QString &iid);

    // Root objects that implement interface I (declared with Q_DECLARE_INTERFACE).
    template <typename I>
    QList<I *> objects()
    {
        QList<I *> out;
        const QList<QObject *> objs = instances(QString::fromLatin1(qobject_interface_iid<I *>()));
        for (QObject *o : objs) {
            if (I *i = qobject_cast<I *>(o))
                out.append(i);
        }
        return out;
    }

private:
    struct Entry {
        PluginRecord record;
        std::unique_ptr<QPluginLoader> loader;
    };
    QStringList m_searchPaths;
    mutable std::mutex m_mutex; // guards m_entries (see Thread-safety above)
    std::vector<Entry> m_entries;
};

// The process-wide registry, scanned on first use (thread-safe).
PluginManager &sharedPlugins();

} // namespace rs
