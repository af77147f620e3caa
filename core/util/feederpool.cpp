#include "core/util/feederpool.h"

#include <QSemaphore>
#include <QThreadPool>

#include <memory>

#include <sys/resource.h>
#include <unistd.h>

namespace rs {

void startFeederThreads(QThreadPool &pool, const std::function<void()> &onEachThread)
{
    struct Gate {
        QSemaphore started, open;
    };
    const auto gate = std::make_shared<Gate>();
    const int threads = pool.maxThreadCount();
    pool.setExpiryTimeout(-1);
    for (int i = 0; i < threads; ++i)
        pool.start([gate, onEachThread] {
            if (onEachThread)
                onEachThread();
            // Relative to the thread's own value, which it inherited from the
            // writer's process; errors leave it as it was (see the header).
            errno = 0;
            const int nice = getpriority(PRIO_PROCESS, gettid());
            if (errno == 0)
                setpriority(PRIO_PROCESS, gettid(), nice + kFeederNice);
            gate->started.release();
            gate->open.acquire();
        });
    gate->started.acquire(threads); // every task running, so each on a thread of its own
    gate->open.release(threads);
}

} // namespace rs
