#pragma once
// The whole command line, as realsyn_commands.so runs it: every command, the
// overview and --version (see app/cli/CMakeLists.txt for why it is a module).

#include "app/cli/command.h"

#include <QList>

namespace rs::cli {

// The overview `realsyn --help` prints: one line per command, then the stages.
QString overview(const QList<const Command *> &commands);

// Runs QCoreApplication::arguments() against `commands`: the overview for no
// command or --help, the version for --version, else the named command.
// Returns the exit status.
int runCommandLine(const QList<const Command *> &commands);

} // namespace rs::cli
