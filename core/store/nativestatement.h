#pragma once
// A statement prepared once on a project's own SQLite connection and bound
// with native values, for the loops that write tens of thousands of rows
// (ingest's documents, image references and sentences). Qt's QSqlQuery
// converts every bound value through QVariant and rebuilds its result set on
// each exec(); on ingest that cost as much CPU as SQLite itself.
//
// The statement runs on the same sqlite3 connection as the store's
// QSqlDatabase (taken from its driver handle), so it sees and joins the
// store's open Transaction like any other query.
//
// Thread-safety: as the store's connection: use it on the thread that owns
// the ProjectStore. It must not outlive the store.

#include "core/util/result.h"

#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace rs {

class ProjectStore;

class NativeStatement {
public:
    // Fails when the store's driver is not SQLite or the SQL does not compile.
    static Result<NativeStatement> prepare(ProjectStore &store, const char *sql);

    NativeStatement(NativeStatement &&) noexcept;
    NativeStatement &operator=(NativeStatement &&) noexcept;
    ~NativeStatement();

    // Parameters are numbered from 0, as QSqlQuery::bindValue does. Text is
    // bound as UTF-16 and copied by SQLite; a null QString binds NULL.
    NativeStatement &bind(int index, qint64 value);
    NativeStatement &bind(int index, int value) { return bind(index, qint64(value)); }
    NativeStatement &bind(int index, double value);
    NativeStatement &bind(int index, const QString &text);
    // Text already in UTF-8, the database's encoding, read in place: no copy
    // and no conversion. The bytes must stay valid until exec() (or the next
    // binding of this index). An empty view binds an empty text, not NULL.
    NativeStatement &bindUtf8(int index, QByteArrayView utf8);
    NativeStatement &bindNull(int index);

    // Runs the statement to completion (an INSERT), then resets it for the
    // next bindings. The error names the SQL.
    Status exec();
    // Runs a query and returns column 0 of its first row as an integer, or
    // nullopt when it gives no row; resets the statement either way.
    Result<std::optional<qint64>> firstInt64();

    // Steps a query: true with a row to read through the accessors below,
    // false at its end (the statement is then reset for the next bindings).
    Result<bool> next();
    // Steps a query to its end, calling onRow() (which returns a Status) on
    // each row; stops at the first error, SQLite's or onRow's.
    template <typename RowFn>
    Status forEachRow(RowFn &&onRow)
    {
        for (;;) {
            auto row = next();
            if (!row)
                return row.error();
            if (!*row)
                return {};
            if (Status s = onRow(); !s)
                return s;
        }
    }
    // Columns of the current row, numbered from 0; SQLite converts types
    // as it documents (NULL reads as 0, 0.0 and a null QString).
    qint64 int64(int column) const;
    double real(int column) const;
    bool isNull(int column) const;
    QString text(int column) const;
    // The column's text as stored (UTF-8), without a copy or a conversion;
    // valid until the next call on this statement. NULL reads as empty.
    QByteArrayView utf8(int column) const;

    // The rowid of the last row inserted on this connection.
    qint64 lastInsertId() const;

private:
    NativeStatement(sqlite3 *db, sqlite3_stmt *stmt, QString sql);
    Status error(int code);

    sqlite3 *m_db = nullptr;
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> m_stmt;
    QString m_sql;
};

} // namespace rs
