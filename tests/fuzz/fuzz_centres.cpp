// The k-means centres file a barrier job writes and shard jobs read
// (core/index/centresfile): any bytes load or fail cleanly; what loads holds
// exactly the values the file's size allows, and saves back to the same bytes.
#include "core/index/centresfile.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QFile>

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = rs::fuzz::writeScratch(QStringLiteral("c.bin"), data, size);
    auto m = rs::loadCentres(path);
    if (!m)
        return 0;
    if (m->rows < 1 || m->cols < 1 || m->data.size() != size_t(m->rows) * size_t(m->cols) || 16 + m->data.size() * 4 != size)
        __builtin_trap();
    const QString again = path + QStringLiteral(".again");
    if (!rs::saveCentres(*m, again))
        __builtin_trap();
    QFile a(path), b(again);
    if (!a.open(QIODevice::ReadOnly) || !b.open(QIODevice::ReadOnly) || a.readAll() != b.readAll())
        __builtin_trap();
    return 0;
}
