// realsyn snapshot: freezes the recipe, the selection and every exported
// field of the selected samples under a name (core/export/snapshot.h), for
// `realsyn diff` and `realsyn export --snapshot`.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"

#include "core/export/snapshot.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QJsonArray>
#include <QJsonDocument>


namespace rs::cli {

namespace {

int handle_snapshot(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    const bool list = p.isSet(QStringLiteral("list"));
    if (pos.size() != (list ? 1 : 2))
        return fail(QStringLiteral("usage: realsyn snapshot DIR NAME [--json] | realsyn snapshot DIR --list [--json]"), 2);
    if (!list)
        if (Status s = checkSnapshotName(pos[1]); !s)
            return fail(s.error().toString(), 2);
    const auto infoJson = [](const SnapshotInfo &i) {
        return QJsonObject{{QStringLiteral("name"), i.name},
                           {QStringLiteral("created_at"), i.createdAt},
                           {QStringLiteral("images"), i.images},
                           {QStringLiteral("selected"), i.selected}};
    };
    auto store = ProjectStore::open(pos[0], list ? ProjectStore::Access::ReadOnly : ProjectStore::Access::ReadWrite);
    if (!store)
        return fail(store.error());
    if (list) {
        auto all = listSnapshots(**store);
        if (!all)
            return fail(all.error());
        QJsonArray out;
        for (const SnapshotInfo &i : std::as_const(*all))
            out.append(infoJson(i));
        if (p.isSet(QStringLiteral("json"))) {
            print(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
            return 0;
        }
        if (all->isEmpty())
            print(QStringLiteral("no snapshots\n"));
        for (const SnapshotInfo &i : std::as_const(*all))
            print(QStringLiteral("%1  %2  %3 selected of %4 images\n").arg(i.name, -24).arg(i.createdAt).arg(i.selected).arg(i.images));
        return 0;
    }
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return fail(recipe.error());
    auto info = createSnapshot(**store, *recipe, pos[1]);
    if (!info)
        return fail(info.error());
    if (p.isSet(QStringLiteral("json")))
        printJson(infoJson(*info));
    else
        print(QStringLiteral("snapshot %1: %2 selected of %3 images\n").arg(info->name).arg(info->selected).arg(info->images));
    return 0;
}

} // namespace

const Command &snapshotCommand()
{
    static const Command command{
        QStringLiteral("snapshot"),
        QStringLiteral("DIR NAME [--json] | DIR --list [--json]"),
        QStringLiteral("freeze the recipe, selection and exported fields under NAME"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("NAME"), QStringLiteral("snapshot name: letters, digits, '.', '_', '-'"), QStringLiteral("[NAME]")}},
        {{QStringLiteral("list"), QStringLiteral("list the project's snapshots")},
         {QStringLiteral("json"), QStringLiteral("print JSON")}},
        handle_snapshot,
    };
    return command;
}

} // namespace rs::cli
