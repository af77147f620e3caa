#pragma once
// Where realsyn finds its runtime files (the expert, encoder and generator
// plugins; the image decoder and command modules) relative to the running
// executable.
// The build tree and an install lay them out differently; this is the one
// rule for both, so the plugin manager and the decoder loader cannot drift.

#include <QString>
#include <QStringList>

namespace rs {

// The running executable's folder; works before (or without) a
// QCoreApplication, through /proc/self/exe.
QString executableDir();

// Folders to search, first match wins:
//   <exe>/../<buildTreeDir>                   the build tree
//   <exe>/../<libdir>/realsyn/<relative>      an install, relocated
//   <configured libdir>/realsyn/<relative>    the install prefix
// `relative` may be empty (realsyn's library folder itself).
QStringList runtimeDirs(const QString &relative, const QString &buildTreeDir);

// The files one of realsyn's own modules (realsyn_imagedecoder.so,
// realsyn_commands.so) may be: the file named by the environment variable
// `overrideVariable` alone when it is set, else `fileName` in each of
// runtimeDirs(QString(), "lib/realsyn"), in that order.
QStringList moduleCandidates(const char *overrideVariable, const QString &fileName);

} // namespace rs
