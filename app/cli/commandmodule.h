#pragma once
// The C entry points of realsyn_commands.so (commandmodule.cpp), which the
// `realsyn` executable opens for every command it does not run itself. Both
// are built from this tree; the ABI number guards against a stale module
// from another build.

#define REALSYN_COMMANDS_ABI 1

extern "C" {
int realsyn_commands_abi();
// Runs the command line (QCoreApplication::arguments(); the executable has
// created the application) with every command; returns the exit status.
int realsyn_commands_main();
}
