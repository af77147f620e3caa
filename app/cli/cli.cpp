#include "app/cli/cli.h"

#include "app/cli/clisupport.h"
#include "core/pipeline/pipeline.h"

#include <QCoreApplication>

#include <cstdio>

namespace rs::cli {

QString overview(const QList<const Command *> &commands)
{
    // Summaries start in column 52, after the usual synopsis; a longer
    // synopsis pushes its summary right rather than wrapping.
    constexpr int kSummaryColumn = 52;
    QString text = QStringLiteral("usage: realsyn COMMAND ...\n");
    for (const Command *c : commands) {
        QString line = QStringLiteral("  ") + c->name + (c->usage.isEmpty() ? QString() : QStringLiteral(" ") + c->usage);
        if (!c->summary.isEmpty())
            line = line.leftJustified(kSummaryColumn - 1) + QLatin1Char(' ') + c->summary;
        text += line + QLatin1Char('\n');
    }
    text += QStringLiteral("Stages: %1. `realsyn COMMAND --help` for details.\n").arg(Pipeline::stageNames().join(QStringLiteral(", ")));
    return text;
}

int runCommandLine(const QList<const Command *> &commands)
{
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h") || args[1] == QLatin1String("help")) {
        std::fputs(overview(commands).toUtf8().constData(), args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == QLatin1String("--version")) {
        print(QStringLiteral("realsyn %1\n").arg(QStringLiteral(REALSYN_VERSION)));
        return 0;
    }
    const QString name = args[1];
    for (const Command *c : commands)
        if (c->name == name)
            return dispatchArguments(*c);
    std::fputs(overview(commands).toUtf8().constData(), stderr);
    return fail(QStringLiteral("unknown command '%1'").arg(name), 2);
}

} // namespace rs::cli
