// realsyn merge DIR --stage STAGE [--shards N]: fold finished shard stores
// into the project, then run the stage there (every item's work is found
// done, so this is the quick, exact single-machine decision).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/cluster/shardjobs.h"
#include "core/pipeline/pipeline.h"

namespace rs::cli {

namespace {

int handleMerge(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1 || !p.isSet(QStringLiteral("stage")))
        return mergeCommand().usageError();
    const QString stage = p.value(QStringLiteral("stage"));
    if (!shardableStages().contains(stage))
        return fail(QStringLiteral("stage %1 does not run in shards (sharded: %2)").arg(stage, shardableStages().join(QStringLiteral(", "))), 2);
    bool ok = true;
    const int shards = p.isSet(QStringLiteral("shards")) ? p.value(QStringLiteral("shards")).toInt(&ok) : 0;
    if (!ok || shards < 0)
        return fail(QStringLiteral("--shards must be a positive integer"), 2);
    const QString dir = p.positionalArguments().first();
    auto project = openWithRecipe(dir, ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    applyThreads(project->recipe);
    TerminalJob job(QStringLiteral("merge"));
    auto report = mergeShards(*project->store, dir, project->recipe, stage, shards, job.ctx);
    if (!report) {
        job.printer.finish();
        return fail(report.error());
    }
    QStringList ran;
    Status s = Pipeline().run(*project->store, project->recipe, stage, job.ctx, &ran);
    job.printer.finish();
    if (!s)
        return fail(s.error());
    print(QStringLiteral("merged %1 shards of %2 (%3 items); ran: %4\n")
              .arg(report->shards)
              .arg(stage)
              .arg(report->items)
              .arg(ran.isEmpty() ? QStringLiteral("nothing") : ran.join(QStringLiteral(", "))));
    return 0;
}

} // namespace

const Command &mergeCommand()
{
    static const Command command{
        QStringLiteral("merge"),
        QStringLiteral("DIR --stage STAGE [--shards N]"),
        QStringLiteral("fold finished shard stores (shards/<i>/<stage>/) into the project and finish the stage"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("stage"), QStringLiteral("the sharded stage to merge"), QStringLiteral("STAGE")},
         {QStringLiteral("shards"), QStringLiteral("how many shards (default: read from shard 0's manifest)"), QStringLiteral("N")}},
        handleMerge,
    };
    return command;
}

} // namespace rs::cli
