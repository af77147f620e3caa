#pragma once
// Runs a program to completion for the command-line tests and keeps what a
// person would see: exit code and both output streams.

#include <QProcess>
#include <QStringList>

namespace rs::test {

struct ProcessRun {
    int code = -1; // -1: did not start, crashed or timed out
    QByteArray out, err;
};

inline ProcessRun runProcess(const QString &program, const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// The `realsyn` binary of the build tree the tests belong to.
inline QString realsynPath()
{
    return qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/bin/realsyn");
}

} // namespace rs::test
