#pragma once
// Commands that live in their own files under app/cli/; main.cpp dispatches
// to them. args[0] is "realsyn COMMAND", the rest the command's arguments.
// Each returns the process exit code.

#include <QStringList>

int runSearch(const QStringList &args);   // cmd_search.cpp
int runSnapshot(const QStringList &args); // cmd_snapshot.cpp
int runDiff(const QStringList &args);     // cmd_diff.cpp
