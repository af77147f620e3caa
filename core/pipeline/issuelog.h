#pragma once
// Per-item problems of a stage are data: they go to the running job (the
// CLI prints them, the GUI lists them live) and to the project's issue log,
// so they are still there after a restart.

#include "core/util/jobcontext.h"

namespace rs {

class ProjectStore;

// Reports `issue` to the job and appends it to the store's issue log (a
// failure to log is itself reported to the job, never fatal).
void recordImageIssue(ProjectStore &store, JobContext &ctx, const QString &stage, const JobIssue &issue);

} // namespace rs
