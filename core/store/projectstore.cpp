#include "core/store/projectstore.h"

#include <utility>

#include "core/store/schema.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QUuid>

#include <sqlite3.h>

#include <mutex>

namespace rs {

namespace {

// SQLite keeps memory statistics by default, behind one process-wide mutex
// taken on every malloc and free: on ingest's writer that was most of
// SQLite's locking. Nothing here reads those statistics. The setting can
// only be made before SQLite initialises, so it is made before the first
// connection opens; once SQLite runs (another library opened a database
// first) the call is refused and the default stays.
void keepNoSqliteMemoryStatistics()
{
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}


const QString kDatabaseName = QStringLiteral("project.sqlite");
const QString kLockName = QStringLiteral("project.lock");

Error sqlError(const QSqlError &e, const QString &sql)
{
    return makeError(ErrorCode::IoError, QStringLiteral("SQLite: ") + e.text().trimmed(), sql.left(120));
}

QString lockHolder(QLockFile &lock)
{
    qint64 pid = 0;
    QString host, app;
    if (lock.getLockInfo(&pid, &host, &app))
        return QStringLiteral("%1 (pid %2 on %3)").arg(app.isEmpty() ? QStringLiteral("another program") : app).arg(pid).arg(host);
    return QStringLiteral("another program");
}

} // namespace

bool ProjectStore::isProject(const QString &dir)
{
    return QFileInfo(QDir(dir).filePath(kDatabaseName)).isFile();
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::create(const QString &dir)
{
    QDir d(dir);
    if (d.exists() && !d.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("folder exists and is not empty"), dir);
    if (!QDir().mkpath(dir))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot create folder"), dir);
    std::unique_ptr<ProjectStore> store(new ProjectStore);
    if (Status s = store->openDatabase(dir, Access::ReadWrite); !s)
        return s.error();
    return store;
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::open(const QString &dir, Access access)
{
    if (!QFileInfo(dir).isDir())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such folder"), dir);
    if (!isProject(dir))
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("not a RealSyn project (no %1; create one with `realsyn init`)").arg(kDatabaseName), dir);
    std::unique_ptr<ProjectStore> store(new ProjectStore);
    Status opened = store->openDatabase(dir, access);
    if (!opened && opened.error().code == ErrorCode::Unsupported && access == Access::ReadOnly
        && opened.error().message.contains(QStringLiteral("migrate"))) {
        // An older schema: migrate once through a short read-write open
        // (which takes the lock), then read as asked.
        store.reset();
        auto writer = open(dir, Access::ReadWrite);
        if (!writer)
            return makeError(writer.error().code,
                             QStringLiteral("the project needs a schema upgrade, which needs write access: ") + writer.error().message, dir);
        writer->reset();
        store.reset(new ProjectStore);
        opened = store->openDatabase(dir, access);
    }
    if (!opened)
        return opened.error();
    return store;
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::openConnection(Access access) const
{
    if (access == Access::ReadWrite && !m_lock)
        return makeError(ErrorCode::Conflict, QStringLiteral("a read-write connection needs a store that holds the project lock"), m_dir);
    std::unique_ptr<ProjectStore> store(new ProjectStore);
    if (Status s = store->openDatabase(m_dir, access, false); !s)
        return s.error();
    return store;
}

Status ProjectStore::openDatabase(const QString &dir, Access access, bool takeLock)
{
    m_dir = QFileInfo(dir).absoluteFilePath();
    if (access == Access::ReadWrite && takeLock) {
        m_lock = std::make_unique<QLockFile>(QDir(m_dir).filePath(kLockName));
        m_lock->setStaleLockTime(0); // a crashed holder's lock is detected by pid, never by age
        bool locked = m_lock->tryLock(100);
        qint64 pid = 0;
        QString host, app;
        if (!locked && m_lock->error() == QLockFile::LockFailedError && !m_lock->getLockInfo(&pid, &host, &app)) {
            // An empty or garbled lock file (a crash while it was written, a
            // disk that filled up) names no holder, so Qt never sees it as
            // stale. A live holder keeps an flock on it from creation on, so
            // removeStaleLockFile() succeeds only when no process holds it.
            if (m_lock->removeStaleLockFile())
                locked = m_lock->tryLock(100);
        }
        if (!locked) {
            const QString lockPath = m_lock->fileName();
            const bool unreadable = m_lock->error() == QLockFile::LockFailedError && !m_lock->getLockInfo(&pid, &host, &app);
            const QString holder = lockHolder(*m_lock);
            const bool denied = m_lock->error() == QLockFile::PermissionError;
            m_lock.reset();
            if (denied)
                return makeError(ErrorCode::IoError, QStringLiteral("cannot create the lock file %1: permission denied").arg(lockPath), m_dir);
            if (unreadable)
                return makeError(ErrorCode::Conflict,
                                 QStringLiteral("project is locked, but the lock file %1 names no holder (empty or garbled) and is in use; "
                                                "if no RealSyn program is running on this project, remove that file and try again")
                                     .arg(lockPath),
                                 m_dir);
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("project is locked by %1; if that program is no longer running, remove %2 and try again")
                                 .arg(holder, lockPath),
                             m_dir);
        }
    }
    keepNoSqliteMemoryStatistics();
    m_connection = QStringLiteral("rs-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(databasePath());
    if (access == Access::ReadOnly)
        m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    else
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot open database: ") + m_db.lastError().text(), databasePath());

    // WAL lets readers (the GUI's browser, `stats`) work while a stage writes;
    // NORMAL sync is durable at checkpoints and crash-safe in WAL mode.
    if (access == Access::ReadWrite) {
        for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
            if (auto r = exec(QString::fromLatin1(pragma)); !r)
                return r.error();
        return migrate();
    }
    auto version = scalar(QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    if (version->toInt() != kSchemaVersion)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("project schema version %1, this build reads %2; open it read-write to migrate")
                             .arg(version->toInt())
                             .arg(kSchemaVersion),
                         m_dir);
    return {};
}

Status ProjectStore::migrate()
{
    auto version = scalar(QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    int current = version->toInt();
    const auto &steps = schema::migrations();
    if (current > steps.size())
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("project was written by a newer RealSyn (schema %1 > %2)").arg(current).arg(steps.size()),
                         m_dir);
    for (; current < steps.size(); ++current) {
        Transaction tx(*this);
        for (const QString &sql : steps[current])
            if (auto r = exec(sql); !r)
                return r.error();
        if (auto r = exec(QStringLiteral("PRAGMA user_version = %1").arg(current + 1)); !r)
            return r.error();
        if (Status s = tx.commit(); !s)
            return s;
    }
    if (meta(QStringLiteral("created_at")).isEmpty())
        return setMeta(QStringLiteral("created_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    return {};
}

ProjectStore::~ProjectStore()
{
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    if (!m_connection.isEmpty())
        QSqlDatabase::removeDatabase(m_connection);
}

QString ProjectStore::databasePath() const
{
    return QDir(m_dir).filePath(kDatabaseName);
}

QString ProjectStore::sidePath(const QString &relative) const
{
    return QDir(m_dir).filePath(relative);
}

Result<QSqlQuery> ProjectStore::exec(const QString &sql, const QVariantList &binds)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return sqlError(q.lastError(), sql);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec())
        return sqlError(q.lastError(), sql);
    return q;
}

Result<QSqlQuery> ProjectStore::prepare(const QString &sql)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return sqlError(q.lastError(), sql);
    return q;
}

Status ProjectStore::execPrepared(QSqlQuery &q, const QVariantList &binds)
{
    for (int i = 0; i < binds.size(); ++i)
        q.bindValue(i, binds[i]);
    if (!q.exec())
        return sqlError(q.lastError(), q.lastQuery());
    return {};
}

Result<QVariant> ProjectStore::scalar(const QString &sql, const QVariantList &binds)
{
    auto q = exec(sql, binds);
    if (!q)
        return q.error();
    if (q->next())
        return q->value(0);
    return QVariant();
}

QString ProjectStore::meta(const QString &key, const QString &fallback)
{
    auto v = scalar(QStringLiteral("SELECT value FROM meta WHERE key = ?"), {key});
    return (v && v->isValid()) ? v->toString() : fallback;
}

Status ProjectStore::setMeta(const QString &key, const QString &value)
{
    auto r = exec(QStringLiteral("INSERT INTO meta(key, value) VALUES(?, ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                  {key, value});
    if (!r)
        return r.error();
    return {};
}

qint64 ProjectStore::dataGeneration()
{
    return meta(QStringLiteral("data_generation"), QStringLiteral("0")).toLongLong();
}

Status ProjectStore::bumpDataGeneration()
{
    return setMeta(QStringLiteral("data_generation"), QString::number(dataGeneration() + 1));
}

Status ProjectStore::logIssue(const QString &stage, const QString &severity, const QString &itemKind, qint64 itemId,
                              const QString &text, const QString &context)
{
    // Inside a transaction the row would vanish with a rollback, and the
    // problem that caused the rollback is the one most worth keeping: hold it
    // until the transaction ends, whichever way (writePendingIssues).
    if (m_inTransaction) {
        m_pendingIssues.push_back({stage, severity, itemKind, itemId, text, context,
                                   QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
        return {};
    }
    auto r = exec(QStringLiteral("INSERT INTO issues(stage, severity, item_kind, item_id, text, context, at) "
                                 "VALUES(?, ?, ?, ?, ?, ?, ?)"),
                  {stage, severity, itemKind, itemId >= 0 ? QVariant(itemId) : QVariant(), text, context,
                   QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
    if (!r)
        return r.error();
    return {};
}

Status ProjectStore::writePendingIssues()
{
    const QVector<PendingIssue> pending = std::exchange(m_pendingIssues, {});
    for (const PendingIssue &i : pending) {
        auto r = exec(QStringLiteral("INSERT INTO issues(stage, severity, item_kind, item_id, text, context, at) "
                                     "VALUES(?, ?, ?, ?, ?, ?, ?)"),
                      {i.stage, i.severity, i.itemKind, i.itemId >= 0 ? QVariant(i.itemId) : QVariant(), i.text, i.context, i.at});
        if (!r)
            return r.error();
    }
    return {};
}

Transaction::Transaction(ProjectStore &store) : m_store(store)
{
    m_active = m_store.db().transaction();
    m_store.m_inTransaction = m_active;
}

Transaction::~Transaction()
{
    if (!m_active)
        return;
    m_store.db().rollback();
    m_store.m_inTransaction = false;
    (void)m_store.writePendingIssues(); // after the rollback, so they stay; a destructor cannot report
}

Status Transaction::commit()
{
    if (!m_active)
        return makeError(ErrorCode::Internal, QStringLiteral("no active transaction"));
    m_active = false;
    m_store.m_inTransaction = false;
    const bool committed = m_store.db().commit();
    if (!committed)
        m_store.db().rollback();
    // Committed or not, the issues raised inside are written now.
    if (Status s = m_store.writePendingIssues(); !s)
        return s;
    if (!committed)
        return makeError(ErrorCode::IoError, QStringLiteral("commit failed: ") + m_store.db().lastError().text());
    return {};
}

} // namespace rs
