#pragma once
// Pipeline: the ordered stages, their state in a project, and running the
// ones that are missing or stale.
//
// Staleness is a chain of fingerprints: a stage's fingerprint hashes its own
// settings plus the previous stage's fingerprint (the first stage also
// hashes the project's data generation, bumped by every ingest that adds
// data). A stage is done when the fingerprint stored at its last successful
// run equals the current one, stale when it differs, not-run when absent.

#include "core/pipeline/stage.h"
#include "core/util/result.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

enum class StageState { Done, Stale, NotRun };
QString stageStateName(StageState state); // "done", "stale", "not-run"

class Pipeline {
public:
    // The contract's stage names in order, whether or not this build implements them.
    static QStringList stageNames();

    Pipeline(); // registers the stages this build implements
    ~Pipeline();

    bool isAvailable(const QString &stage) const;
    IStage *stage(const QString &name) const;

    QString fingerprint(const QString &stage, ProjectStore &store, const Recipe &recipe) const;
    StageState state(const QString &stage, ProjectStore &store, const Recipe &recipe) const;
    QMap<QString, StageState> states(ProjectStore &store, const Recipe &recipe) const;

    // Runs every missing or stale stage up to and including `until` (empty:
    // all). Fails with Unsupported when a stage on the way is not in this
    // build. `ran` (optional) receives the names of the stages that ran.
    Status run(ProjectStore &store, const Recipe &recipe, const QString &until, JobContext &ctx,
               QStringList *ran = nullptr) const;

private:
    std::vector<std::unique_ptr<IStage>> m_stages;
};

} // namespace rs
