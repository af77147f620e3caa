#include "core/store/nativestatement.h"

#include "core/store/projectstore.h"

#include <QSqlDriver>

#include <sqlite3.h>

namespace rs {

namespace {

// The QSQLITE driver hands out its connection as a QVariant of "sqlite3*".
sqlite3 *connectionOf(ProjectStore &store)
{
    const QVariant handle = store.db().driver() ? store.db().driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

} // namespace

Result<NativeStatement> NativeStatement::prepare(ProjectStore &store, const char *sql)
{
    sqlite3 *db = connectionOf(store);
    if (!db)
        return makeError(ErrorCode::Internal, QStringLiteral("the project's database connection is not SQLite"),
                         QString::fromUtf8(sql));
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return makeError(ErrorCode::IoError, QStringLiteral("SQLite: ") + QString::fromUtf8(sqlite3_errmsg(db)),
                         QString::fromUtf8(sql).left(120));
    }
    return NativeStatement(db, stmt, QString::fromUtf8(sql));
}

NativeStatement::NativeStatement(sqlite3 *db, sqlite3_stmt *stmt, QString sql)
    : m_db(db), m_stmt(stmt, &sqlite3_finalize), m_sql(std::move(sql))
{
}

NativeStatement::NativeStatement(NativeStatement &&) noexcept = default;
NativeStatement &NativeStatement::operator=(NativeStatement &&) noexcept = default;
NativeStatement::~NativeStatement() = default;

NativeStatement &NativeStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt.get(), index + 1, value);
    return *this;
}

NativeStatement &NativeStatement::bind(int index, double value)
{
    sqlite3_bind_double(m_stmt.get(), index + 1, value);
    return *this;
}

NativeStatement &NativeStatement::bind(int index, const QString &text)
{
    if (text.isNull())
        return bindNull(index);
    sqlite3_bind_text16(m_stmt.get(), index + 1, text.utf16(), int(text.size() * sizeof(char16_t)), SQLITE_TRANSIENT);
    return *this;
}

NativeStatement &NativeStatement::bindUtf8(int index, QByteArrayView utf8)
{
    sqlite3_bind_text(m_stmt.get(), index + 1, utf8.isEmpty() ? "" : utf8.data(), int(utf8.size()), SQLITE_STATIC);
    return *this;
}

NativeStatement &NativeStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt.get(), index + 1);
    return *this;
}

Status NativeStatement::error(int code)
{
    // Worded as the store's own SQL errors are (ProjectStore's sqlError).
    const QString message = QStringLiteral("SQLite: ") + QString::fromUtf8(sqlite3_errstr(code)) + QStringLiteral(": ")
        + QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    return makeError(ErrorCode::IoError, message, m_sql.left(120));
}

Status NativeStatement::exec()
{
    int rc;
    while ((rc = sqlite3_step(m_stmt.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE)
        return error(rc);
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    return {};
}

Result<std::optional<qint64>> NativeStatement::firstInt64()
{
    const int rc = sqlite3_step(m_stmt.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return error(rc).error();
    std::optional<qint64> value;
    if (rc == SQLITE_ROW)
        value = sqlite3_column_int64(m_stmt.get(), 0);
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    return value;
}

Result<bool> NativeStatement::next()
{
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        return error(rc).error();
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    return false;
}

qint64 NativeStatement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt.get(), column);
}

bool NativeStatement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

double NativeStatement::real(int column) const
{
    return sqlite3_column_double(m_stmt.get(), column);
}

QString NativeStatement::text(int column) const
{
    const void *data = sqlite3_column_text16(m_stmt.get(), column);
    if (!data)
        return {};
    return QString(static_cast<const QChar *>(data), sqlite3_column_bytes16(m_stmt.get(), column) / qsizetype(sizeof(QChar)));
}

QByteArrayView NativeStatement::utf8(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt.get(), column));
    return data ? QByteArrayView(data, sqlite3_column_bytes(m_stmt.get(), column)) : QByteArrayView();
}

qint64 NativeStatement::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

} // namespace rs
