#pragma once
// A small Apache Parquet writer for flat tables (the export's one row per
// sample): every column a top-level REQUIRED or OPTIONAL leaf, PLAIN values,
// definition levels in the RLE/bit-packed hybrid, data pages v1 compressed
// with Snappy, ZSTD or nothing, file metadata in the Thrift compact protocol
// (code generated from core/export/detail/parquet.thrift by thrift-compiler).
// Thrift (which brings OpenSSL), Snappy and ZSTD stay inside the module
// realsyn_parquet.so (detail/parquetfile.cpp), opened on the first parquet
// file written or read, so that no other command maps them (~1.5 ms of
// every start, and three libraries fewer in its symbol lookups).
//
// Output is deterministic: the same rows in the same order give the same
// bytes (no timestamps, a fixed created_by, fixed codec levels).
//
// Not thread-safe; one writer per file. Memory: the current row group's
// encoded (compressed) pages plus the page being filled per column.

#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <variant>

namespace rs {

enum class ParquetCompression { None, Snappy, Zstd };

// "snappy" (default: every reader has it), "zstd", "none".
QStringList parquetCompressions();
Result<ParquetCompression> parseParquetCompression(const QString &name);
QString parquetCompressionName(ParquetCompression c);

struct ParquetColumn {
    enum class Type { String, Int32, Int64, Double }; // String = BYTE_ARRAY with the UTF-8 STRING logical type
    QString name;
    Type type = Type::String;
    bool optional = true; // OPTIONAL (nullable) or REQUIRED
};

// A cell: std::monostate is null (only in optional columns).
using ParquetValue = std::variant<std::monostate, QString, qint32, qint64, double>;

// The metadata string every file carries; fixed so exports stay byte-identical.
inline constexpr char kParquetCreatedBy[] = "realsyn-studio version 1.0.0 (parquet writer 1)";

class ParquetWriter {
public:
    // rowGroupRows >= 1: rows per row group (the last one may hold fewer).
    ParquetWriter(QVector<ParquetColumn> schema, ParquetCompression compression, qint64 rowGroupRows);
    ~ParquetWriter();
    ParquetWriter(const ParquetWriter &) = delete;
    ParquetWriter &operator=(const ParquetWriter &) = delete;

    // Creates (truncates) `path` and writes the magic. Fails, writing
    // nothing, when the parquet module cannot be loaded (see
    // parquetUnavailable()).
    Status open(const QString &path);
    // One row, one value per column in schema order. A wrong arity, a type
    // that does not match its column or a null in a REQUIRED column is an
    // InvalidArgument error and nothing of the row is kept.
    Status addRow(const QVector<ParquetValue> &row);
    // Writes the last row group and the footer, and closes the file. A
    // writer destroyed without close() leaves an incomplete file behind:
    // the caller writes into a temporary folder (as the exporter does).
    Status close();

    qint64 rows() const;
    int rowGroups() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// What a parquet file's footer says, read with Thrift's own compact-protocol
// reader: used by the tests and to check files we wrote. Malformed input
// (bad magic, truncated or oversized footer, metadata that does not decode
// or describes columns we cannot name) is a ParseError, never a crash.
struct ParquetFileInfo {
    qint64 rows = 0;
    QVector<qint64> rowGroupRows;
    QVector<ParquetColumn> columns;
    QStringList codecs;     // per column of the first row group: "snappy", "zstd", "none", or another codec's name
    QString createdBy;
};
Result<ParquetFileInfo> readParquetFileInfo(const QString &path);
// The same from the bytes of a whole file (the fuzz/malformed-input tests).
Result<ParquetFileInfo> parseParquetFileInfo(const QByteArray &file);

// Empty when the parquet module is there (without loading it); otherwise
// which files were tried. For an export to refuse to start instead of
// failing after its images are written.
QString parquetUnavailable();

} // namespace rs
