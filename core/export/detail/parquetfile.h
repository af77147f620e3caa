#pragma once
// The parquet writer and footer reader proper, on Thrift's compact protocol,
// Snappy and ZSTD: linked into realsyn_parquet.so (parquetmodule.cpp), which
// rs::ParquetWriter (core/export/parquetwriter.h) opens at run time, and
// into the unit tests directly. Nothing else includes this.

#include "core/export/parquetwriter.h"

#include <memory>

namespace rs::detail {

// One file being written; the members of rs::ParquetWriter, same contract.
class IParquetFileWriter {
public:
    virtual ~IParquetFileWriter() = default;
    virtual Status open(const QString &path) = 0;
    virtual Status addRow(const QVector<ParquetValue> &row) = 0;
    virtual Status close() = 0;
    virtual qint64 rows() const = 0;
    virtual int rowGroups() const = 0;
};

std::unique_ptr<IParquetFileWriter> makeParquetFileWriter(QVector<ParquetColumn> schema, ParquetCompression compression,
                                                          qint64 rowGroupRows);
// rs::parseParquetFileInfo's work.
Result<ParquetFileInfo> parseParquetFile(const QByteArray &file);

} // namespace rs::detail

// The module's entry points. Both sides are built from this tree with the
// same compiler and Qt, so Qt and rs types cross; the ABI number guards
// against a stale module from another build.
#define REALSYN_PARQUET_ABI 1

extern "C" {
int realsyn_parquet_abi();
// A new writer (never null), to be deleted by the caller.
rs::detail::IParquetFileWriter *realsyn_parquet_new_writer(const QVector<rs::ParquetColumn> &schema, rs::ParquetCompression compression,
                                                           qint64 rowGroupRows);
void realsyn_parquet_parse(const QByteArray &file, rs::Result<rs::ParquetFileInfo> &out);
}
