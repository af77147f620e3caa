// The .npy reader used by `realsyn import-embeddings`: header dict, dtype,
// shape and the data size it implies.
#include "core/embed/npyreader.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString path = rs::fuzz::writeScratch(QStringLiteral("v.npy"), data, size);
    auto m = rs::readNpyMatrix(path);
    // A matrix read from a file holds rows * cols values, each from at least
    // two bytes of it (float16 is the smallest dtype accepted): a header
    // claiming more than the file holds must be an error, not a big buffer.
    if (m && (m->rows < 0 || m->cols < 0 || m->data.size() != size_t(m->rows) * size_t(m->cols)
              || m->data.size() * 2 > size))
        __builtin_trap();
    return 0;
}
