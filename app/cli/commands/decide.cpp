// realsyn decide DIR ID accept|reject|clear: curator decision (wins over every filter).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/store/curation.h"

namespace rs::cli {

namespace {

int handleDecide(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    const QString what = pos.value(2);
    if (pos.size() != 3 || !QStringList{QStringLiteral("accept"), QStringLiteral("reject"), QStringLiteral("clear")}.contains(what))
        return decideCommand().usageError();
    bool ok = false;
    const qint64 id = positiveId(pos.value(1), &ok);
    if (!ok)
        return fail(QStringLiteral("ID must be a positive integer, not '%1'").arg(pos.value(1)), 2);
    auto store = openProject(pos.first());
    if (!store)
        return fail(store.error());
    const CuratorDecision d = what == QLatin1String("accept") ? CuratorDecision::Accept
        : what == QLatin1String("reject")                     ? CuratorDecision::Reject
                                                              : CuratorDecision::Clear;
    if (Status s = setCuratorDecision(**store, id, d); !s)
        return fail(s.error());
    print(QStringLiteral("image %1: %2\n").arg(id).arg(what == QLatin1String("clear") ? QStringLiteral("decision cleared") : what + QStringLiteral("ed")));
    return 0;
}

} // namespace

const Command &decideCommand()
{
    static const Command command{
        QStringLiteral("decide"),
        QStringLiteral("DIR ID accept|reject|clear"),
        QStringLiteral("curator decision (wins over every filter)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("ID"), QStringLiteral("image id")}, {QStringLiteral("DECISION"), QStringLiteral("accept|reject|clear")}},
        {},
        handleDecide,
        QStringLiteral("ID"),
    };
    return command;
}

} // namespace rs::cli
