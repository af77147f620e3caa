#pragma once
// Worker pools that feed a writer.
//
// Ingest and extract work alike: a pool parses pages or probes images, and
// the thread that runs the stage writes what the workers made, in order,
// into the project. With as many workers as cores, three threads share two
// cores evenly, so the workers run ahead of the writer until the queue is
// full, and at the end the writer is left alone with that queue: on the demo
// corpus ~35 ms of ingest's ~0.4 s had one core idle while the last 128
// parsed pages were written (perf, busy threads per 20 ms).
//
// The workers therefore run at a lower scheduling weight than the writer
// (nice +kFeederNice, thread by thread): the writer runs as soon as it has
// something to write, and the workers use whatever it leaves. Demo ingest,
// alternated with and without: 3-5% less wall time.

#include <functional>

class QThreadPool;

namespace rs {

inline constexpr int kFeederNice = 5;

// Readies `pool`, its size already set, as feeders of the calling thread:
//  - every thread is started now. glibc cannot create a thread while another
//    is inside dlopen (the new thread's TLS setup takes the loader's lock),
//    and extract's first probe loads the image module with OpenCV (~30 ms):
//    a pool that grew as batches were queued could hold the writer, which
//    queues them, for the whole load (seen with strace -k);
//  - each thread runs `onEachThread` once, then lowers its own weight as
//    above (raising a nice value needs no privilege; where it fails the
//    thread keeps its weight, which only costs the tail);
//  - no thread expires while the pool lives: a replacement would have
//    neither.
// A pool's threads end with it, so the lowered weight never reaches another
// stage's workers.
void startFeederThreads(QThreadPool &pool, const std::function<void()> &onEachThread = {});

} // namespace rs
