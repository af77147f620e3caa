#pragma once
// A demo-corpus project for the stage benchmarks, prepared once through the
// real CLI up to a given stage and cached in the build folder; each run
// works on a fresh copy.

#include <QString>

namespace rs::bench {

// Absolute path of the `realsyn` binary in the build tree.
QString cliPath();
// A cached project of the GIMP manual, run until `stage`; empty when the
// corpus is not installed or a step failed (the reason goes to qWarning).
QString cachedDemoProject(const QString &stage);
// Copies a project folder (recursively) to `target`.
bool copyProject(const QString &from, const QString &target);
// Runs the CLI; returns wall seconds, or -1 on failure.
double timedCli(const QStringList &args);

} // namespace rs::bench
