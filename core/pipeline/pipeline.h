#pragma once
// Pipeline: the ordered stages, their state in a project, and running the
// ones that are missing or stale.
//
// Staleness is a chain of fingerprints: a stage's fingerprint hashes its own
// settings plus the previous stage's fingerprint (the first stage also
// hashes the project's data generation, bumped by every ingest that adds
// data). A stage is done when the fingerprint stored at its last successful
// run equals the current one, stale when it differs, not-run when absent.
// Settings are not all: a stage is also stale when the verdicts of the
// stages before it (core/store/verdicts.h) differ from those it saw when it
// finished, so re-deciding an earlier stage behind a later one's back (a
// setting changed and changed back, say) never leaves it reading "done" over
// data it did not produce.

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

    // Every stage this build implements (defined in allstages.cpp, so that
    // a program linking only the first stages can build the one below).
    Pipeline();
    // Only `stages`: the first stages of stageNames(), in that order (a
    // stage's fingerprint chains those of the stages before it). For a
    // program that runs stage 1 without linking, or loading the libraries
    // of, the stages after it (`realsyn run --until extract`, app/cli/main.cpp).
    // The stages after them are unavailable: run() fails asking for one.
    explicit Pipeline(std::vector<std::unique_ptr<IStage>> stages);
    ~Pipeline();

    bool isAvailable(const QString &stage) const;
    IStage *stage(const QString &name) const;

    QString fingerprint(const QString &stage, ProjectStore &store, const Recipe &recipe) const;
    StageState state(const QString &stage, ProjectStore &store, const Recipe &recipe) const;
    // The stage names before `stage` in pipeline order.
    static QStringList stagesBefore(const QString &stage);
    QMap<QString, StageState> states(ProjectStore &store, const Recipe &recipe) const;

    // Runs every missing or stale stage up to and including `until` (empty:
    // all). Fails with Unsupported when a stage on the way is not in this
    // build. `ran` (optional) receives the names of the stages that ran.
    Status run(ProjectStore &store, const Recipe &recipe, const QString &until, JobContext &ctx,
               QStringList *ran = nullptr) const;

    // The re-run policy after settings changed (the studio's sliders, the
    // same for every front end): saves the recipe, then re-runs, in order,
    // each stage that is no longer done, has run before and is quick to
    // re-decide (IStage::quickToRerun), stopping at the first that is not.
    Status applySettings(ProjectStore &store, const Recipe &recipe, JobContext &ctx, QStringList *ran = nullptr) const;

    // Records `name` done for the project's current settings and earlier
    // verdicts, as a finished run does. For a stage whose work was done
    // elsewhere and folded in whole: a merge of retrieve's shards.
    Status recordDone(const QString &name, ProjectStore &store, const Recipe &recipe) const;

private:
    // Runs one stage inside the job boundary and records its state.
    Status runStage(IStage &stage, ProjectStore &store, const Recipe &recipe, JobContext &ctx) const;

    std::vector<std::unique_ptr<IStage>> m_stages;
};

} // namespace rs
