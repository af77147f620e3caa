#pragma once
// glibc's malloc gives large blocks back to the kernel as soon as they are
// freed: anything over its mmap threshold (128 KiB at first, raised as
// blocks are freed) is unmapped on free, and the heap's free top is trimmed
// past 128 KiB. A stage that decodes image after image, or loads every
// sentence, then pays a page fault for each 4 KiB it touches again; on this
// project's VMs that was ~5% of extract's CPU on the demo corpus (3,000 of
// its 11,800 page faults).
//
// keepFreedMemoryForReuse() raises both limits (mmap at 32 MiB, glibc's own
// ceiling for its dynamic threshold, and the trim at 256 MiB), so freed
// blocks are reused instead. The cost is a resident size that stays near its
// peak until the process ends: right for the CLI, which runs a command and
// exits; the studio, which lives on, keeps glibc's defaults.
//
// Call it first thing in main(), before other threads start. Calling it
// again changes nothing; the command module does, so that its own copy of
// the core knows (preferHugePagesForThisThread below).


namespace rs {

void keepFreedMemoryForReuse();

// Asks the kernel for transparent huge pages (2 MiB) under the calling
// thread's malloc heap, once per thread. A first touch of a 4 KiB page
// costs ~11 µs on this project's VMs: extract's sentence pass, which builds
// ~20 MB of columns on the main thread, spent a sixth of its time faulting
// them in, and the decoders as much again growing their buffers. A huge
// page is one fault, and cheap to zero. The thread's heap is grown by a
// block that is given straight back to malloc: nothing is touched until the
// memory is used, and then 2 MiB at a time (extract's peak resident size on
// the demo corpus went from 61 to 69 MB).
//
// Only where keepFreedMemoryForReuse() ran first (the CLI), so that the
// block comes from the heap and stays in it; elsewhere, and where
// transparent huge pages are off, it does nothing.
void preferHugePagesForThisThread();

} // namespace rs
