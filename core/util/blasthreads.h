#pragma once
// OpenBLAS (Debian's default libblas.so.3, which FAISS links) starts one
// worker thread per core while the library loads, and each worker spins on
// sched_yield for about 2^28 cycles (~0.1 s) before it sleeps. Every realsyn
// process paid that: a second core busy for 0.1 s in `init`, `ingest` and
// `run --until extract`, which never call BLAS. parkBlasThreads() stops
// those workers; OpenBLAS starts them again by itself on its next threaded
// call (the same lazy restart it uses after fork), so k-means and exact
// search keep every core.
//
// Call it first thing in main(). A no-op when the BLAS in use is not
// OpenBLAS (the symbol is looked up at run time, not linked).

class QLibrary;

namespace rs {

void parkBlasThreads();

// The same for an OpenBLAS that came in with `module` (opened with QLibrary,
// so local: the lookup above does not see its libraries). For
// realsyn_imageprobe.so, whose OpenCV links OpenBLAS: its workers would spin
// beside the sentence pass that extract runs while the module loads.
void parkBlasThreads(QLibrary &module);

} // namespace rs
