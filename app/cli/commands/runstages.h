#pragma once
// What `realsyn run` shares between its two homes: the command module runs
// every form of it (run.cpp), and the executable runs stage 1 itself
// (main.cpp), linking only extract, so that `run --until extract` starts
// without the libraries of the later stages.

#include "app/cli/command.h"

namespace rs {
class Pipeline;
}

namespace rs::cli {

// The `run` entry of the command table (usage, summary, options) with
// `handler`: both homes parse the same command line the same way.
Command makeRunCommand(int (*handler)(const QCommandLineParser &parsed));

// The plain form, `run DIR [--until STAGE] [--set key=value]... [--seed S]`:
// applies the settings, saves the recipe and runs `pipeline` up to STAGE.
int runStages(const QCommandLineParser &parsed, const Pipeline &pipeline);

// `run` as the executable runs it: the plain form when every stage up to
// --until is stage 1's; anything else returns kRunInCommandModule, for
// main.cpp to hand the command line to realsyn_commands.so.
const Command &stageOneRunCommand();
constexpr int kRunInCommandModule = -1;

} // namespace rs::cli
