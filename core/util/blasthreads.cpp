#include "core/util/blasthreads.h"

#include <dlfcn.h>

namespace rs {

void parkBlasThreads()
{
    // blas_thread_shutdown_ joins the workers and marks the pool unavailable;
    // exec_blas() calls blas_thread_init() again when the pool is needed.
    using ShutdownFn = int (*)();
    if (auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_")))
        shutdown();
}

} // namespace rs
