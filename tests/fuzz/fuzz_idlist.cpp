// Image id lists (`realsyn export --ids`, the studio's saved selections):
// any bytes parse or fail cleanly, and what parses survives a round trip
// through the writer unchanged.
#include "core/util/idlist.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto ids = rs::parseIdList(rs::fuzz::bytesOf(data, size));
    if (!ids)
        return 0;
    for (qint64 id : *ids)
        if (id <= 0)
            __builtin_trap();
    auto again = rs::parseIdList(rs::formatIdList(*ids, QStringLiteral("round trip\nsecond line")));
    if (!again || *again != *ids)
        __builtin_trap();
    return 0;
}
