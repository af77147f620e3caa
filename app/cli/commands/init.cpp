// realsyn init DIR: create a project.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/store/projectstore.h"

namespace rs::cli {

namespace {

int handleInit(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        return initCommand().usageError();
    auto store = ProjectStore::create(p.positionalArguments().first());
    if (!store)
        return fail(store.error());
    print(QStringLiteral("created project %1\n").arg((*store)->dir()));
    return 0;
}

} // namespace

const Command &initCommand()
{
    static const Command command{
        QStringLiteral("init"),
        QStringLiteral("DIR"),
        QStringLiteral("create a project"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder to create")}},
        {},
        handleInit,
    };
    return command;
}

} // namespace rs::cli
