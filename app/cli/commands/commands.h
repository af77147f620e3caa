#pragma once
// Declares the function of every command in commandlist.h:
// `const Command &initCommand();` and so on.

#include "app/cli/command.h"

namespace rs::cli {

#define RS_CLI_COMMAND(function) const Command &function();
#include "app/cli/commands/commandlist.h"
#undef RS_CLI_COMMAND

} // namespace rs::cli
