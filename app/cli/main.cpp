// realsyn: the headless command line of RealSyn Studio. Each command's
// handler lives in app/cli/commands/, all behaviour in realsyn_core.
//
// This executable runs stage 1 itself, `init`, `ingest` and `run --until
// extract`, and links only what they use; every other command runs in
// realsyn_commands.so, which it opens here. The three commands of a corpus's
// first stage no longer map FAISS, OpenBLAS, Thrift and Qt Gui, whose dynamic
// loading was over half of their start, and extract opens OpenCV with its
// image module on a worker, beside the sentence pass (app/cli/CMakeLists.txt
// says how the link keeps them out).

#include "app/cli/clisupport.h"
#include "app/cli/commandmodule.h"
#include "app/cli/commands/commands.h"
#include "app/cli/commands/runstages.h"
#include "core/util/batchmalloc.h"
#include "core/util/runtimepaths.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QThreadPool>

#include <csignal>
#include <cstdio>

#include <dlfcn.h>
#include <unistd.h>

using namespace rs::cli;

namespace {

const char kModuleFile[] = "realsyn_commands.so";

int runInCommandModule()
{
    QStringList tried;
    // REALSYN_COMMANDS_MODULE (a file), else realsyn's library folders.
    for (const QString &file : rs::moduleCandidates("REALSYN_COMMANDS_MODULE", QLatin1String(kModuleFile))) {
        if (!QFileInfo::exists(file)) {
            tried << file + QStringLiteral(" (missing)");
            continue;
        }
        // Global, so that the module's libraries are found by name (OpenBLAS's
        // worker pool, see core/util/blasthreads.h). Never closed.
        void *module = dlopen(QFile::encodeName(file).constData(), RTLD_LAZY | RTLD_GLOBAL);
        if (!module) {
            tried << file + QStringLiteral(" (") + QString::fromLocal8Bit(dlerror()) + QLatin1Char(')');
            continue;
        }
        const auto abi = reinterpret_cast<int (*)()>(dlsym(module, "realsyn_commands_abi"));
        const auto run = reinterpret_cast<int (*)()>(dlsym(module, "realsyn_commands_main"));
        if (abi && run && abi() == REALSYN_COMMANDS_ABI)
            return run();
        tried << file + QStringLiteral(" (") + (abi && run ? QStringLiteral("ABI %1, need %2").arg(abi()).arg(REALSYN_COMMANDS_ABI)
                                                           : QStringLiteral("not realsyn's command module"))
                + QLatin1Char(')');
    }
    return fail(QStringLiteral("command module %1 not loaded; tried: %2 (set REALSYN_COMMANDS_MODULE to its path)")
                    .arg(QLatin1String(kModuleFile), tried.join(QStringLiteral("; "))));
}

// Ends the process once the command has returned. By then everything the
// command owned is closed: the project's database checkpointed, its lock
// file removed, stdio flushed below. What exit() would still do is run the
// destructors of some fifty libraries (Qt, OpenCV, TBB, OpenBLAS), 3-5 ms
// of every command on a 2-core VM and nothing a later process can see, so
// this leaves without them, as compilers do. QCoreApplication's one duty at
// exit, waiting for the global thread pool, is kept.
[[noreturn]] void leave(int exitCode)
{
    QThreadPool::globalInstance()->waitForDone();
    std::fflush(nullptr);
    _exit(exitCode);
}

} // namespace

int main(int argc, char **argv)
{
    rs::keepFreedMemoryForReuse();
    rs::preferHugePagesForThisThread();
    QCoreApplication app(argc, argv);
    // A file-size limit (ulimit -f) must fail a write with EFBIG, reported
    // and cleaned up, rather than kill the process mid-export.
    std::signal(SIGXFSZ, SIG_IGN);
    QCoreApplication::setApplicationName(QStringLiteral("realsyn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(REALSYN_VERSION));
    // The commands whose code needs none of the heavy libraries.
    const QList<const Command *> ownCommands = {&initCommand(), &ingestCommand()};
    const QStringList args = QCoreApplication::arguments();
    for (const Command *c : ownCommands)
        if (args.size() >= 2 && args[1] == c->name)
            leave(dispatchArguments(*c));
    // `run`, when every stage it asks for is stage 1's.
    if (args.size() >= 2 && args[1] == stageOneRunCommand().name)
        if (const int rc = dispatchArguments(stageOneRunCommand()); rc != kRunInCommandModule)
            leave(rc);
    leave(runInCommandModule());
}
