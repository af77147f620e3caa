// realsyn_commands.so: every command of `realsyn`, with the whole core and
// the libraries it needs (see app/cli/CMakeLists.txt).
#include "app/cli/commandmodule.h"

#include "app/cli/cli.h"
#include "app/cli/commands/commands.h"
#include "core/util/batchmalloc.h"
#include "core/util/blasthreads.h"

namespace {

// Every command, in the order of commands/commandlist.h.
QList<const rs::cli::Command *> allCommands()
{
    using namespace rs::cli;
    return {
#define RS_CLI_COMMAND(function) &function(),
#include "app/cli/commands/commandlist.h"
#undef RS_CLI_COMMAND
    };
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int realsyn_commands_abi()
{
    return REALSYN_COMMANDS_ABI;
}

__attribute__((visibility("default"))) int realsyn_commands_main()
{
    // OpenBLAS came in with this module and has just started its workers.
    rs::parkBlasThreads();
    // The executable has set malloc up already (main.cpp); this tells the
    // module's own copy of the core, whose threads ask for huge pages.
    rs::keepFreedMemoryForReuse();
    return rs::cli::runCommandLine(allCommands());
}
}
