// `realsyn run`'s table entry and plain form (runstages.h), and stage 1 as
// the executable runs it.

#include "app/cli/commands/runstages.h"

#include "app/cli/clisupport.h"
#include "core/extract/extractstage.h"
#include "core/pipeline/pipeline.h"

#include <cstdio>

namespace rs::cli {

Command makeRunCommand(int (*handler)(const QCommandLineParser &))
{
    return Command{
        QStringLiteral("run"),
        QStringLiteral("DIR [--until STAGE] [--set key=value]... | DIR --shard i/N --until STAGE | DIR --prepare STAGE"),
        QStringLiteral("run the stages that are missing or stale"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("until"), QStringLiteral("last stage to run (%1)").arg(Pipeline::stageNames().join(QLatin1Char('|'))), QStringLiteral("STAGE")},
         {QStringLiteral("set"), QStringLiteral("change a setting (saved in the recipe)"), QStringLiteral("key=value")},
         {QStringLiteral("seed"), QStringLiteral("shorthand for --set seed=S"), QStringLiteral("S")},
         {QStringLiteral("shard"), QStringLiteral("run only shard i of N of the --until stage into shards/<i>/<stage>/ (a Slurm array task)"), QStringLiteral("i/N")},
         {QStringLiteral("prepare"), QStringLiteral("run the stages before a sharded STAGE and its global barrier (embed: fit the built-in encoder; retrieve: the sentence k-means index; generate: the tag calibration; sample: the image k-means centres), so its shards can run"), QStringLiteral("STAGE")}},
        handler,
    };
}

int runStages(const QCommandLineParser &p, const Pipeline &pipeline)
{
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    QStringList sets = p.values(QStringLiteral("set"));
    if (p.isSet(QStringLiteral("seed")))
        sets << QStringLiteral("seed=") + p.value(QStringLiteral("seed"));
    if (Status s = applySets(recipe, sets); !s)
        return fail(s.error().toString(), 2);
    if (Status s = recipe.save(store); !s)
        return fail(s.error());

    applyThreads(recipe);
    QStringList ran;
    TerminalJob job(QStringLiteral("run"));
    Status s = pipeline.run(store, recipe, p.value(QStringLiteral("until")), job.ctx, &ran);
    job.printer.finish();
    if (!s) {
        if (s.error().code == ErrorCode::Canceled)
            std::fprintf(stderr, "interrupted: work done so far is saved; `realsyn run` resumes\n");
        return fail(s.error());
    }
    print(ran.isEmpty() ? QStringLiteral("nothing to do: every requested stage is done\n")
                        : QStringLiteral("ran: %1\n").arg(ran.join(QStringLiteral(", "))));
    return 0;
}

namespace {

// Stage 1: extract, the one stage whose code the executable links.
std::vector<std::unique_ptr<IStage>> stageOneStages()
{
    std::vector<std::unique_ptr<IStage>> stages;
    stages.push_back(std::make_unique<ExtractStage>());
    return stages;
}

int handleStageOneRun(const QCommandLineParser &p)
{
    const QString until = p.value(QStringLiteral("until"));
    // Without --until, `run` means every stage; the cluster's forms and
    // anything to refuse are the module's too, so that each has one home.
    if (p.positionalArguments().size() != 1 || until.isEmpty() || p.isSet(QStringLiteral("shard"))
        || p.isSet(QStringLiteral("prepare")))
        return kRunInCommandModule;
    const QStringList names = Pipeline::stageNames();
    if (!names.contains(until))
        return kRunInCommandModule;
    const Pipeline stageOne(stageOneStages());
    for (const QString &name : names.mid(0, names.indexOf(until) + 1))
        if (!stageOne.isAvailable(name))
            return kRunInCommandModule;
    return runStages(p, stageOne);
}

} // namespace

const Command &stageOneRunCommand()
{
    static const Command command = makeRunCommand(handleStageOneRun);
    return command;
}

} // namespace rs::cli
