// realsyn show DIR IMAGE_ID [--json]: one sample whole: provenance, decisions, texts.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/store/samplequery.h"

#include <QJsonArray>

namespace rs::cli {

namespace {

int handleShow(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 2)
        return showCommand().usageError();
    bool ok = false;
    const qint64 id = positiveId(p.positionalArguments().value(1), &ok);
    if (!ok)
        return fail(QStringLiteral("IMAGE_ID must be a positive integer, not '%1'").arg(p.positionalArguments().value(1)), 2);
    auto store = openProject(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    auto details = sampleDetails(**store, id);
    if (!details)
        return fail(details.error());
    if (p.isSet(QStringLiteral("json"))) {
        printJson(*details);
        return 0;
    }
    const QJsonObject &d = *details;
    print(QStringLiteral("image %1  %2\n  %3x%4  %5\n")
              .arg(id)
              .arg(d.value(QStringLiteral("path")).toString())
              .arg(d.value(QStringLiteral("width")).toInt())
              .arg(d.value(QStringLiteral("height")).toInt())
              .arg(d.value(QStringLiteral("kept")).toBool() ? QStringLiteral("kept") : QStringLiteral("rejected")));
    for (const QJsonValue &r : d.value(QStringLiteral("reasons")).toArray())
        print(QStringLiteral("  rejected: %1 %2\n").arg(r.toObject().value(QStringLiteral("reason")).toString(),
                                                         r.toObject().value(QStringLiteral("detail")).toString()));
    for (const QJsonValue &v : d.value(QStringLiteral("provenance")).toArray()) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("  in %1 (position %2)\n").arg(o.value(QStringLiteral("document")).toString()).arg(o.value(QStringLiteral("position")).toInt()));
        for (const char *k : {"caption", "alt"})
            if (o.contains(QLatin1String(k)))
                print(QStringLiteral("    %1: %2\n").arg(QLatin1String(k), o.value(QLatin1String(k)).toString()));
    }
    for (const QJsonValue &v : d.value(QStringLiteral("retrieved")).toArray()) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("  text%1 (%2): %3\n").arg(o.value(QStringLiteral("rank")).toInt())
                  .arg(o.value(QStringLiteral("score")).toDouble(), 0, 'f', 3)
                  .arg(o.value(QStringLiteral("text")).toString()));
    }
    if (!d.value(QStringLiteral("caption")).isNull())
        print(QStringLiteral("  caption: %1\n").arg(d.value(QStringLiteral("caption")).toString()));
    if (!d.value(QStringLiteral("synthetic_text")).isNull())
        print(QStringLiteral("  synthetic (%1): %2\n").arg(d.value(QStringLiteral("generator")).toString(), d.value(QStringLiteral("synthetic_text")).toString()));
    return 0;
}

} // namespace

const Command &showCommand()
{
    static const Command command{
        QStringLiteral("show"),
        QStringLiteral("DIR IMAGE_ID [--json]"),
        QStringLiteral("one sample whole: provenance, decisions, texts"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("IMAGE_ID"), QStringLiteral("image id (see `realsyn list`)")}},
        {{QStringLiteral("json"), QStringLiteral("print JSON")}},
        handleShow,
        QStringLiteral("IMAGE_ID"),
    };
    return command;
}

} // namespace rs::cli
