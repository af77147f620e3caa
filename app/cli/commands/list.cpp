// realsyn list DIR [--kept|--selected] [--json]: images with their state.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/store/samplequery.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace rs::cli {

namespace {

int handleList(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        return listCommand().usageError();
    auto store = openProject(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    const SampleFilter filter = p.isSet(QStringLiteral("selected")) ? SampleFilter::Selected
        : p.isSet(QStringLiteral("kept"))                           ? SampleFilter::Kept
                                                                    : SampleFilter::All;
    auto list = listSamples(**store, filter);
    if (!list)
        return fail(list.error());
    if (p.isSet(QStringLiteral("json"))) {
        print(QString::fromUtf8(QJsonDocument(*list).toJson(QJsonDocument::Compact)) + QLatin1Char('\n'));
        return 0;
    }
    for (const QJsonValue &v : *list) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("%1\t%2\t%3\n")
                  .arg(o.value(QStringLiteral("id")).toInteger())
                  .arg(o.value(QStringLiteral("selected")).toBool() ? QStringLiteral("selected")
                           : o.value(QStringLiteral("kept")).toBool() ? QStringLiteral("kept")
                                                                      : QStringLiteral("rejected"))
                  .arg(o.value(QStringLiteral("path")).toString()));
    }
    return 0;
}

} // namespace

const Command &listCommand()
{
    static const Command command{
        QStringLiteral("list"),
        QStringLiteral("DIR [--kept|--selected] [--json]"),
        QStringLiteral("images with their state"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("kept"), QStringLiteral("only images that passed every filter")},
         {QStringLiteral("selected"), QStringLiteral("only images in the current export selection")},
         {QStringLiteral("json"), QStringLiteral("print JSON")}},
        handleList,
    };
    return command;
}

} // namespace rs::cli
