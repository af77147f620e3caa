#include "core/util/batchmalloc.h"

#include <cstdlib> // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace rs {

namespace {

std::atomic<bool> g_freedMemoryKept{false};

} // namespace

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    // Both calls also switch off glibc's dynamic threshold, which would
    // otherwise move them again.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    g_freedMemoryKept.store(true, std::memory_order_relaxed);
#endif
}

void preferHugePagesForThisThread()
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    thread_local bool done = false;
    if (done || !g_freedMemoryKept.load(std::memory_order_relaxed))
        return;
    done = true;
    // Under the mmap threshold that keepFreedMemoryForReuse() set, the block
    // comes from the top of this thread's heap; freed, it merges back into
    // the heap's free top, which stays under the trim threshold.
    constexpr size_t kBlock = 31u << 20;
    void *block = std::malloc(kBlock);
    if (!block)
        return;
    // From the page that holds the block's start (and malloc's header for
    // it, where the next allocation will begin) to its last whole page.
    const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = uintptr_t(block) & ~(page - 1);
    const uintptr_t end = (uintptr_t(block) + kBlock) & ~(page - 1);
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE); // advice: a refusal changes nothing
    std::free(block);
#endif
}

} // namespace rs
