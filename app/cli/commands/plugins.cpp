// realsyn plugins [--json]: encoder, expert and generator plugins found, with load errors.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/embed/iencoder.h"
#include "core/generate/iexpert.h"
#include "core/generate/igenerator.h"
#include "core/plugin/pluginmanager.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace rs::cli {

namespace {

int handlePlugins(const QCommandLineParser &p)
{
    PluginManager &manager = sharedPlugins();
    // Loading tells whether a plugin really works, not only that its metadata reads.
    for (const char *iid : {RealSyn_IEncoderPlugin_iid, RealSyn_IExpertPlugin_iid, RealSyn_IGeneratorPlugin_iid})
        manager.instances(QString::fromLatin1(iid));
    QJsonArray out;
    for (const PluginRecord &r : manager.plugins())
        out.append(QJsonObject{{QStringLiteral("file"), r.fileName},
                               {QStringLiteral("name"), r.metaData.value(QStringLiteral("name")).toString()},
                               {QStringLiteral("interface"), r.iid},
                               {QStringLiteral("loaded"), r.loaded},
                               {QStringLiteral("error"), r.errorString}});
    if (p.isSet(QStringLiteral("json"))) {
        print(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
        return 0;
    }
    print(QStringLiteral("search path: %1\n").arg(manager.searchPaths().join(QLatin1Char(':'))));
    for (const QJsonValue &v : out) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("%1  %2  %3%4\n")
                  .arg(o.value(QStringLiteral("name")).toString(), -24)
                  .arg(o.value(QStringLiteral("loaded")).toBool() ? QStringLiteral("loaded") : QStringLiteral("not loaded"))
                  .arg(o.value(QStringLiteral("file")).toString())
                  .arg(o.value(QStringLiteral("error")).toString().isEmpty() ? QString() : QStringLiteral("\n    error: ") + o.value(QStringLiteral("error")).toString()));
    }
    return 0;
}

} // namespace

const Command &pluginsCommand()
{
    static const Command command{
        QStringLiteral("plugins"),
        QStringLiteral("[--json]"),
        QStringLiteral("encoder, expert and generator plugins found, with load errors"),
        {},
        {{QStringLiteral("json"), QStringLiteral("print JSON")}},
        handlePlugins,
    };
    return command;
}

} // namespace rs::cli
