#include "core/util/batchmalloc.h"

#include <cstdlib> // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rs {

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    // Both calls also switch off glibc's dynamic threshold, which would
    // otherwise move them again.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

} // namespace rs
