#include "core/util/blasthreads.h"

#include <QLibrary>

#include <dlfcn.h>

namespace rs {

namespace {

// blas_thread_shutdown_ joins the workers and marks the pool unavailable;
// exec_blas() calls blas_thread_init() again when the pool is needed.
constexpr char kShutdown[] = "blas_thread_shutdown_";
using ShutdownFn = int (*)();

} // namespace

void parkBlasThreads()
{
    if (auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(RTLD_DEFAULT, kShutdown)))
        shutdown();
}

void parkBlasThreads(QLibrary &module)
{
    // A library's lookup searches what it depends on, as dlsym(handle) does.
    if (auto shutdown = reinterpret_cast<ShutdownFn>(module.resolve(kShutdown)))
        shutdown();
}

} // namespace rs
