// realsyn_parquet.so: the entry points rs::ParquetWriter opens at run time
// (see parquetfile.h).
#include "core/export/detail/parquetfile.h"

extern "C" {

__attribute__((visibility("default"))) int realsyn_parquet_abi()
{
    return REALSYN_PARQUET_ABI;
}

__attribute__((visibility("default"))) rs::detail::IParquetFileWriter *
realsyn_parquet_new_writer(const QVector<rs::ParquetColumn> &schema, rs::ParquetCompression compression, qint64 rowGroupRows)
{
    return rs::detail::makeParquetFileWriter(schema, compression, rowGroupRows).release();
}

__attribute__((visibility("default"))) void realsyn_parquet_parse(const QByteArray &file, rs::Result<rs::ParquetFileInfo> &out)
{
    out = rs::detail::parseParquetFile(file);
}
}
