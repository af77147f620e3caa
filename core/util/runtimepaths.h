#pragma once
// Where realsyn finds its runtime files (the expert, encoder and generator
// plugins; the image decoder module) relative to the running executable.
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

} // namespace rs
