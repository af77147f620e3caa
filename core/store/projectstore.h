#pragma once
// ProjectStore: one project folder = one SQLite database (WAL, versioned
// schema) plus side files (embeddings, indices, thumbnails, exports, media
// copied out of archives).
//
// Ownership and threads: a ProjectStore owns one QSqlDatabase connection,
// which Qt allows to be used only from the thread that opened it. Workers
// compute; the owning thread writes, in transactions (see Transaction).
// Opening for writing takes the project lock (QLockFile); a second writer,
// e.g. the GUI while the CLI runs, gets a Conflict error naming the holder.

#include "core/util/result.h"

#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <QVector>

#include <memory>

namespace rs {

class ProjectStore {
public:
    enum class Access { ReadOnly, ReadWrite };

    static constexpr int kSchemaVersion = 6;

    // Creates DIR (must not exist or be empty) with a fresh database.
    static Result<std::unique_ptr<ProjectStore>> create(const QString &dir);
    // Opens an existing project, migrating its schema forward if needed
    // (ReadWrite only; a read-only open of an old schema is refused).
    static Result<std::unique_ptr<ProjectStore>> open(const QString &dir, Access access = Access::ReadWrite);
    static bool isProject(const QString &dir);

    // A further connection to this project, for another thread of the
    // process that opened this store (a connection is usable only on the
    // thread that opened it, so call this on that thread; it is safe to call
    // from any thread). It takes no lock of its own: a ReadWrite connection
    // relies on this store's lock, so it needs this store to hold one and
    // must not outlive it.
    Result<std::unique_ptr<ProjectStore>> openConnection(Access access) const;

    ~ProjectStore();
    ProjectStore(const ProjectStore &) = delete;
    ProjectStore &operator=(const ProjectStore &) = delete;

    QString dir() const { return m_dir; }
    QString databasePath() const;
    // Absolute path of a side file or folder inside the project (not created).
    QString sidePath(const QString &relative) const;
    QSqlDatabase &db() { return m_db; }

    // Runs one statement with positional bindings; the error carries the SQL.
    Result<QSqlQuery> exec(const QString &sql, const QVariantList &binds = {});
    // A statement prepared once for a hot loop: bind with execPrepared().
    Result<QSqlQuery> prepare(const QString &sql);
    Status execPrepared(QSqlQuery &query, const QVariantList &binds);
    // First column of the first row, or an invalid QVariant when no row.
    Result<QVariant> scalar(const QString &sql, const QVariantList &binds = {});

    QString meta(const QString &key, const QString &fallback = {});
    Status setMeta(const QString &key, const QString &value);

    // Bumped by every ingest that adds data; stage fingerprints include it,
    // so new documents make the stages stale.
    qint64 dataGeneration();
    Status bumpDataGeneration();

    // Appends an issue to the project log (stage, severity, sample, text).
    Status logIssue(const QString &stage, const QString &severity, const QString &itemKind,
                    qint64 itemId, const QString &text, const QString &context);

private:
    friend class Transaction;
    struct PendingIssue {
        QString stage, severity, itemKind;
        qint64 itemId = -1;
        QString text, context, at;
    };
    Status writePendingIssues();

    ProjectStore() = default;
    Status openDatabase(const QString &dir, Access access, bool takeLock = true);
    Status migrate();

    QString m_dir;
    QString m_connection;
    QSqlDatabase m_db;
    std::unique_ptr<QLockFile> m_lock;
    bool m_inTransaction = false;
    QVector<PendingIssue> m_pendingIssues; // logged inside the open transaction
};

// RAII transaction: commits on commit(), rolls back if destroyed without it.
class Transaction {
public:
    explicit Transaction(ProjectStore &store);
    ~Transaction();
    Status commit();
    bool active() const { return m_active; }

private:
    ProjectStore &m_store;
    bool m_active = false;
};

} // namespace rs
