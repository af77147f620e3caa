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
// Call it first thing in main(), before other threads start.

namespace rs {

void keepFreedMemoryForReuse();

} // namespace rs
