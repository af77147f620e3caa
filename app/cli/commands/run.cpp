// realsyn run DIR [--until STAGE] [--set key=value]...: run the stages that are missing or stale;
// --shard i/N (one shard job) and --prepare STAGE (a sharded stage's barrier) for the cluster.
// Every form runs here, in the command module, but for stage 1 alone, which
// the executable runs itself (runstages.h).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "app/cli/commands/runstages.h"
#include "core/cluster/shardjobs.h"
#include "core/pipeline/pipeline.h"

namespace rs::cli {

namespace {

// `run DIR --shard i/N --until STAGE`: one shard job of a sharded stage (what
// the Slurm array tasks call). It reads the main project without locking it
// and writes only shards/<i>/<stage>/; settings come from the recipe as it is.
int runOneShard(const QCommandLineParser &p)
{
    auto spec = ShardSpec::parse(p.value(QStringLiteral("shard")));
    if (!spec)
        return fail(spec.error().toString(), 2);
    const QString stage = p.value(QStringLiteral("until"));
    if (!shardableStages().contains(stage))
        return fail(QStringLiteral("--shard needs --until with a sharded stage (%1)").arg(shardableStages().join(QStringLiteral(", "))), 2);
    if (!p.values(QStringLiteral("set")).isEmpty() || p.isSet(QStringLiteral("seed")))
        return fail(QStringLiteral("--shard takes no --set or --seed: shard jobs use the project's recipe as it is"), 2);
    TerminalJob job(QStringLiteral("shard ") + spec->toString());
    const QString runId = qEnvironmentVariable("REALSYN_RUN_ID", QStringLiteral("manual"));
    auto manifest = runShard(p.positionalArguments().first(), stage, *spec, runId, job.ctx);
    job.printer.finish();
    if (!manifest)
        return fail(manifest.error());
    print(QStringLiteral("shard %1: %2 on %3 items; manifest written\n").arg(spec->toString(), stage).arg(manifest->items));
    return 0;
}

// `run DIR --prepare STAGE`: the barrier job before a sharded stage's
// shards (what the Slurm chain's merge jobs end with): the stages before it
// in the main project, then what its shards need decided globally.
int prepareStage(const QCommandLineParser &p)
{
    const QString stage = p.value(QStringLiteral("prepare"));
    if (!shardableStages().contains(stage))
        return fail(QStringLiteral("--prepare needs a sharded stage (%1)").arg(shardableStages().join(QStringLiteral(", "))), 2);
    if (p.isSet(QStringLiteral("until")) || p.isSet(QStringLiteral("shard")) || !p.values(QStringLiteral("set")).isEmpty()
        || p.isSet(QStringLiteral("seed")))
        return fail(QStringLiteral("--prepare takes no --until, --shard, --set or --seed"), 2);
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    applyThreads(project->recipe);
    TerminalJob job(QStringLiteral("prepare ") + stage);
    Status s = prepareShardedStage(*project->store, project->recipe, stage, job.ctx);
    job.printer.finish();
    if (!s)
        return fail(s.error());
    print(QStringLiteral("ready for %1's shards\n").arg(stage));
    return 0;
}

int handleRun(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        return runCommand().usageError();
    if (p.isSet(QStringLiteral("until")) && !Pipeline::stageNames().contains(p.value(QStringLiteral("until"))))
        return fail(QStringLiteral("unknown stage '%1' (stages: %2)").arg(p.value(QStringLiteral("until")), Pipeline::stageNames().join(QStringLiteral(", "))), 2);
    if (p.isSet(QStringLiteral("prepare")))
        return prepareStage(p);
    if (p.isSet(QStringLiteral("shard")))
        return runOneShard(p);
    return runStages(p, Pipeline());
}

} // namespace

const Command &runCommand()
{
    static const Command command = makeRunCommand(handleRun);
    return command;
}

} // namespace rs::cli
