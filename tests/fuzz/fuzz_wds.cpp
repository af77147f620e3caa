// WebDataset tar shards (any libarchive filter: gzip, bzip2, xz, ...): members
// are extracted into the scratch folder, which is emptied after each input.
#include "core/ingest/wdsreader.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString shard = rs::fuzz::writeScratch(QStringLiteral("00000.tar"), data, size);
    const QString out = rs::fuzz::scratchDir() + QStringLiteral("/media");
    // 1 MiB per member: a sparse or compressed bomb must be refused, not
    // written (RSS and disk stay bounded; -rss_limit_mb catches the rest).
    rs::WdsLimits limits;
    limits.maxMemberBytes = 1024 * 1024;
    limits.expansionSlackBytes = 4 * 1024 * 1024;
    rs::WdsReader reader(shard, out, limits);
    (void)reader.read([](rs::SourceItem &&item) {
        if (item.document.has_value() == !item.error.isEmpty())
            __builtin_trap();
        return true;
    });
    // Nothing may be written outside the extract folder: the scratch folder
    // holds only the shard and media/.
    const QStringList entries = QDir(rs::fuzz::scratchDir()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    for (const QString &e : entries)
        if (e != QLatin1String("00000.tar") && e != QLatin1String("media"))
            __builtin_trap();
    QDir(out).removeRecursively();
    return 0;
}
