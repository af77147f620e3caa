// realsyn diff: what changed between two snapshots, or a snapshot and the
// current state (core/export/snapshot.h, diffStates()).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"

#include "core/export/snapshot.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QJsonArray>
#include <QJsonDocument>


namespace rs::cli {

namespace {

int handle_diff(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() < 2 || pos.size() > 3)
        return fail(QStringLiteral("usage: realsyn diff DIR A [B] [--json]"), 2);
    const QString nameA = pos[1], nameB = pos.value(2, currentStateName());
    for (const QString &n : {nameA, nameB})
        if (n != currentStateName())
            if (Status s = checkSnapshotName(n); !s)
                return fail(s.error().toString(), 2);
    auto store = ProjectStore::open(pos[0], ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return fail(recipe.error());
    auto a = loadSelectionState(**store, *recipe, nameA);
    if (!a)
        return fail(a.error());
    auto b = loadSelectionState(**store, *recipe, nameB);
    if (!b)
        return fail(b.error());
    const QJsonObject d = diffStates(*a, *b);
    if (p.isSet(QStringLiteral("json"))) {
        printJson(d);
        return 0;
    }
    const QJsonObject settings = d.value(QStringLiteral("settings")).toObject();
    print(QStringLiteral("%1 -> %2\nsettings changed: %3\n").arg(nameA, nameB).arg(settings.size()));
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const QJsonObject v = it.value().toObject();
        const auto text = [](const QJsonValue &x) { return x.isNull() ? QStringLiteral("(unset)") : x.toString(); };
        print(QStringLiteral("  %1: %2 -> %3\n").arg(it.key(), text(v.value(QStringLiteral("a"))), text(v.value(QStringLiteral("b")))));
    }
    for (const char *which : {"entered", "left"}) {
        const QJsonArray items = d.value(QLatin1String(which)).toArray();
        print(QStringLiteral("%1 the selection: %2\n").arg(QLatin1String(which)).arg(items.size()));
        for (const QJsonValue &v : items) {
            const QJsonObject o = v.toObject();
            const QString reason = o.value(QStringLiteral("old_reason")).isNull() ? o.value(QStringLiteral("new_reason")).toString()
                                                                                    : o.value(QStringLiteral("old_reason")).toString();
            print(QStringLiteral("  %1  %2 %3\n")
                      .arg(o.value(QStringLiteral("id")).toInteger(), 8)
                      .arg(QLatin1String(qstrcmp(which, "entered") == 0 ? "was" : "now"), reason));
        }
    }
    const QJsonObject ca = d.value(QStringLiteral("counts")).toObject().value(QStringLiteral("a")).toObject();
    const QJsonObject cb = d.value(QStringLiteral("counts")).toObject().value(QStringLiteral("b")).toObject();
    QStringList keys = ca.keys() + cb.keys();
    keys.removeDuplicates();
    keys.sort();
    print(QStringLiteral("counts (A -> B):\n"));
    for (const QString &k : std::as_const(keys))
        print(QStringLiteral("  %1 %2 -> %3\n").arg(k, -24).arg(ca.value(k).toInteger()).arg(cb.value(k).toInteger()));
    return 0;
}

} // namespace

const Command &diffCommand()
{
    static const Command command{
        QStringLiteral("diff"),
        QStringLiteral("DIR A [B] [--json]"),
        QStringLiteral("what changed between two snapshots (B: current state)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("A"), QStringLiteral("snapshot name")}, {QStringLiteral("B"), QStringLiteral("snapshot name (default: current)"), QStringLiteral("[B]")}},
        {{QStringLiteral("json"), QStringLiteral("print JSON")}},
        handle_diff,
    };
    return command;
}

} // namespace rs::cli
