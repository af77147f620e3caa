#pragma once
// IStage: one step of the pipeline (extract, ground, embed, retrieve, generate,
// sample). A stage is plain synchronous, batch-first code: it reads what
// earlier stages stored, writes its results in transactions, reports
// progress between batches and returns Canceled at the next batch boundary
// once ctx.isCanceled(). Work committed before a cancel is kept, so the
// next run resumes instead of starting over.

#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

namespace rs {

class ProjectStore;
class Recipe;

class IStage {
public:
    virtual ~IStage() = default;
    virtual QString name() const = 0;
    // Recipe keys (or "prefix." groups) whose values change this stage's output.
    virtual QStringList settingKeys() const = 0;
    // What else besides settings changes the output (e.g. which plugins are
    // installed, by name and version); part of the stage's fingerprint.
    virtual QString environmentKey() const { return {}; }
    virtual Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) = 0;
    // Whether a re-run only re-decides from stored scores (seconds at most),
    // so that a changed setting can be applied at once (Pipeline::applySettings).
    virtual bool quickToRerun(ProjectStore &) const { return false; }
};

} // namespace rs
