#pragma once
// What the command handlers of `realsyn` share: error and output helpers, a
// JobContext wired to the terminal, and opening a project with its recipe.
// Single-threaded: the CLI runs one command on the main thread.

#include "core/util/jobcontext.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "app/cli/progressprinter.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace rs::cli {

// Prints "realsyn: MESSAGE" on stderr and returns code (1, or 2 for usage errors).
int fail(const QString &message, int code = 1);
// An error from the core: exit 130 when it was a cancel, 1 otherwise.
int fail(const Error &e);

void print(const QString &text);             // UTF-8 on stdout
void printJson(const QJsonObject &object);   // indented, as `--json` always was

// A JobContext wired to the terminal: progress lines, warnings counted and
// the first few printed, Ctrl-C (and SIGTERM) mapped to a cancel at the
// next batch. One at a time.
struct TerminalJob {
    explicit TerminalJob(const QString &prefix);
    ~TerminalJob();
    TerminalJob(const TerminalJob &) = delete;
    TerminalJob &operator=(const TerminalJob &) = delete;

    ProgressPrinter printer;
    JobContext ctx;
    long long warnings = 0;
};

// A project and its recipe, as nearly every command needs them.
struct OpenedProject {
    std::unique_ptr<ProjectStore> store;
    Recipe recipe;
};
Result<OpenedProject> openWithRecipe(const QString &dir, ProjectStore::Access access);
Result<std::unique_ptr<ProjectStore>> openProject(const QString &dir, ProjectStore::Access access = ProjectStore::Access::ReadWrite);

// The recipe's `threads` bounds every parallel pass on Qt's global pool
// (parsing, decoding); the stages get it through their JobContext.
void applyThreads(const Recipe &recipe);

// An item id as typed: a positive integer, or 0 with *ok false.
qint64 positiveId(const QString &text, bool *ok);

// Applies `key=value` assignments in order; the first invalid one is the error.
Status applySets(Recipe &recipe, const QStringList &sets);

} // namespace rs::cli
