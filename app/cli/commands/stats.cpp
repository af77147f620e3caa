// realsyn stats DIR [--json]: counts, rejection reasons, stage states.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/projectstats.h"

namespace rs::cli {

namespace {

int handleStats(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        return statsCommand().usageError();
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    Pipeline pipeline;
    auto stats = projectStats(store, recipe, pipeline);
    if (!stats)
        return fail(stats.error());
    if (p.isSet(QStringLiteral("json")))
        printJson(*stats);
    else
        print(formatStats(*stats));
    return 0;
}

} // namespace

const Command &statsCommand()
{
    static const Command command{
        QStringLiteral("stats"),
        QStringLiteral("DIR [--json]"),
        QStringLiteral("counts, rejection reasons, stage states"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("json"), QStringLiteral("print JSON")}},
        handleStats,
    };
    return command;
}

} // namespace rs::cli
