// The parquet footer reader (rs::parseParquetFileInfo's work, inside
// realsyn_parquet.so): the PAR1 magic at both ends, a footer length the
// file states, and Thrift compact-protocol metadata whose string, list and
// struct lengths the file controls.
#include "core/export/detail/parquetfile.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray file = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto info = rs::detail::parseParquetFile(file);
    if (!info)
        return 0;
    // What the reader promises of a file it describes: row groups that add
    // up to the file's rows, none negative, and a codec per column of the
    // first group at most.
    qint64 total = 0;
    for (const qint64 rows : info->rowGroupRows) {
        if (rows < 0)
            __builtin_trap();
        total += rows;
    }
    if (total != info->rows)
        __builtin_trap();
    return 0;
}
