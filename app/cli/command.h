#pragma once
// The command table of `realsyn`: each command is a name, a usage line, a
// one-line summary, its positional arguments and options, and a handler.
// runCommand() builds the QCommandLineParser from the entry (so `--help` and
// the overview are generated from the table), turns parse errors into exit 2
// and calls the handler with the parsed command line.
//
// Adding a command (e.g. `search`):
//   1. app/cli/commands/search.cpp defines `const Command &searchCommand()`
//      returning a function-local static Command (see commands/stats.cpp);
//   2. one line RS_CLI_COMMAND(searchCommand) in app/cli/commands/commandlist.h
//      (its place there is its place in `realsyn --help`);
//   3. the file in app/cli/CMakeLists.txt's source list.
// The handler gets the parsed QCommandLineParser; all logic stays in core/.

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

namespace rs::cli {

struct Positional {
    QString name;        // "DIR"
    QString description; // "project folder"
    QString syntax = {}; // "PATH..." when it repeats (QCommandLineParser's syntax)
};

struct Command {
    QString name;    // "stats"
    QString usage;   // arguments after the name: "DIR [--json]"; printed by usageError() and the overview
    QString summary; // one line for `realsyn --help`
    QList<Positional> positionals;
    QList<QCommandLineOption> options; // in `realsyn NAME --help` order, after -h/--help
    // The handler, called once the arguments parsed. Returns the exit status:
    // 0, 1 (error), 2 (usage error), 130 (interrupted).
    int (*handler)(const QCommandLineParser &parsed) = nullptr;
    // A positional that is an item id ("ID", "IMAGE_ID"): "-5" there is
    // refused as "must be a positive integer" before the parser would read it
    // as an unknown option. Options with a value may still take "-5".
    QString idArgument = {};

    // "usage: realsyn NAME USAGE", exit 2.
    int usageError() const;
};

// Parses args (args[0] is "realsyn NAME") against cmd and runs its handler.
int dispatch(const Command &cmd, const QStringList &args);

// dispatch() with QCoreApplication::arguments(), whose second one names cmd.
int dispatchArguments(const Command &cmd);

} // namespace rs::cli
