// realsyn recipe DIR [--json] [--set key=value]...: show or change settings.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"

namespace rs::cli {

namespace {

int handleRecipe(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        return recipeCommand().usageError();
    const bool writing = p.isSet(QStringLiteral("set"));
    auto project = openWithRecipe(p.positionalArguments().first(), writing ? ProjectStore::Access::ReadWrite : ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    if (writing) {
        if (Status s = applySets(recipe, p.values(QStringLiteral("set"))); !s)
            return fail(s.error().toString(), 2);
        if (Status s = recipe.save(store); !s)
            return fail(s.error());
    }
    if (p.isSet(QStringLiteral("json"))) {
        printJson(recipe.toJson());
        return 0;
    }
    for (const SettingDef &d : Recipe::definitions()) {
        const QString value = recipe.text(d.key);
        print(QStringLiteral("%1 = %2%3\n    %4\n")
                  .arg(d.key, value)
                  .arg(recipe.isDefault(d.key) ? QString() : QStringLiteral("   (default %1)").arg(d.defaultValue))
                  .arg(d.meaning));
    }
    return 0;
}

} // namespace

const Command &recipeCommand()
{
    static const Command command{
        QStringLiteral("recipe"),
        QStringLiteral("DIR [--json] [--set key=value]..."),
        QStringLiteral("show or change settings"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("json"), QStringLiteral("print JSON")},
         {QStringLiteral("set"), QStringLiteral("change a setting without running"), QStringLiteral("key=value")}},
        handleRecipe,
    };
    return command;
}

} // namespace rs::cli
