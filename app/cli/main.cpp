// realsyn: the headless command line of RealSyn Studio. Finds the command in
// the table (app/cli/commands/commandlist.h) and runs it; each command's
// handler lives in app/cli/commands/, all behaviour in realsyn_core.

#include "app/cli/clisupport.h"
#include "app/cli/command.h"
#include "app/cli/commands/commands.h"
#include "core/util/batchmalloc.h"
#include "core/util/blasthreads.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>

using namespace rs::cli;

namespace {

QList<const Command *> commandTable()
{
    return {
#define RS_CLI_COMMAND(function) &function(),
#include "app/cli/commands/commandlist.h"
#undef RS_CLI_COMMAND
    };
}

} // namespace

int main(int argc, char **argv)
{
    rs::keepFreedMemoryForReuse();
    rs::parkBlasThreads();
    QCoreApplication app(argc, argv);
    // A file-size limit (ulimit -f) must fail a write with EFBIG, reported
    // and cleaned up, rather than kill the process mid-export.
    std::signal(SIGXFSZ, SIG_IGN);
    QCoreApplication::setApplicationName(QStringLiteral("realsyn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(REALSYN_VERSION));
    const QList<const Command *> commands = commandTable();
    QStringList args = app.arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h") || args[1] == QLatin1String("help")) {
        std::fputs(overview(commands).toUtf8().constData(), args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == QLatin1String("--version")) {
        print(QStringLiteral("realsyn %1\n").arg(QStringLiteral(REALSYN_VERSION)));
        return 0;
    }
    const QString name = args.takeAt(1);
    args[0] = QStringLiteral("realsyn ") + name;
    for (const Command *c : commands)
        if (c->name == name)
            return dispatch(*c, args);
    std::fputs(overview(commands).toUtf8().constData(), stderr);
    return fail(QStringLiteral("unknown command '%1'").arg(name), 2);
}
